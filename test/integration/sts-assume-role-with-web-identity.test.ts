/**
 * AssumeRoleWithWebIdentity through @aws-sdk/client-sts (the SDK sends it unsigned) against a
 * real OpenID Connect provider (oidc-provider) and stand-in issuers on loopback over TLS, their
 * CA trusted through the configurable bundle (OIDC_CA_BUNDLE): real ID tokens, a
 * GitHub-Actions-shaped and a Kubernetes-shaped token, the stock SDK flow (fromTokenFile with
 * AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), and every attack issue 13 names, each refused
 * with AWS's code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { CreateRoleCommand, DeleteOpenIDConnectProviderCommand, GetUserCommand, type IAMClient, ListRolesCommand, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, type AssumeRoleWithWebIdentityCommandOutput, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTokenFile } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { queryAuditEvents } from '../../src/store/audit.js';
import { insertOidcProvider } from '../../src/store/oidc-providers.js';
import { b64json, makePki, nowSeconds, PUBLIC_HOSTS, signingKey, signToken, StandIns, startRealIdp, thumbprint, type RealIdp, type SigningKey, type StandInIssuer } from '../helpers/oidc.js';
import { refusal } from '../helpers/outcome.js';
import { credentialsOf, type TestService, useService } from '../helpers/service.js';

const pki = makePki();
/** The stand-ins' port: the "public" GitHub and EKS host names are routed to it, as a hosts file would. */
let routedPort = 0;
const FETCH_TIMEOUT_MS = 500;
const COOLDOWN_MS = 30_000;

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s), {
  oidc: {
    caBundle: pki.ca.cert,
    timeoutMs: FETCH_TIMEOUT_MS,
    refreshCooldownMs: COOLDOWN_MS,
    connectTo: (host) => (PUBLIC_HOSTS.includes(host) ? { host: '127.0.0.1', port: routedPort } : undefined),
  },
});

let idp: RealIdp;
let idpKey: SigningKey;
let standIns: StandIns;
/** Certificates the trust store does not validate: another CA's (with its CA sent along), self-signed. */
let untrusted: StandIns;
let selfSigned: StandIns;
let key: SigningKey;
let attacker: SigningKey;
const tmp = mkdtempSync(join(tmpdir(), 'latchkey-wi-'));

const GITHUB = 'https://token.actions.githubusercontent.com';
const EKS = 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

beforeAll(async () => {
  idpKey = await signingKey('idp-1');
  key = await signingKey('standin-1', 'ES256');
  attacker = await signingKey('standin-1');
  idp = await startRealIdp(pki.server, pki.ca.cert, idpKey);
  standIns = await StandIns.start(pki.server);
  routedPort = standIns.port;
  untrusted = await StandIns.start({ key: pki.otherServer.key, cert: `${pki.otherServer.cert}${pki.otherCa.cert}` });
  selfSigned = await StandIns.start(pki.selfSigned);
});

afterAll(async () => {
  await idp?.close();
  await standIns?.close();
  await untrusted?.close();
  await selfSigned?.close();
  pki.close();
  rmSync(tmp, { recursive: true, force: true });
});

const hostPath = (issuer: string): string => issuer.replace(/^https?:\/\//, '');
const providerArn = (issuer: string): string => `arn:aws:iam::${acct}:oidc-provider/${hostPath(issuer)}`;

async function registerProvider(issuer: string, clientIds: string[], thumbprints: string[] = []): Promise<string> {
  const arn = providerArn(issuer);
  await insertOidcProvider(svc.store.db, { arn, accountId: acct, url: hostPath(issuer), issuer, clientIds, thumbprints, createdAt: new Date() });
  return arn;
}

/** A stand-in issuer on localhost (its own path), registered as a provider. */
async function standInProvider(name: string, options: { mode?: StandInIssuer['mode']; keys?: SigningKey[]; on?: StandIns; thumbprints?: string[]; clientIds?: string[] } = {}): Promise<StandInIssuer> {
  const on = options.on ?? standIns;
  const issuer = on.add(`https://localhost:${on.port}/${name}`, options.keys ?? [key], options.mode);
  await registerProvider(issuer.issuer, options.clientIds ?? ['my-app'], options.thumbprints);
  return issuer;
}

async function trustingRole(name: string, provider: string, condition?: object, extra: { actions?: string[]; maxSessionDuration?: number } = {}): Promise<string> {
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: provider }, Action: extra.actions ?? ['sts:AssumeRoleWithWebIdentity'], ...(condition ? { Condition: condition } : {}) }],
  };
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: extra.maxSessionDuration }));
  if (!Role?.Arn) throw new Error('no role');
  return Role.Arn;
}

