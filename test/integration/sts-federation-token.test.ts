/**
 * GetFederationToken through @aws-sdk/client-sts: who may call it and on which federated-user
 * ARN, Name and DurationSeconds (with the root cap), session policies (inline and PolicyArns, no
 * policy means no permissions), tags, the result's ARN and id, and what federated credentials may
 * call. A federated session can call nothing in IAM and nothing in STS but GetCallerIdentity, so
 * its permissions are checked through the authorization layer the HTTP pipeline uses
 * (src/auth/authorize.ts), with the caller its token describes.
 */
import { CreatePolicyCommand, GetUserCommand, type IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  type GetFederationTokenCommandInput,
  type GetFederationTokenCommandOutput,
  GetSessionTokenCommand,
} from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { AccountCache } from '../../src/auth/account-cache.js';
import { sessionCaller } from '../../src/auth/authenticate.js';
import { authorize, type CompiledPrincipal } from '../../src/auth/authorize.js';
import { PolicyCache } from '../../src/policy/index.js';
import { openSessionToken, type SessionClaims } from '../../src/tokens/session-token.js';
import { allow, type Credentials, credentialsOf, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const MAY_FEDERATE = allow(['sts:GetFederationToken', 'iam:ListUsers', 'iam:GetUser']);

function federate(who: Credentials, input: GetFederationTokenCommandInput): Promise<GetFederationTokenCommandOutput> {
  return svc.sts(who).send(new GetFederationTokenCommand(input));
}

function claimsOf(c: Credentials): SessionClaims {
  const claims = openSessionToken(svc.keyring, c.sessionToken ?? '');
  if (!claims) throw new Error('the session token does not open');
  return claims;
}

function lifetimeOf(c: Credentials): number {
  const claims = claimsOf(c);
  return claims.exp - claims.iat;
}

/** Whether the federated session may perform `action` on `resource`, as the pipeline decides it. */
async function decide(c: Credentials, action: string, resource = '*'): Promise<'Allow' | string> {
  const deps = { db: svc.store.db, policyCache: new PolicyCache(), principals: new AccountCache<CompiledPrincipal>(), keyring: svc.keyring, failureMessages: 'plain' as const };
  try {
    await authorize(deps, sessionCaller(claimsOf(c)), { action, resource, sourceIp: '127.0.0.1', secureTransport: false, now: new Date() });
    return 'Allow';
  } catch (err) {
    return (err as Error).message;
  }
}

function fedArn(name: string): string {
  return `arn:aws:sts::${acct}:federated-user/${name}`;
}

describe('GetFederationToken', () => {
  test('returns the federated user and credentials whose permissions are the user’s intersected with the session policy', async () => {
    const user = await svc.userWithPolicy('fed-parent', MAY_FEDERATE);
    const out = await federate(user, { Name: 'bob', Policy: JSON.stringify(allow('iam:ListUsers')) });
    expect(out.FederatedUser).toEqual({ Arn: fedArn('bob'), FederatedUserId: `${acct}:bob` });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(10);
    const c = credentialsOf(out.Credentials);
    expect(c.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(lifetimeOf(c)).toBe(43_200);
    expect(claimsOf(c)).toMatchObject({ kind: 'federated', acct, arn: fedArn('bob'), uid: `${acct}:bob`, name: 'bob', user: { name: 'fed-parent', path: '/' }, src: user.accessKeyId, depth: 0 });

    await expect(svc.sts(c).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: acct, Arn: fedArn('bob'), UserId: `${acct}:bob` });
    expect(await decide(c, 'iam:ListUsers')).toBe('Allow');
    // The session policy does not allow it (though the user's policy does).
    expect(await decide(c, 'iam:GetUser', `arn:aws:iam::${acct}:user/fed-parent`)).toEqual(`User: ${fedArn('bob')} is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${acct}:user/fed-parent because no session policy allows the iam:GetUser action`);
    // The user's policy does not allow it (though the session policy would).
    const wide = credentialsOf((await federate(user, { Name: 'wide', Policy: JSON.stringify(allow('iam:*')) })).Credentials);
    expect(await decide(wide, 'iam:ListRoles')).toEqual(`User: ${fedArn('wide')} is not authorized to perform: iam:ListRoles on resource: * because no identity-based policy allows the iam:ListRoles action`);
  });

  test('with no session policy the federated user has no permissions, but GetCallerIdentity works', async () => {
    const user = await svc.userWithPolicy('fed-bare', MAY_FEDERATE);
    const out = await federate(user, { Name: 'nobody' });
    // AWS answers 0 when nothing is packed.
    expect(out.PackedPolicySize).toBe(0);
    const c = credentialsOf(out.Credentials);
    expect(claimsOf(c).pol).toBeUndefined();
    expect(await decide(c, 'iam:ListUsers')).toEqual(`User: ${fedArn('nobody')} is not authorized to perform: iam:ListUsers on resource: * because no session policy allows the iam:ListUsers action`);
    await expect(svc.sts(c).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: fedArn('nobody') });
  });

  test('federated credentials cannot call IAM, nor GetFederationToken, GetSessionToken or AssumeRole', async () => {
    const user = await svc.userWithPolicy('fed-limits', MAY_FEDERATE);
    const c = credentialsOf((await federate(user, { Name: 'limited', Policy: JSON.stringify(allow('*')) })).Credentials);
    await expect(svc.iam(c).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(svc.iam(c).send(new GetUserCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(federate(c, { Name: 'again' })).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(svc.sts(c).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(svc.sts(c).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/Any`, RoleSessionName: 'nope' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('GetSessionToken credentials cannot call it either', async () => {
    const user = await svc.userWithPolicy('fed-gst', MAY_FEDERATE);
    const { Credentials } = await svc.sts(user).send(new GetSessionTokenCommand({}));
    await expect(federate(credentialsOf(Credentials), { Name: 'viasession' })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('authorization', () => {
  test('the caller’s policy must allow sts:GetFederationToken on the federated-user ARN', async () => {
    const none = await svc.userWithPolicy('fed-none');
    await expect(federate(none, { Name: 'bob' })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/fed-none is not authorized to perform: sts:GetFederationToken on resource: ${fedArn('bob')} because no identity-based policy allows the sts:GetFederationToken action`,
    });
    const onlyBob = await svc.userWithPolicy('fed-only-bob', allow('sts:GetFederationToken', fedArn('bob')));
    await expect(federate(onlyBob, { Name: 'bob' })).resolves.toMatchObject({ FederatedUser: { Arn: fedArn('bob') } });
    await expect(federate(onlyBob, { Name: 'alice' })).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('root may always, and its sessions are capped at one hour', async () => {
    const out = await federate(svc.root, { Name: 'rootfed', Policy: JSON.stringify(allow('iam:ListUsers')) });
    const c = credentialsOf(out.Credentials);
    expect(lifetimeOf(c)).toBe(3600);
    expect(claimsOf(c).user).toBeUndefined();
    expect(lifetimeOf(credentialsOf((await federate(svc.root, { Name: 'rootlong', DurationSeconds: 129_600 })).Credentials))).toBe(3600);
    expect(lifetimeOf(credentialsOf((await federate(svc.root, { Name: 'rootshort', DurationSeconds: 900 })).Credentials))).toBe(900);
    expect(await decide(c, 'iam:ListUsers')).toBe('Allow');
    expect(await decide(c, 'iam:ListRoles')).toBe(`User: ${fedArn('rootfed')} is not authorized to perform: iam:ListRoles on resource: * because no session policy allows the iam:ListRoles action`);
  });

  test('Tags need sts:TagSession too', async () => {
    const without = await svc.userWithPolicy('fed-no-tag', MAY_FEDERATE);
    await expect(federate(without, { Name: 'tagged', Tags: [{ Key: 'team', Value: 'blue' }] })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/fed-no-tag is not authorized to perform: sts:TagSession on resource: ${fedArn('tagged')} because no identity-based policy allows the sts:TagSession action`,
    });
    const withTag = await svc.userWithPolicy('fed-tag', allow(['sts:GetFederationToken', 'sts:TagSession']));
    const out = await federate(withTag, { Name: 'tagged', Tags: [{ Key: 'team', Value: 'blue' }] });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(claimsOf(credentialsOf(out.Credentials)).tags).toEqual([{ key: 'team', value: 'blue' }]);
    await expect(federate(withTag, { Name: 'dup', Tags: [{ Key: 'team', Value: 'a' }, { Key: 'Team', Value: 'b' }] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
  });
});

describe('parameters', () => {
  test.each([
    ['x', 'Member must have length greater than or equal to 2'],
    ['n'.repeat(33), 'Member must have length less than or equal to 32'],
    ['bad name', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'],
  ])('Name %s is refused by the model', async (name, constraint) => {
    const user = await svc.userWithPolicy(`fed-name-${name.length}-${name.includes(' ') ? 's' : 'n'}`, MAY_FEDERATE);
    await expect(federate(user, { Name: name })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: ${constraint}`,
    });
  });

  test('DurationSeconds 900..129600, default 43200', async () => {
    const user = await svc.userWithPolicy('fed-duration', MAY_FEDERATE);
    expect(lifetimeOf(credentialsOf((await federate(user, { Name: 'short', DurationSeconds: 900 })).Credentials))).toBe(900);
    expect(lifetimeOf(credentialsOf((await federate(user, { Name: 'long', DurationSeconds: 129_600 })).Credentials))).toBe(129_600);
    await expect(federate(user, { Name: 'toolong', DurationSeconds: 129_601 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    });
  });

  test('Policy: at most 2,048 characters, and a valid session policy', async () => {
    const user = await svc.userWithPolicy('fed-policy', MAY_FEDERATE);
    const tooLong = JSON.stringify(allow('iam:ListUsers')).slice(0, -1) + ' '.repeat(2048) + '}';
    await expect(federate(user, { Name: 'long', Policy: tooLong })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048$/),
    });
    await expect(federate(user, { Name: 'bad', Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]}' })).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
  });

  test('PolicyArns: managed policies of the caller’s account', async () => {
    const user = await svc.userWithPolicy('fed-arns', MAY_FEDERATE);
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'FedListUsers', PolicyDocument: JSON.stringify(allow('iam:ListUsers')) }));
    const out = await federate(user, { Name: 'managed', PolicyArns: [{ arn: Policy?.Arn ?? '' }] });
    const c = credentialsOf(out.Credentials);
    expect(await decide(c, 'iam:ListUsers')).toBe('Allow');
    expect(await decide(c, 'iam:GetUser', `arn:aws:iam::${acct}:user/fed-arns`)).toBe(
      `User: ${fedArn('managed')} is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${acct}:user/fed-arns because no session policy allows the iam:GetUser action`,
    );
    const missing = `arn:aws:iam::${acct}:policy/Missing`;
    await expect(federate(user, { Name: 'missing', PolicyArns: [{ arn: missing }] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: `Policy ${missing} does not exist or is not attachable.`,
    });
  });
});
