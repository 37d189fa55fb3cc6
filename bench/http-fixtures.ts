/**
 * What the HTTP bench calls with, set up through the service's own IAM API: a user with an
 * access key and a policy allowing STS, a role that trusts the user, and temporary credentials
 * (from GetSessionToken when the service has it, else minted directly with issueCredentials).
 * Then pools of distinct SigV4-signed requests, since the load generator replays fixed bytes:
 * a signature stays valid for 15 minutes, so each pool is signed just before its run.
 */
import { CreateAccessKeyCommand, CreateOpenIDConnectProviderCommand, CreateRoleCommand, CreateSAMLProviderCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type autocannon from 'autocannon';
import type { NewAccount } from '../src/accounts/accounts.js';
import { API_VERSIONS } from '../src/protocol/index.js';
import { issueCredentials } from '../src/sts/issue.js';
import type { Keyring } from '../src/tokens/keyring.js';
import { formBody, send, signedPost, unsignedPost, type Key, type Param } from '../test/negative/wire.js';
import { idpMetadata, testKey } from '../test/helpers/saml.js';
import { assertionXml, RECIPIENT, responseXml, signAssertion } from '../test/helpers/saml-sign.js';
import type { WireRequest } from './http-breakdown.js';

export const STS_VERSION = API_VERSIONS.sts;

export interface Fixtures {
  readonly accountId: string;
  readonly userKey: Key;
  readonly roleArn: string;
  /** Temporary credentials of a GetSessionToken session of the user, several of them. */
  readonly sessions: readonly Key[];
  readonly sessionsFrom: 'GetSessionToken' | 'issueCredentials';
}

const SESSIONS = 16;

function policy(statement: object): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

export async function setUp(url: string, root: NewAccount, keyring: Keyring, operations: readonly string[]): Promise<Fixtures> {
  const config = (credentials: Key) => ({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const iam = new IAMClient(config({ accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey }));
  try {
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'bench-user' }));
    if (!User?.Arn || !User.UserId) throw new Error('CreateUser returned no user');
    await iam.send(new PutUserPolicyCommand({ UserName: 'bench-user', PolicyName: 'sts', PolicyDocument: policy({ Effect: 'Allow', Action: 'sts:*', Resource: '*' }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench-user' }));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
    const userKey = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    const trust = policy({ Effect: 'Allow', Principal: { AWS: User.Arn }, Action: 'sts:AssumeRole' });
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'bench-role', AssumeRolePolicyDocument: trust }));
    if (!Role?.Arn) throw new Error('CreateRole returned no role');
    await iam.send(new PutRolePolicyCommand({ RoleName: 'bench-role', PolicyName: 'read', PolicyDocument: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) }));

    const sessions: Key[] = [];
    const viaApi = operations.includes(`${STS_VERSION}:GetSessionToken`);
    if (viaApi) {
      const sts = new STSClient(config(userKey));
      try {
        for (let i = 0; i < SESSIONS; i++) {
          const { Credentials: c } = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
          if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('GetSessionToken returned no credentials');
          sessions.push({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
        }
      } finally {
        sts.destroy();
      }
    } else {
      for (let i = 0; i < SESSIONS; i++) {
        const { credentials: c } = issueCredentials(keyring, new Date(), 3600, {
          kind: 'session',
          acct: root.accountId,
          arn: User.Arn,
          uid: User.UserId,
          user: { id: User.UserId, name: 'bench-user', path: '/' },
          depth: 0,
          src: userKey.accessKeyId,
          srcAcct: root.accountId,
        });
        sessions.push({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken });
      }
    }
    return { accountId: root.accountId, userKey, roleArn: Role.Arn, sessions, sessionsFrom: viaApi ? 'GetSessionToken' : 'issueCredentials' };
  } finally {
    iam.destroy();
  }
}

/**
 * For AssumeRoleWithWebIdentity: the issuer registered as an IAM OpenID Connect provider (its
 * client id the only audience) and a role that trusts it for that audience.
 */
export async function setUpWebIdentity(url: string, root: NewAccount, issuer: string, clientId: string): Promise<{ roleArn: string }> {
  const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey }, maxAttempts: 1 });
  try {
    const { OpenIDConnectProviderArn: provider } = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: [clientId] }));
    if (!provider) throw new Error('CreateOpenIDConnectProvider returned no ARN');
    const hostPath = issuer.replace(/^https?:\/\//, '');
    const trust = policy({ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${hostPath}:aud`]: clientId } } });
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'bench-web-role', AssumeRolePolicyDocument: trust }));
    if (!Role?.Arn) throw new Error('CreateRole returned no role');
    await iam.send(new PutRolePolicyCommand({ RoleName: 'bench-web-role', PolicyName: 'read', PolicyDocument: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) }));
    return { roleArn: Role.Arn };
  } finally {
    iam.destroy();
  }
}

/**
 * For AssumeRoleWithSAML: the test IdP (test/fixtures/saml, key idp-a) registered as an IAM SAML
 * provider from its metadata, and a role that trusts it for the Recipient the service accepts by
 * default (AWS's sign-in URL, `SAML:aud`).
 */
export async function setUpSaml(url: string, root: NewAccount): Promise<{ roleArn: string; providerArn: string }> {
  const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey }, maxAttempts: 1 });
  try {
    const { SAMLProviderArn: providerArn } = await iam.send(new CreateSAMLProviderCommand({ Name: 'bench-idp', SAMLMetadataDocument: idpMetadata([testKey('idp-a').certificateBase64]) }));
    if (!providerArn) throw new Error('CreateSAMLProvider returned no ARN');
    const trust = policy({ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': RECIPIENT } } });
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'bench-saml-role', AssumeRolePolicyDocument: trust }));
    if (!Role?.Arn) throw new Error('CreateRole returned no role');
    await iam.send(new PutRolePolicyCommand({ RoleName: 'bench-saml-role', PolicyName: 'read', PolicyDocument: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) }));
    return { roleArn: Role.Arn, providerArn };
  } finally {
    iam.destroy();
  }
}

let samlCounter = 0;

/**
 * `size` base64 SAML responses signed by the test IdP (xml-crypto, RSA-SHA256, ~1.9 ms each on the
 * 2-core VM), each with its own assertion id and subject: an assertion is accepted once, so a load
 * run needs one per request, signed before the timed part (signing is the IdP's cost, not the
 * service's). Each is good for 5 minutes (Conditions NotOnOrAfter) plus the allowed skew.
 */
export function signedSamlResponses(size: number, target: { roleArn: string; providerArn: string }): string[] {
  const out: string[] = [];
  for (let i = 0; i < size; i++) {
    const n = ++samlCounter;
    const now = new Date();
    const xml = responseXml(assertionXml({ id: `_bench${n}`, nameId: `user-${n}`, roleSessionName: `bench-${n}`, roleValue: `${target.roleArn},${target.providerArn}`, now }), now);
    out.push(Buffer.from(signAssertion(xml, { key: 'idp-a' })).toString('base64'));
  }
  return out;
}

/** `params` as unsigned POSTs (AssumeRoleWithWebIdentity is never signed). */
export function unsignedPool(url: string, params: readonly (readonly Param[])[]): WireRequest[] {
  return params.map((p) => {
    const w = unsignedPost(url, formBody(p));
    return { method: w.method, path: w.target, headers: w.headers, body: typeof w.body === 'string' ? w.body : Buffer.from(w.body).toString('utf8') };
  });
}

export interface PoolEntry {
  readonly key: Key;
  readonly params: readonly Param[];
  /** Seconds before now: requests that are otherwise identical still get distinct signatures. */
  readonly secondsAgo?: number;
}

/** `size` requests, each signed for the service at `url` (POST, form body, Authorization header). */
export async function signPool(url: string, size: number, entry: (i: number) => PoolEntry): Promise<WireRequest[]> {
  const now = Date.now();
  const out: WireRequest[] = [];
  for (let i = 0; i < size; i++) {
    const { key, params, secondsAgo = 0 } = entry(i);
    const w = await signedPost(url, formBody(params), { key, service: 'sts', signingDate: new Date(now - secondsAgo * 1000) });
    out.push({ method: w.method, path: w.target, headers: w.headers, body: typeof w.body === 'string' ? w.body : Buffer.from(w.body).toString('utf8') });
  }
  return out;
}

export function toAutocannon(pool: readonly WireRequest[]): autocannon.Request[] {
  return pool.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body }));
}

/** Send one request of the pool and insist on a 200: a bench full of errors measures nothing. */
export async function preflight(url: string, req: WireRequest): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 30 s')), 30_000);
  });
  const reply = await Promise.race([send(url, { method: req.method, target: req.path, headers: req.headers, body: req.body }), timeout]).finally(() => clearTimeout(timer));
  if (reply.status !== 200) throw new Error(`HTTP ${reply.status} ${reply.code ?? ''}: ${reply.message ?? reply.body.slice(0, 200)}`);
}