/** An unsigned client: the SDK signs nothing for AssumeRoleWithWebIdentity. */
function anonymous(): STSClient {
  return new STSClient({ endpoint: svc.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'UNUSED', secretAccessKey: 'UNUSED' } });
}

function assume(roleArn: string, token: string, more: { DurationSeconds?: number; Policy?: string } = {}): Promise<AssumeRoleWithWebIdentityCommandOutput> {
  return anonymous().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'web-session', WebIdentityToken: token, ...more }));
}

function claims(issuer: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { iss: issuer, sub: 'user-1', aud: 'my-app', iat: now, exp: now + 600, ...more };
}

const NO_KEY = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
const THUMBPRINT = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint";

describe('a real OpenID Connect provider (oidc-provider, TLS from the configured CA bundle)', () => {
  let arn: string;
  let roleArn: string;
  beforeAll(async () => {
    arn = await registerProvider(idp.issuer, [idp.clientId]);
    const prefix = hostPath(idp.issuer);
    roleArn = await trustingRole('idp-users', arn, { StringEquals: { [`${prefix}:aud`]: idp.clientId, [`${prefix}:sub`]: 'alice' } });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'idp-users',
        PolicyName: 'by-provider',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['iam:ListRoles', 'iam:ListUsers'], Resource: '*', Condition: { StringEquals: { 'aws:FederatedProvider': arn } } },
            // The provider's keys reach later calls: a policy on the session's subject.
            { Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*', Condition: { StringEquals: { [`${prefix}:sub`]: 'alice', [`${prefix}:aud`]: idp.clientId } } },
          ],
        }),
      }),
    );
  });

  test("a user's real ID token becomes a role session, with AWS's result fields", async () => {
    const token = await idp.signIn('alice');
    const out = await assume(roleArn, token);
    expect(out).toMatchObject({
      SubjectFromWebIdentityToken: 'alice',
      Provider: arn,
      Audience: idp.clientId,
      AssumedRoleUser: { Arn: `arn:aws:sts::${acct}:assumed-role/idp-users/web-session`, AssumedRoleId: expect.stringMatching(/^AROA[A-Z0-9]+:web-session$/) },
    });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.PackedPolicySize).toBeUndefined();
    const session = credentialsOf(out.Credentials);

    // GetCallerIdentity answers the assumed role; the session's context names its provider and subject.
    const me = await svc.sts(session).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/idp-users/web-session`);
    await expect(svc.iam(session).send(new ListRolesCommand({}))).resolves.toBeDefined();
    expect((await refusal(svc.iam(session).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    // Role-session credential rules.
    const gst = await refusal(svc.sts(session).send(new GetSessionTokenCommand({})));
    expect(gst).toMatchObject({ code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });

    // The issuance is in the role's account's trail, naming the provider and the subject.
    const events = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'sts:AssumeRoleWithWebIdentity', limit: 1 });
    expect(JSON.parse(String(events[0]?.details))).toMatchObject({ webIdentityProvider: arn, webIdentitySubject: 'alice', webIdentityAudience: idp.clientId, sessionType: 'role', request: { webIdentityToken: 'HIDDEN_DUE_TO_SECURITY_REASONS' } });
  });

  test("trust conditions on sub refuse another user's valid token", async () => {
    const token = await idp.signIn('bob');
    expect(await refusal(assume(roleArn, token))).toEqual({ code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', status: 403 });
  });

  test('DurationSeconds up to the role maximum, and no more', async () => {
    const token = await idp.signIn('alice');
    const out = await assume(roleArn, token, { DurationSeconds: 3600 });
    expect(out.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(await refusal(assume(roleArn, token, { DurationSeconds: 7200 }))).toMatchObject({ code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
  });

  test('a session policy narrows the session', async () => {
    const token = await idp.signIn('alice');
    const out = await assume(roleArn, token, { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }) });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect((await refusal(svc.iam(credentialsOf(out.Credentials)).send(new ListRolesCommand({})))).code).toBe('AccessDenied');
  });
});

describe('CI and Kubernetes tokens', () => {
  test('a GitHub-Actions-shaped token: GitHub claim keys in the trust policy', async () => {
    standIns.add(GITHUB, [key]);
    const arn = await registerProvider(GITHUB, ['sts.amazonaws.com']);
    const gh = 'token.actions.githubusercontent.com';
    const roleArn = await trustingRole('deploy', arn, {
      StringEquals: { [`${gh}:aud`]: 'sts.amazonaws.com', [`${gh}:repository`]: 'octo-org/octo-repo', [`${gh}:ref`]: 'refs/heads/main' },
      StringLike: { [`${gh}:sub`]: 'repo:octo-org/octo-repo:*' },
    });
    const ghClaims = (repo: string): Record<string, unknown> =>
      claims(GITHUB, {
        aud: 'sts.amazonaws.com',
        sub: `repo:${repo}:ref:refs/heads/main`,
        repository: repo,
        repository_id: '123456',
        repository_owner: repo.split('/')[0],
        ref: 'refs/heads/main',
        actor: 'octocat',
        actor_id: '583231',
        workflow: 'deploy',
        job_workflow_ref: `${repo}/.github/workflows/deploy.yml@refs/heads/main`,
        event_name: 'push',
        runner_environment: 'github-hosted',
        jti: 'a-unique-id',
      });
    const out = await assume(roleArn, await signToken(key, ghClaims('octo-org/octo-repo')));
    expect(out).toMatchObject({ SubjectFromWebIdentityToken: 'repo:octo-org/octo-repo:ref:refs/heads/main', Provider: arn, Audience: 'sts.amazonaws.com' });
    // Another repository's valid token is refused by the trust policy.
    expect(await refusal(assume(roleArn, await signToken(key, ghClaims('evil-org/octo-repo'))))).toMatchObject({ code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' });
  });

  test('a Kubernetes-shaped token with the stock SDK flow: fromTokenFile(), AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE', async () => {
    standIns.add(EKS, [key]);
    const arn = await registerProvider(EKS, ['sts.amazonaws.com']);
    const eks = hostPath(EKS);
    const roleArn = await trustingRole('pod-role', arn, { StringEquals: { [`${eks}:aud`]: 'sts.amazonaws.com', [`${eks}:sub`]: 'system:serviceaccount:default:my-sa' } });
    const token = await signToken(
      key,
      claims(EKS, {
        aud: ['sts.amazonaws.com'],
        sub: 'system:serviceaccount:default:my-sa',
        'kubernetes.io': { namespace: 'default', pod: { name: 'my-pod', uid: 'e2c5d1c8' }, serviceaccount: { name: 'my-sa', uid: 'b8f9c2a1' } },
        nbf: nowSeconds(),
      }),
    );
    const file = join(tmp, 'token');
    writeFileSync(file, token);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_SESSION_NAME: 'my-pod', AWS_ENDPOINT_URL_STS: svc.url, AWS_REGION: 'us-east-1' });
    try {
      const creds = await fromTokenFile()();
      expect(creds.accessKeyId).toMatch(/^ASIA/);
      const me = await svc.sts({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}) }).send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/pod-role/my-pod`);
    } finally {
      for (const k of ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_SESSION_NAME', 'AWS_ENDPOINT_URL_STS', 'AWS_REGION']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  test('the session tags claim becomes session tags, which need sts:TagSession', async () => {
    const issuer = await standInProvider('tags');
    const arn = providerArn(issuer.issuer);
    const tagged = await trustingRole('tagged', arn, undefined, { actions: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'] });
    const untagged = await trustingRole('untagged', arn);
    const token = await signToken(key, claims(issuer.issuer, { 'https://aws.amazon.com/tags': { principal_tags: { team: ['blue'], project: ['x'] }, transitive_tag_keys: ['team'] } }));
    const out = await assume(tagged, token);
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(await refusal(assume(untagged, token))).toMatchObject({ code: 'AccessDenied', message: 'Not authorized to perform sts:TagSession' });
  });
});

