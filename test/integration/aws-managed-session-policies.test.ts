/**
 * AWS managed policies as session policies, of any size, as on AWS: `aws sts assume-role
 * --policy-arns arn=arn:aws:iam::aws:policy/ReadOnlyAccess` works there because AWS packs the
 * ARNs, not the documents. The session token names the policy by ARN, PackedPolicySize counts the
 * ARN, and every node resolves it from the policies it holds in memory; a reference it cannot
 * resolve denies the session. Tokens issued before references (text only) open and evaluate as
 * they did.
 */
import { CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, GetUserCommand, type IAMClient, ListRolesCommand, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type AssumeRoleCommandInput, GetCallerIdentityCommand, GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { sessionCaller } from '../../src/auth/authenticate.js';
import { authorize } from '../../src/auth/authorize.js';
import { loadAwsManagedPolicies } from '../../src/store/policies/aws-managed.js';
import { openSessionToken, sealSessionToken, type SessionClaims } from '../../src/tokens/session-token.js';
import { allow, type Credentials, credentialsOf, type TestService, useService } from '../helpers/service.js';
import { failure as errorOf } from '../helpers/outcome.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const AWS = 'arn:aws:iam::aws:policy';
const READ_ONLY = `${AWS}/ReadOnlyAccess`;
const IAM_READ_ONLY = `${AWS}/IAMReadOnlyAccess`;

function claimsOf(c: Credentials): SessionClaims {
  const claims = openSessionToken(svc.keyring, c.sessionToken ?? '');
  if (!claims) throw new Error('the session token does not open');
  return claims;
}

/** The same session sealed with other claims (a new jti, so no node has its policies cached). */
function resealed(c: Credentials, change: Partial<SessionClaims>): Credentials {
  const claims: SessionClaims = { ...claimsOf(c), jti: randomUUID(), ...change };
  return { ...c, sessionToken: sealSessionToken(svc.keyring, claims) };
}

const created = new Set<string>();

/** A role of the test account whose permissions allow everything, assumable by the account. */
async function openRole(name: string): Promise<string> {
  if (!created.has(name)) {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'all', PolicyDocument: JSON.stringify(allow('*')) }));
    created.add(name);
  }
  return `arn:aws:iam::${acct}:role/${name}`;
}

let assumer: Credentials | undefined;
async function assume(input: Omit<AssumeRoleCommandInput, 'RoleSessionName'> & { RoleSessionName?: string }, who?: Credentials) {
  assumer ??= await svc.userWithPolicy('assumer', allow('*'));
  return svc.sts(who ?? assumer).send(new AssumeRoleCommand({ RoleSessionName: 'session', ...input }));
}

function sessionArn(role: string, session = 'session'): string {
  return `arn:aws:sts::${acct}:assumed-role/${role}/${session}`;
}

/** What AWS answers for an action no session policy allows. */
function noSessionPolicy(caller: string, action: string, resource: string): string {
  return `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} because no session policy allows the ${action} action`;
}

/** A role session holding ReadOnlyAccess may read IAM and may not write it. */
async function expectReadOnly(session: IAMClient, caller: string, roleName: string): Promise<void> {
  expect((await session.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain('assumer');
  await session.send(new GetUserCommand({ UserName: 'assumer' }));
  expect((await session.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toContain(roleName);
  await session.send(new GetRoleCommand({ RoleName: roleName }));
  const denied = await errorOf(session.send(new CreateUserCommand({ UserName: 'never' })));
  expect(denied).toEqual({ name: 'AccessDenied', status: 403, message: noSessionPolicy(caller, 'iam:CreateUser', `arn:aws:iam::${acct}:user/never`) });
}

describe('AssumeRole with an AWS managed policy in PolicyArns', () => {
  test('ReadOnlyAccess (about 74,000 characters): the session may Get and List but not CreateUser; the token names the ARN; PackedPolicySize is small', async () => {
    const document = (await loadAwsManagedPolicies()).find((p) => p.name === 'ReadOnlyAccess')?.document ?? '';
    expect(document.length).toBeGreaterThan(70_000);
    const out = await assume({ RoleArn: await openRole('ro-target'), PolicyArns: [{ arn: READ_ONLY }] });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(5);
    const c = credentialsOf(out.Credentials);
    expect(claimsOf(c).pol).toEqual([READ_ONLY]);
    await expectReadOnly(svc.iam(c), sessionArn('ro-target'), 'ro-target');
  });

  test.each([`${AWS}/job-function/ViewOnlyAccess`, `${AWS}/SecurityAudit`, `${AWS}/AdministratorAccess`])('%s is a session policy too, packed as its ARN', async (arn) => {
    const out = await assume({ RoleArn: await openRole('ro-target'), PolicyArns: [{ arn }] });
    expect(out.PackedPolicySize).toBeLessThanOrEqual(5);
    expect(claimsOf(credentialsOf(out.Credentials)).pol).toEqual([arn]);
  });

  test('beside an inline Policy: both are session policies (either may allow), and both are packed small', async () => {
    const inline = JSON.stringify(allow('iam:CreateUser', `arn:aws:iam::${acct}:user/made-by-session-*`));
    const out = await assume({ RoleArn: await openRole('ro-target'), Policy: inline, PolicyArns: [{ arn: READ_ONLY }] });
    expect(out.PackedPolicySize).toBeLessThanOrEqual(10);
    const c = credentialsOf(out.Credentials);
    expect(claimsOf(c).pol).toEqual([inline, READ_ONLY]);
    const session = svc.iam(c);
    await session.send(new CreateUserCommand({ UserName: 'made-by-session-1' }));
    expect((await session.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain('made-by-session-1');
    expect(await errorOf(session.send(new CreateUserCommand({ UserName: 'other' })))).toMatchObject({
      name: 'AccessDenied',
      message: noSessionPolicy(sessionArn('ro-target'), 'iam:CreateUser', `arn:aws:iam::${acct}:user/other`),
    });
  });

  test('in a role chain: a role session assumes another role with ReadOnlyAccess', async () => {
    const first = credentialsOf((await assume({ RoleArn: await openRole('chain-start'), RoleSessionName: 'first' })).Credentials);
    const out = await assume({ RoleArn: await openRole('chain-next'), RoleSessionName: 'second', PolicyArns: [{ arn: READ_ONLY }] }, first);
    const c = credentialsOf(out.Credentials);
    expect(claimsOf(c)).toMatchObject({ depth: 1, pol: [READ_ONLY] });
    await expect(svc.sts(c).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: sessionArn('chain-next', 'second') });
    await expectReadOnly(svc.iam(c), sessionArn('chain-next', 'second'), 'chain-next');
  });

  test('an inline Policy that is an ARN is a malformed document, not a reference', async () => {
    expect(await errorOf(assume({ RoleArn: await openRole('ro-target'), Policy: `${AWS}/AdministratorAccess` }))).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
  });

  test('a customer managed policy is still sealed as its text', async () => {
    const document = JSON.stringify(allow('iam:ListUsers'));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'session-list', PolicyDocument: document }));
    const out = await assume({ RoleArn: await openRole('ro-target'), PolicyArns: [{ arn: Policy?.Arn ?? '' }, { arn: IAM_READ_ONLY }] });
    expect(claimsOf(credentialsOf(out.Credentials)).pol).toEqual([document, IAM_READ_ONLY]);
  });
});

describe('GetFederationToken with an AWS managed policy in PolicyArns', () => {
  test('ReadOnlyAccess: the federated user may read IAM and may not CreateUser; PackedPolicySize is small', async () => {
    const user = await svc.userWithPolicy('federator', allow('*'));
    const out = await svc.sts(user).send(new GetFederationTokenCommand({ Name: 'reader', PolicyArns: [{ arn: READ_ONLY }] }));
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(5);
    const c = credentialsOf(out.Credentials);
    expect(claimsOf(c).pol).toEqual([READ_ONLY]);
    // A federated session calls no IAM action over HTTP (credential-type rules): decide it as the
    // pipeline does, with the service's own dependencies.
    const { registry, caches } = svc.service;
    const authz = { db: svc.store.db, policyCache: registry.policyCache, awsManagedPolicies: registry.awsManagedPolicies, principals: caches.principals, keyring: svc.keyring, failureMessages: 'plain' as const };
    const decide = async (action: string, resource: string) => {
      try {
        await authorize(authz, sessionCaller(claimsOf(c)), { action, resource, sourceIp: '127.0.0.1', secureTransport: false, now: new Date() });
        return 'Allow';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const fed = `arn:aws:sts::${acct}:federated-user/reader`;
    expect(await decide('iam:ListUsers', '*')).toBe('Allow');
    expect(await decide('iam:GetUser', `arn:aws:iam::${acct}:user/federator`)).toBe('Allow');
    expect(await decide('iam:CreateUser', `arn:aws:iam::${acct}:user/x`)).toBe(noSessionPolicy(fed, 'iam:CreateUser', `arn:aws:iam::${acct}:user/x`));
  });
});

describe('tokens', () => {
  test('a reference this node cannot resolve (issued by a newer release) denies the session', async () => {
    const c = credentialsOf((await assume({ RoleArn: await openRole('ro-target'), PolicyArns: [{ arn: READ_ONLY }] })).Credentials);
    const future = resealed(c, { pol: [`${AWS}/AmazonQuantumTeleportFullAccess`] });
    const denied = await errorOf(svc.iam(future).send(new ListUsersCommand({})));
    expect(denied).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: `User: ${sessionArn('ro-target')} is not authorized to perform: iam:ListUsers on resource: * with an explicit deny in a session policy`,
    });
  });

  test('a token issued before references (the document as text) still opens and evaluates the same', async () => {
    const c = credentialsOf((await assume({ RoleArn: await openRole('ro-target'), PolicyArns: [{ arn: IAM_READ_ONLY }] })).Credentials);
    const text = (await loadAwsManagedPolicies()).find((p) => p.name === 'IAMReadOnlyAccess')?.document;
    if (text === undefined) throw new Error('IAMReadOnlyAccess is not shipped');
    const old = resealed(c, { pol: [text] });
    expect(claimsOf(old).pol).toEqual([text]);
    await expectReadOnly(svc.iam(old), sessionArn('ro-target'), 'ro-target');
  });
});