describe('attacks, each refused with AWS code', () => {
  let issuer: StandInIssuer;
  let other: StandInIssuer;
  let roleArn: string;
  beforeAll(async () => {
    issuer = await standInProvider('main');
    other = await standInProvider('other', { keys: [await signingKey('other-1')] });
    roleArn = await trustingRole('attacked', providerArn(issuer.issuer));
  });

  test('a valid token is accepted (the baseline every attack departs from)', async () => {
    await expect(assume(roleArn, await signToken(key, claims(issuer.issuer)))).resolves.toMatchObject({ SubjectFromWebIdentityToken: 'user-1' });
  });

  test('alg none', async () => {
    const token = `${b64json({ alg: 'none', typ: 'JWT' })}.${b64json(claims(issuer.issuer))}.`;
    expect(await refusal(assume(roleArn, token))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  test('HS256 signed with the public key', async () => {
    const input = `${b64json({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64json(claims(issuer.issuer))}`;
    const mac = createHmac('sha256', JSON.stringify(key.publicJwk)).update(input).digest('base64url');
    expect(await refusal(assume(roleArn, `${input}.${mac}`))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('PS256 and EdDSA are not on AWS list either', async () => {
    const input = `${b64json({ alg: 'PS256', kid: key.kid })}.${b64json(claims(issuer.issuer))}`;
    expect(await refusal(assume(roleArn, `${input}.AAAA`))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('unknown kid: refreshed once, then refused; refreshes are rate-bounded', async () => {
    const before = issuer.fetches;
    const stranger = await signingKey('unknown-kid');
    expect(await refusal(assume(roleArn, await signToken(stranger, claims(issuer.issuer))))).toMatchObject({ code: 'InvalidIdentityToken', message: NO_KEY });
    expect(await refusal(assume(roleArn, await signToken(stranger, claims(issuer.issuer))))).toMatchObject({ code: 'InvalidIdentityToken', message: NO_KEY });
    // Within the cooldown, made-up kids cost at most one refetch.
    expect(issuer.fetches - before).toBeLessThanOrEqual(1);
  });

  test('a rotated key is picked up on its first unknown kid once the cooldown has passed', async () => {
    const rotated = await signingKey('rotated-2');
    issuer.keys = [key, rotated];
    svc.clockOffset += COOLDOWN_MS + 1000;
    try {
      await expect(assume(roleArn, await signToken(rotated, claims(issuer.issuer, { iat: nowSeconds() + COOLDOWN_MS / 1000 })))).resolves.toBeDefined();
    } finally {
      svc.clockOffset -= COOLDOWN_MS + 1000;
    }
  });

  test('a same-kid key of an attacker (signature does not verify)', async () => {
    expect(await refusal(assume(roleArn, await signToken({ ...attacker, kid: key.kid, alg: 'RS256' }, claims(issuer.issuer))))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('jku and x5u headers pointing elsewhere are refused, never followed', async () => {
    const evil = standIns.add(`https://localhost:${standIns.port}/evil`, [attacker]);
    for (const h of ['jku', 'x5u']) {
      const token = await signToken(attacker, claims(issuer.issuer), { [h]: `${evil.issuer}/keys` });
      expect(await refusal(assume(roleArn, token))).toMatchObject({ code: 'InvalidIdentityToken' });
    }
    const embedded = await signToken(attacker, claims(issuer.issuer), { jwk: attacker.publicJwk });
    expect(await refusal(assume(roleArn, embedded))).toMatchObject({ code: 'InvalidIdentityToken' });
    expect(evil.fetches).toBe(0);
  });

  test('wrong iss: no provider for it', async () => {
    const iss = `https://localhost:${standIns.port}/unregistered`;
    expect(await refusal(assume(roleArn, await signToken(key, claims(iss))))).toMatchObject({ code: 'InvalidIdentityToken', message: `No OpenIDConnect provider found in your account for ${iss}` });
    // A trailing slash is another issuer.
    expect(await refusal(assume(roleArn, await signToken(key, claims(`${issuer.issuer}/`))))).toMatchObject({ code: 'InvalidIdentityToken', message: `No OpenIDConnect provider found in your account for ${issuer.issuer}/` });
  });

  test("iss of another registered provider, signed with this provider's key", async () => {
    expect(await refusal(assume(roleArn, await signToken(key, claims(other.issuer))))).toMatchObject({ code: 'InvalidIdentityToken', message: NO_KEY });
  });

  test('wrong aud', async () => {
    expect(await refusal(assume(roleArn, await signToken(key, claims(issuer.issuer, { aud: 'someone-else' }))))).toMatchObject({ code: 'InvalidIdentityToken', message: 'Incorrect token audience' });
    // azp in the client list is enough
    await expect(assume(roleArn, await signToken(key, claims(issuer.issuer, { aud: ['a', 'b'], azp: 'my-app' })))).resolves.toMatchObject({ Audience: 'my-app' });
  });

  test('expired', async () => {
    const exp = nowSeconds() - 3600;
    const r = await refusal(assume(roleArn, await signToken(key, claims(issuer.issuer, { iat: exp - 600, exp }))));
    expect(r.code).toBe('ExpiredTokenException');
    expect(r.message).toMatch(new RegExp(`^Token expired: current date/time \\d+ must be before the expiration date/time ${exp}$`));
  });

  test('not yet valid', async () => {
    expect(await refusal(assume(roleArn, await signToken(key, claims(issuer.issuer, { nbf: nowSeconds() + 3600 }))))).toMatchObject({ code: 'InvalidIdentityToken' });
    expect(await refusal(assume(roleArn, await signToken(key, claims(issuer.issuer, { iat: nowSeconds() + 3600 }))))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('non-integer timestamps', async () => {
    for (const bad of [{ exp: nowSeconds() + 600.5 }, { iat: nowSeconds() + 0.25 }, { nbf: nowSeconds() - 0.5 }, { exp: String(nowSeconds() + 600) }]) {
      expect(await refusal(assume(roleArn, await signToken(key, claims(issuer.issuer, bad))))).toMatchObject({ code: 'InvalidIdentityToken' });
    }
  });

  test('a token for a deleted provider', async () => {
    const gone = await standInProvider('deleted');
    const role = await trustingRole('deleted-provider-role', providerArn(gone.issuer));
    const token = await signToken(key, claims(gone.issuer));
    await expect(assume(role, token)).resolves.toBeDefined();
    const cached = `${acct}\n${gone.issuer}`;
    expect(svc.service.caches.oidcProviders.get(cached)?.arn).toBe(providerArn(gone.issuer)); // read once, then from memory
    // Deleted through IAM, as a user would: every node drops the account's cached providers.
    await svc.iam().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn(gone.issuer) }));
    expect(svc.service.caches.oidcProviders.get(cached)).toBeUndefined();
    expect(await refusal(assume(role, token))).toMatchObject({ code: 'InvalidIdentityToken', message: `No OpenIDConnect provider found in your account for ${gone.issuer}` });
  });

  test('an oversized token', async () => {
    const token = await signToken(key, claims(issuer.issuer, { padding: 'x'.repeat(20_000) }));
    expect(await refusal(assume(roleArn, token))).toMatchObject({ code: 'ValidationError' });
  });

  test('a key set endpoint that hangs: IDPCommunicationError within the bounded time', async () => {
    const hang = await standInProvider('hang', { mode: 'hang' });
    const role = await trustingRole('hang-role', providerArn(hang.issuer));
    const started = Date.now();
    expect(await refusal(assume(role, await signToken(key, claims(hang.issuer))))).toMatchObject({ code: 'IDPCommunicationError', status: 400 });
    expect(Date.now() - started).toBeLessThan(FETCH_TIMEOUT_MS + 1500);
  });

  test('a huge key set', async () => {
    const huge = await standInProvider('huge', { mode: 'huge' });
    const role = await trustingRole('huge-role', providerArn(huge.issuer));
    expect(await refusal(assume(role, await signToken(key, claims(huge.issuer))))).toMatchObject({ code: 'InvalidIdentityToken', message: NO_KEY });
  });

  test('a key set that is garbage', async () => {
    const garbage = await standInProvider('garbage', { mode: 'garbage' });
    const role = await trustingRole('garbage-role', providerArn(garbage.issuer));
    expect(await refusal(assume(role, await signToken(key, claims(garbage.issuer))))).toMatchObject({ code: 'InvalidIdentityToken', message: NO_KEY });
  });

  test('an unreachable provider: IDPCommunicationError', async () => {
    const iss = 'https://localhost:1/nobody';
    await registerProvider(iss, ['my-app']);
    const role = await trustingRole('unreachable-role', providerArn(iss));
    expect(await refusal(assume(role, await signToken(key, claims(iss))))).toMatchObject({ code: 'IDPCommunicationError' });
  });
});

describe('TLS: the trust store first, thumbprints only when the chain does not validate', () => {
  test('a certificate that neither validates nor matches a thumbprint', async () => {
    const p = await standInProvider('no-pin', { on: selfSigned, thumbprints: ['0'.repeat(40)] });
    const role = await trustingRole('no-pin-role', providerArn(p.issuer));
    expect(await refusal(assume(role, await signToken(key, claims(p.issuer))))).toMatchObject({ code: 'InvalidIdentityToken', message: THUMBPRINT });
  });

  test('a certificate that does not validate but matches a thumbprint is accepted', async () => {
    const p = await standInProvider('pinned', { on: selfSigned, thumbprints: [thumbprint(pki.selfSigned.cert).toUpperCase()] });
    const role = await trustingRole('pinned-role', providerArn(p.issuer));
    await expect(assume(role, await signToken(key, claims(p.issuer)))).resolves.toBeDefined();
  });

  test("a pinned CA accepted for the leaf it signed, not for a leaf it did not sign that merely sends it along", async () => {
    const ok = await standInProvider('pinned-ca', { on: untrusted, thumbprints: [thumbprint(pki.otherCa.cert)] });
    const okRole = await trustingRole('pinned-ca-role', providerArn(ok.issuer));
    await expect(assume(okRole, await signToken(key, claims(ok.issuer)))).resolves.toBeDefined();

    const rogue = await StandIns.start({ key: pki.selfSigned.key, cert: `${pki.selfSigned.cert}${pki.otherCa.cert}` });
    try {
      const p = await standInProvider('rogue', { on: rogue, thumbprints: [thumbprint(pki.otherCa.cert)] });
      const role = await trustingRole('rogue-role', providerArn(p.issuer));
      expect(await refusal(assume(role, await signToken(key, claims(p.issuer))))).toMatchObject({ code: 'InvalidIdentityToken', message: THUMBPRINT });
    } finally {
      await rogue.close();
    }
  });

  test("a thumbprint is not needed when the chain validates against the bundle (and a wrong one does not matter)", async () => {
    const p = await standInProvider('validates', { thumbprints: ['f'.repeat(40)] });
    const role = await trustingRole('validates-role', providerArn(p.issuer));
    await expect(assume(role, await signToken(key, claims(p.issuer)))).resolves.toBeDefined();
  });
});

test('GetUser is refused for a web identity session (no IAM user behind it)', async () => {
  const p = await standInProvider('getuser');
  const role = await trustingRole('getuser-role', providerArn(p.issuer));
  const out = await assume(role, await signToken(key, claims(p.issuer)));
  expect((await refusal(svc.iam(credentialsOf(out.Credentials)).send(new GetUserCommand({})))).code).toBe('AccessDenied');
});
