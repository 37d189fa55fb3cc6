/**
 * AssumeRole through @aws-sdk/client-sts: trust policy and caller policy (same account and
 * cross-account), ExternalId, durations and the role-chaining cap, RoleSessionName, session
 * policies (inline and PolicyArns, the 2,048-character plaintext and the packed size), session
 * tags and their transitive rules, SourceIdentity, MFA failing closed for an unknown serial, and what the resulting
 * credentials may then do.
 */
import { randomBytes } from 'node:crypto';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  type IAMClient,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  type AssumeRoleCommandOutput,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
} from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { MFA_UNKNOWN_SERIAL } from '../../src/sts/mfa.js';
import { openSessionToken, type SessionClaims } from '../../src/tokens/session-token.js';
import { allow, type Credentials, credentialsOf, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

type Statement = Record<string, unknown>;

function trust(...statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** A trust statement allowing `principal` (an AWS principal ARN or account id) the given actions. */
function trusts(principal: string | string[], actions: string | string[] = 'sts:AssumeRole', condition?: object): Statement {
  return { Effect: 'Allow', Principal: { AWS: principal }, Action: actions, ...(condition ? { Condition: condition } : {}) };
}

interface RoleOptions {
  readonly policy?: object;
  readonly tags?: { Key: string; Value: string }[];
  readonly maxSessionDuration?: number;
  readonly path?: string;
  readonly account?: NewAccount;
}

/** Create a role (with an inline policy when given); returns its ARN. */
async function createRole(name: string, trustPolicy: string, options: RoleOptions = {}): Promise<string> {
  const admin = options.account ? svc.iam(rootCredentials(options.account)) : iam;
  const { Role } = await admin.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: trustPolicy,
      ...(options.path ? { Path: options.path } : {}),
      ...(options.maxSessionDuration ? { MaxSessionDuration: options.maxSessionDuration } : {}),
      ...(options.tags ? { Tags: options.tags } : {}),
    }),
  );
  if (options.policy) await admin.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'perms', PolicyDocument: JSON.stringify(options.policy) }));
  if (!Role?.Arn) throw new Error('CreateRole returned no ARN');
  return Role.Arn;
}

function userArn(name: string, account = acct): string {
  return `arn:aws:iam::${account}:user/${name}`;
}

function assume(who: Credentials, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }): Promise<AssumeRoleCommandOutput> {
  return svc.sts(who).send(new AssumeRoleCommand({ RoleSessionName: 'session', ...input }));
}

async function assumed(who: Credentials, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }): Promise<Credentials> {
  return credentialsOf((await assume(who, input)).Credentials);
}

function claimsOf(c: Credentials): SessionClaims {
  const claims = openSessionToken(svc.keyring, c.sessionToken ?? '');
  if (!claims) throw new Error('the session token does not open');
  return claims;
}

/** AccessDenied for an IAM call's policy decision, exactly as AWS words it, with its reason. */
function denied(callerArn: string, action: string, resource: string, reason: string): { name: string; message: string } {
  return { name: 'AccessDenied', message: `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} because no ${reason} allows the ${action} action` };
}

/**
 * AccessDenied for assuming a role (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity), exactly
 * as AWS's STS words it: no reason, whether the trust policy or the caller's own policies refused,
 * and the same for a role that does not exist.
 */
function refused(callerArn: string, action: string, roleArn: string): { name: string; message: string } {
  return { name: 'AccessDenied', message: `User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}` };
}

/** A string of `n` random hexadecimal digits: text that compresses badly. */
function noise(n: number): string {
  return randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
}

const ALLOW_ASSUME_ANY = allow('sts:AssumeRole', '*');

describe('who may assume a role', () => {
  test('same account: a trust policy naming the user suffices, with no identity policy', async () => {
    const user = await svc.userWithPolicy('direct');
    const roleArn = await createRole('Direct', trust(trusts(userArn('direct'))));
    const started = Date.now();
    const out = await assume(user, { RoleArn: roleArn, RoleSessionName: 'alice' });
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'Direct' }));

    expect(out.AssumedRoleUser).toEqual({ Arn: `arn:aws:sts::${acct}:assumed-role/Direct/alice`, AssumedRoleId: `${Role?.RoleId}:alice` });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    // One hour by default.
    const lifetime = (out.Credentials?.Expiration?.getTime() ?? 0) - Math.floor(started / 1000) * 1000;
    expect(lifetime).toBeGreaterThanOrEqual(3600_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000 + (Date.now() - started) + 1000);
    // No policy and no tag passed: no PackedPolicySize, as AWS answers.
    expect(out.PackedPolicySize).toBeUndefined();
    expect(out.SourceIdentity).toBeUndefined();

    const session = credentialsOf(out.Credentials);
    const me = await svc.sts(session).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: acct, Arn: `arn:aws:sts::${acct}:assumed-role/Direct/alice`, UserId: `${Role?.RoleId}:alice` });
    expect(claimsOf(session)).toMatchObject({ kind: 'role', acct, depth: 0, src: user.accessKeyId, srcAcct: acct, role: { id: Role?.RoleId, name: 'Direct', path: '/' } });
  });

  test("the session ARN has no path; the role's last use is recorded", async () => {
    const user = await svc.userWithPolicy('pathed-caller');
    const roleArn = await createRole('Pathed', trust(trusts(userArn('pathed-caller'))), { path: '/team/ops/' });
    expect(roleArn).toBe(`arn:aws:iam::${acct}:role/team/ops/Pathed`);
    const out = await assume(user, { RoleArn: roleArn, RoleSessionName: 's1' });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/Pathed/s1`);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'Pathed' }));
    expect(Role?.RoleLastUsed?.Region).toBe('us-east-1');
    expect(Role?.RoleLastUsed?.LastUsedDate).toBeInstanceOf(Date);

    // The ARN must name the role exactly: another path names no role.
    await expect(assume(user, { RoleArn: `arn:aws:iam::${acct}:role/Pathed` })).rejects.toMatchObject(
      refused(userArn('pathed-caller'), 'sts:AssumeRole', `arn:aws:iam::${acct}:role/Pathed`),
    );
  });

  test('same account: a trust policy naming the account defers to the identity policy', async () => {
    const roleArn = await createRole('AccountTrust', trust(trusts(acct)));
    const without = await svc.userWithPolicy('no-perms');
    await expect(assume(without, { RoleArn: roleArn })).rejects.toMatchObject(refused(userArn('no-perms'), 'sts:AssumeRole', roleArn));
    const withPolicy = await svc.userWithPolicy('can-assume', allow('sts:AssumeRole', roleArn));
    await expect(assume(withPolicy, { RoleArn: roleArn })).resolves.toMatchObject({ AssumedRoleUser: { Arn: `arn:aws:sts::${acct}:assumed-role/AccountTrust/session` } });
  });

  test('a trust policy that does not name the caller refuses it, whatever its identity policy allows', async () => {
    await svc.userWithPolicy('someone-else');
    const roleArn = await createRole('Elsewhere', trust(trusts(userArn('someone-else'))));
    const user = await svc.userWithPolicy('not-trusted', ALLOW_ASSUME_ANY);
    await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject(refused(userArn('not-trusted'), 'sts:AssumeRole', roleArn));
  });

  test('a role that does not exist answers AccessDenied, not NoSuchEntity', async () => {
    const user = await svc.userWithPolicy('seeker', ALLOW_ASSUME_ANY);
    const missing = `arn:aws:iam::${acct}:role/Nope`;
    await expect(assume(user, { RoleArn: missing })).rejects.toMatchObject(refused(userArn('seeker'), 'sts:AssumeRole', missing));
    const notARole = 'arn:aws:s3:::some-bucket-name';
    await expect(assume(user, { RoleArn: notARole })).rejects.toMatchObject(refused(userArn('seeker'), 'sts:AssumeRole', notARole));
  });

  test.each(['nothing-valid-in-here', 'arn::b:::something/test-role', 'arn:a::::something/test-role', 'arn:a:::something/test-role', 'arn:a:a::aaaaaaaaaa:'])(
    'a RoleArn that is not an ARN (%s) is a ValidationError',
    async (roleArn) => {
      const user = await svc.userWithPolicy(`arn-${noise(8)}`);
      await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject({ name: 'ValidationError', message: `${roleArn} is invalid` });
    },
  );

  test('root may not assume roles', async () => {
    const roleArn = await createRole('ForRoot', trust(trusts(acct)));
    await expect(assume(svc.root, { RoleArn: roleArn })).rejects.toMatchObject({ name: 'AccessDenied', message: 'Roles may not be assumed by root accounts.' });
  });

  test('SerialNumber and TokenCode naming no device of the caller fail closed (MFA that works: mfa-sts.test.ts)', async () => {
    const user = await svc.userWithPolicy('mfa-user');
    const roleArn = await createRole('MfaRole', trust(trusts(userArn('mfa-user'))));
    const mfa = { SerialNumber: `arn:aws:iam::${acct}:mfa/mfa-user`, TokenCode: '123456' };
    await expect(assume(user, { RoleArn: roleArn, ...mfa })).rejects.toMatchObject({ name: 'AccessDenied', message: MFA_UNKNOWN_SERIAL });
    await expect(assume(user, { RoleArn: roleArn, SerialNumber: mfa.SerialNumber })).rejects.toMatchObject({ name: 'AccessDenied', message: MFA_UNKNOWN_SERIAL });
  });
});

describe('cross-account', () => {
  test('both sides must allow: the trust policy and the caller’s identity policy', async () => {
    const other = await svc.newAccount();
    const roleArn = await createRole('Shared', trust(trusts(other.accountId)));
    const allowed = await svc.userWithPolicy('x-allowed', allow('sts:AssumeRole', roleArn), other);
    const out = await assume(allowed, { RoleArn: roleArn, RoleSessionName: 'from-other' });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/Shared/from-other`);
    const session = credentialsOf(out.Credentials);
    await expect(svc.sts(session).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: acct });
    // The chain started from the other account's long-term key.
    expect(claimsOf(session)).toMatchObject({ acct, src: allowed.accessKeyId, srcAcct: other.accountId });

    // The caller's own account does not allow it.
    const noPolicy = await svc.userWithPolicy('x-no-policy', undefined, other);
    await expect(assume(noPolicy, { RoleArn: roleArn })).rejects.toMatchObject(
      refused(userArn('x-no-policy', other.accountId), 'sts:AssumeRole', roleArn),
    );
  });

  test('the trust policy must name the other account (or its user): an identity allow alone is not enough', async () => {
    const other = await svc.newAccount();
    const roleArn = await createRole('NotShared', trust(trusts(acct)));
    const user = await svc.userWithPolicy('x-untrusted', ALLOW_ASSUME_ANY, other);
    await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject(
      refused(userArn('x-untrusted', other.accountId), 'sts:AssumeRole', roleArn),
    );
  });

  test('a trust policy naming the other account’s user directly still needs that user’s identity allow', async () => {
    const other = await svc.newAccount();
    const user = await svc.userWithPolicy('x-named', undefined, other);
    const roleArn = await createRole('NamedUser', trust(trusts(userArn('x-named', other.accountId))));
    await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject(
      refused(userArn('x-named', other.accountId), 'sts:AssumeRole', roleArn),
    );
  });

  test('a role in another account can be assumed from a role session there (chained, cross-account)', async () => {
    const other = await svc.newAccount();
    const hop = await svc.userWithPolicy('x-hop', undefined, other);
    const firstArn = await createRole('FirstHop', trust(trusts(userArn('x-hop', other.accountId))), { account: other, policy: ALLOW_ASSUME_ANY });
    const targetArn = await createRole('Target', trust(trusts(firstArn)));
    const first = await assumed(hop, { RoleArn: firstArn });
    const out = await assume(first, { RoleArn: targetArn, RoleSessionName: 'second' });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/Target/second`);
  });
});

describe('ExternalId', () => {
  test('must match the trust policy’s sts:ExternalId condition', async () => {
    const user = await svc.userWithPolicy('ext-user');
    const roleArn = await createRole('ExtRole', trust(trusts(userArn('ext-user'), 'sts:AssumeRole', { StringEquals: { 'sts:ExternalId': 'Example987' } })));
    await expect(assume(user, { RoleArn: roleArn, ExternalId: 'Example987' })).resolves.toBeDefined();
    const refusal = refused(userArn('ext-user'), 'sts:AssumeRole', roleArn);
    await expect(assume(user, { RoleArn: roleArn, ExternalId: 'Wrong-id' })).rejects.toMatchObject(refusal);
    await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject(refusal);
  });
});

describe('the role’s tags', () => {
  test('are aws:ResourceTag/… in the trust policy’s conditions', async () => {
    const user = await svc.userWithPolicy('rt-user');
    const condition = { StringEquals: { 'aws:ResourceTag/env': 'dev' } };
    const devArn = await createRole('DevTagged', trust(trusts(userArn('rt-user'), 'sts:AssumeRole', condition)), { tags: [{ Key: 'env', Value: 'dev' }] });
    const prodArn = await createRole('ProdTagged', trust(trusts(userArn('rt-user'), 'sts:AssumeRole', condition)), { tags: [{ Key: 'env', Value: 'prod' }] });
    await expect(assume(user, { RoleArn: devArn })).resolves.toBeDefined();
    await expect(assume(user, { RoleArn: prodArn })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('the role as it is at the moment of the call (roles are cached per account until it changes)', () => {
  test('a trust policy changed, a tag changed, the maximum duration changed, the role deleted and made again: each counts at once', async () => {
    const user = await svc.userWithPolicy('now-user');
    const condition = { StringEquals: { 'aws:ResourceTag/env': 'dev' } };
    const roleArn = await createRole('NowRole', trust(trusts(userArn('now-user'), 'sts:AssumeRole', condition)), { tags: [{ Key: 'env', Value: 'dev' }] });
    const first = await assume(user, { RoleArn: roleArn });
    const refusal = refused(userArn('now-user'), 'sts:AssumeRole', roleArn);

    // The tag the trust policy's condition reads.
    await iam.send(new TagRoleCommand({ RoleName: 'NowRole', Tags: [{ Key: 'env', Value: 'prod' }] }));
    await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject(refusal);
    await iam.send(new TagRoleCommand({ RoleName: 'NowRole', Tags: [{ Key: 'env', Value: 'dev' }] }));
    await expect(assume(user, { RoleArn: roleArn })).resolves.toBeDefined();

    // The trust policy itself.
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'NowRole', PolicyDocument: trust(trusts(acct)) }));
    await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject(
      refused(userArn('now-user'), 'sts:AssumeRole', roleArn),
    );
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'NowRole', PolicyDocument: trust(trusts(userArn('now-user'))) }));

    // MaxSessionDuration.
    await expect(assume(user, { RoleArn: roleArn, DurationSeconds: 7200 })).rejects.toMatchObject({ name: 'ValidationError' });
    await iam.send(new UpdateRoleCommand({ RoleName: 'NowRole', MaxSessionDuration: 7200 }));
    await expect(assume(user, { RoleArn: roleArn, DurationSeconds: 7200 })).resolves.toBeDefined();

    // Deleted: refused like any role the caller may not assume; made again: the new role, with its new id.
    await iam.send(new DeleteRoleCommand({ RoleName: 'NowRole' }));
    await expect(assume(user, { RoleArn: roleArn })).rejects.toMatchObject(refusal);
    await createRole('NowRole', trust(trusts(userArn('now-user'))));
    const again = await assume(user, { RoleArn: roleArn });
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'NowRole' }));
    expect(again.AssumedRoleUser?.AssumedRoleId).toBe(`${Role?.RoleId}:session`);
    expect(again.AssumedRoleUser?.AssumedRoleId).not.toBe(first.AssumedRoleUser?.AssumedRoleId);
  });

  test('an ARN that differs from the role only in case or path names no role, however often it is asked for', async () => {
    const user = await svc.userWithPolicy('case-user');
    const roleArn = await createRole('CaseRole', trust(trusts(userArn('case-user'))), { path: '/p/' });
    await expect(assume(user, { RoleArn: roleArn })).resolves.toBeDefined();
    for (const wrong of [`arn:aws:iam::${acct}:role/p/caserole`, `arn:aws:iam::${acct}:role/CaseRole`, `arn:aws:iam::${acct}:role/q/CaseRole`]) {
      for (let i = 0; i < 2; i++) await expect(assume(user, { RoleArn: wrong })).rejects.toMatchObject({ name: 'AccessDenied' });
    }
    await expect(assume(user, { RoleArn: roleArn })).resolves.toBeDefined();
  });
});

describe('DurationSeconds', () => {
  async function lifetimeOf(who: Credentials, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }): Promise<number> {
    const out = await assume(who, input);
    const claims = claimsOf(credentialsOf(out.Credentials));
    return claims.exp - claims.iat;
  }

  test('900 up to the role’s MaxSessionDuration; longer is AWS’s ValidationError', async () => {
    const user = await svc.userWithPolicy('dur-user');
    const shortArn = await createRole('ShortRole', trust(trusts(userArn('dur-user'))));
    const longArn = await createRole('LongRole', trust(trusts(userArn('dur-user'))), { maxSessionDuration: 43_200 });
    expect(await lifetimeOf(user, { RoleArn: shortArn })).toBe(3600);
    expect(await lifetimeOf(user, { RoleArn: shortArn, DurationSeconds: 900 })).toBe(900);
    expect(await lifetimeOf(user, { RoleArn: longArn, DurationSeconds: 43_200 })).toBe(43_200);
    expect(await lifetimeOf(user, { RoleArn: longArn })).toBe(3600);
    await expect(assume(user, { RoleArn: shortArn, DurationSeconds: 3601 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    await expect(assume(user, { RoleArn: shortArn, DurationSeconds: 899 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
  });

  test('role chaining: at most one hour, and a longer explicit DurationSeconds fails', async () => {
    const user = await svc.userWithPolicy('chain-dur');
    const firstArn = await createRole('ChainDurFirst', trust(trusts(userArn('chain-dur'))), { policy: ALLOW_ASSUME_ANY });
    const secondArn = await createRole('ChainDurSecond', trust(trusts(firstArn)), { maxSessionDuration: 43_200 });
    const first = await assumed(user, { RoleArn: firstArn });
    expect(await lifetimeOf(first, { RoleArn: secondArn })).toBe(3600);
    expect(await lifetimeOf(first, { RoleArn: secondArn, DurationSeconds: 3600 })).toBe(3600);
    await expect(assume(first, { RoleArn: secondArn, DurationSeconds: 3601 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
  });

  test('GetSessionToken credentials are capped the same way', async () => {
    // AWS answers AssumeRole from GetSessionToken credentials with the role-chaining error too.
    const user = await svc.userWithPolicy('gst-dur');
    const roleArn = await createRole('GstDur', trust(trusts(userArn('gst-dur'))), { maxSessionDuration: 43_200 });
    const { Credentials } = await svc.sts(user).send(new GetSessionTokenCommand({}));
    const session = credentialsOf(Credentials);
    expect(await lifetimeOf(session, { RoleArn: roleArn })).toBe(3600);
    await expect(assume(session, { RoleArn: roleArn, DurationSeconds: 7200 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    // The first role session of the chain: depth 0, from the user's long-term key.
    expect(claimsOf(await assumed(session, { RoleArn: roleArn }))).toMatchObject({ depth: 0, src: user.accessKeyId });
  });
});

describe('RoleSessionName', () => {
  test.each([
    ['Session1:2', "Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
    ['a', 'Member must have length greater than or equal to 2'],
    ['s'.repeat(65), 'Member must have length less than or equal to 64'],
  ])('%s is refused with the model’s ValidationError', async (name, constraint) => {
    const user = await svc.userWithPolicy(`rsn-${noise(8)}`);
    await expect(assume(user, { RoleArn: `arn:aws:iam::${acct}:role/Any`, RoleSessionName: name })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint: ${constraint}`,
    });
  });

  test('is available to the trust policy as sts:RoleSessionName', async () => {
    const user = await svc.userWithPolicy('rsn-cond');
    const roleArn = await createRole('RsnRole', trust(trusts(userArn('rsn-cond'), 'sts:AssumeRole', { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } })));
    await expect(assume(user, { RoleArn: roleArn, RoleSessionName: 'rsn-cond' })).resolves.toBeDefined();
    await expect(assume(user, { RoleArn: roleArn, RoleSessionName: 'someone' })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('session policies', () => {
  const LIST_ALL = allow('iam:List*');
  const LIST_USERS = allow('iam:ListUsers');

  test('the session may do what both the role and the inline session policy allow, no more', async () => {
    const user = await svc.userWithPolicy('sp-user');
    const roleArn = await createRole('Lister', trust(trusts(userArn('sp-user'))), { policy: LIST_ALL });
    const out = await assume(user, { RoleArn: roleArn, RoleSessionName: 'narrow', Policy: JSON.stringify(LIST_USERS) });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(10);
    const session = credentialsOf(out.Credentials);
    await expect(svc.iam(session).send(new ListUsersCommand({}))).resolves.toBeDefined();
    await expect(svc.iam(session).send(new ListRolesCommand({}))).rejects.toMatchObject(
      denied(`arn:aws:sts::${acct}:assumed-role/Lister/narrow`, 'iam:ListRoles', '*', 'session policy'),
    );
    // A session policy cannot add what the role does not allow.
    const wide = await assumed(user, { RoleArn: roleArn, RoleSessionName: 'wide', Policy: JSON.stringify(allow('iam:*')) });
    await expect(svc.iam(wide).send(new GetRoleCommand({ RoleName: 'Lister' }))).rejects.toMatchObject(
      denied(`arn:aws:sts::${acct}:assumed-role/Lister/wide`, 'iam:GetRole', roleArn, 'identity-based policy'),
    );
  });

  test('PolicyArns: managed policies of the role’s account become session policies', async () => {
    const user = await svc.userWithPolicy('arn-user');
    const roleArn = await createRole('ArnLister', trust(trusts(userArn('arn-user'))), { policy: LIST_ALL });
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'OnlyListUsers', PolicyDocument: JSON.stringify(LIST_USERS) }));
    const policyArn = Policy?.Arn ?? '';
    const out = await assume(user, { RoleArn: roleArn, PolicyArns: [{ arn: policyArn }] });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const session = credentialsOf(out.Credentials);
    await expect(svc.iam(session).send(new ListUsersCommand({}))).resolves.toBeDefined();
    await expect(svc.iam(session).send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });

    const missing = `arn:aws:iam::${acct}:policy/NoSuchPolicy`;
    await expect(assume(user, { RoleArn: roleArn, PolicyArns: [{ arn: missing }] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: `Policy ${missing} does not exist or is not attachable.`,
    });
    // A policy of another account is not one of the role's account.
    const other = await svc.newAccount();
    const { Policy: foreign } = await svc.iam(rootCredentials(other)).send(new CreatePolicyCommand({ PolicyName: 'Foreign', PolicyDocument: JSON.stringify(LIST_USERS) }));
    await expect(assume(user, { RoleArn: roleArn, PolicyArns: [{ arn: foreign?.Arn ?? '' }] })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  test('at most 10 PolicyArns', async () => {
    const user = await svc.userWithPolicy('eleven');
    const arns = Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::${acct}:policy/P${i}` }));
    await expect(assume(user, { RoleArn: `arn:aws:iam::${acct}:role/Any`, PolicyArns: arns })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^1 validation error detected: Value '\[\{arn=.*\}\]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10$/),
    });
  });

  test('the inline and managed session policies’ plaintext may not exceed 2,048 characters', async () => {
    const user = await svc.userWithPolicy('plain-2048');
    const roleArn = await createRole('Plain2048', trust(trusts(userArn('plain-2048'))), { policy: LIST_ALL });
    const padded = (n: number): string => {
      const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] });
      return base.slice(0, -1) + ' '.repeat(n - base.length) + '}';
    };
    await expect(assume(user, { RoleArn: roleArn, Policy: padded(2048) })).resolves.toBeDefined();
    const tooLong = padded(2049);
    await expect(assume(user, { RoleArn: roleArn, Policy: tooLong })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${tooLong}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    });
    const policyArn = `arn:aws:iam::${acct}:policy/AnyPolicy`;
    await expect(assume(user, { RoleArn: roleArn, Policy: padded(2020), PolicyArns: [{ arn: policyArn }] })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `The plaintext that you use for both inline and managed session policies can't exceed 2048 characters (this request uses ${2020 + policyArn.length}).`,
    });
  });

  test('an invalid inline policy is MalformedPolicyDocument', async () => {
    const user = await svc.userWithPolicy('malformed');
    const roleArn = await createRole('Malformed', trust(trusts(userArn('malformed'))));
    await expect(assume(user, { RoleArn: roleArn, Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' })).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
    // A session policy names no Principal.
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });
    await expect(assume(user, { RoleArn: roleArn, Policy: withPrincipal })).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
  });

  test('PackedPolicyTooLarge when the packed policies pass 100%', async () => {
    const user = await svc.userWithPolicy('packed');
    const roleArn = await createRole('Packed', trust(trusts(userArn('packed'))), { policy: LIST_ALL });
    const noisy = (): string =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 36 }, () => `arn:aws:s3:::${noise(64)}`) }] });
    const arns: string[] = [];
    for (const name of ['Noisy1', 'Noisy2']) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: noisy() }));
      arns.push(Policy?.Arn ?? '');
    }
    const one = await assume(user, { RoleArn: roleArn, PolicyArns: [{ arn: arns[0] }] });
    expect(one.PackedPolicySize).toBeGreaterThan(50);
    expect(one.PackedPolicySize).toBeLessThanOrEqual(100);
    // A large session still fits a request header and opens on the server.
    await expect(svc.sts(credentialsOf(one.Credentials)).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: `arn:aws:sts::${acct}:assumed-role/Packed/session` });
    await expect(assume(user, { RoleArn: roleArn, PolicyArns: arns.map((arn) => ({ arn })) })).rejects.toMatchObject({
      name: 'PackedPolicyTooLargeException',
      message: expect.stringMatching(/^Packed policy consumes 1\d\d% of allotted space, please use smaller policy\.$/),
    });
  });

  test('a deleted role\'s live sessions are trusted by no role, not even one whose trust policy kept its unique id', async () => {
    // Found in review: IAM keeps a deleted role in other trust policies as its AROA… id, which the session still carries.
    const user = await svc.userWithPolicy('pivot-user', allow('sts:AssumeRole'));
    await createRole('PivotA', trust(trusts(userArn('pivot-user'))));
    await createRole('PivotB', trust(trusts(`arn:aws:iam::${acct}:role/PivotA`)));
    const a = await assumed(user, { RoleArn: `arn:aws:iam::${acct}:role/PivotA` });
    await assumed(a, { RoleArn: `arn:aws:iam::${acct}:role/PivotB` });
    await iam.send(new DeleteRoleCommand({ RoleName: 'PivotA' }));
    await expect(assume(a, { RoleArn: `arn:aws:iam::${acct}:role/PivotB` })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${acct}:assumed-role/PivotA/session is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${acct}:role/PivotB`,
    });
  });

  test('role session credentials still cannot exceed the role after the role is deleted: they stop working', async () => {
    const user = await svc.userWithPolicy('doomed-user');
    await createRole('Doomed', trust(trusts(userArn('doomed-user'))), { policy: LIST_ALL });
    const session = await assumed(user, { RoleArn: `arn:aws:iam::${acct}:role/Doomed` });
    await expect(svc.iam(session).send(new ListUsersCommand({}))).resolves.toBeDefined();
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'Doomed', PolicyName: 'perms' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' }));
    await expect(svc.iam(session).send(new ListUsersCommand({}))).rejects.toMatchObject(
      denied(`arn:aws:sts::${acct}:assumed-role/Doomed/session`, 'iam:ListUsers', '*', 'identity-based policy'),
    );
  });
});

describe('session tags', () => {
  /** A role whose permissions depend on the session's principal tag `team`. */
  const TEAM_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListUsers', 'sts:AssumeRole'], Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }] };

  test('need sts:TagSession in the trust policy, and become aws:PrincipalTag', async () => {
    const user = await svc.userWithPolicy('tagger');
    const noTagArn = await createRole('NoTagSession', trust(trusts(userArn('tagger'))), { policy: TEAM_ONLY });
    await expect(assume(user, { RoleArn: noTagArn, Tags: [{ Key: 'team', Value: 'blue' }] })).rejects.toMatchObject(
      refused(userArn('tagger'), 'sts:TagSession', noTagArn),
    );
    const roleArn = await createRole('TagSession', trust(trusts(userArn('tagger'), ['sts:AssumeRole', 'sts:TagSession'])), { policy: TEAM_ONLY });
    const out = await assume(user, { RoleArn: roleArn, Tags: [{ Key: 'team', Value: 'blue' }] });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    await expect(svc.iam(credentialsOf(out.Credentials)).send(new ListUsersCommand({}))).resolves.toBeDefined();
    const red = await assumed(user, { RoleArn: roleArn, Tags: [{ Key: 'team', Value: 'red' }] });
    await expect(svc.iam(red).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('the trust policy sees aws:RequestTag, aws:TagKeys and sts:TransitiveTagKeys', async () => {
    const user = await svc.userWithPolicy('tag-cond');
    const roleArn = await createRole(
      'TagCond',
      trust(
        trusts(userArn('tag-cond')),
        trusts(userArn('tag-cond'), 'sts:TagSession', {
          StringEquals: { 'aws:RequestTag/dept': ['eng', 'ops'] },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['dept', 'project'], 'sts:TransitiveTagKeys': ['project'] },
        }),
      ),
    );
    await expect(assume(user, { RoleArn: roleArn, Tags: [{ Key: 'dept', Value: 'eng' }, { Key: 'project', Value: 'x' }], TransitiveTagKeys: ['project'] })).resolves.toBeDefined();
    await expect(assume(user, { RoleArn: roleArn, Tags: [{ Key: 'dept', Value: 'sales' }] })).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(user, { RoleArn: roleArn, Tags: [{ Key: 'dept', Value: 'eng' }, { Key: 'cost', Value: '1' }] })).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(user, { RoleArn: roleArn, Tags: [{ Key: 'dept', Value: 'eng' }], TransitiveTagKeys: ['dept'] })).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('keys are unique regardless of case; transitive keys must be among the tags', async () => {
    const user = await svc.userWithPolicy('tag-rules');
    const roleArn = `arn:aws:iam::${acct}:role/Any`;
    await expect(assume(user, { RoleArn: roleArn, Tags: [{ Key: 'Dept', Value: 'a' }, { Key: 'dept', Value: 'b' }] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    await expect(assume(user, { RoleArn: roleArn, Tags: [{ Key: 'dept', Value: 'a' }], TransitiveTagKeys: ['project'] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'The specified transitive tag key must be included in the requested tags.',
    });
    await expect(assume(user, { RoleArn: roleArn, TransitiveTagKeys: ['project'] })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  test('transitive tags pass down a role chain, cannot be set again, and need sts:TagSession on every hop', async () => {
    const user = await svc.userWithPolicy('chainer');
    const firstArn = await createRole('TagChain1', trust(trusts(userArn('chainer'), ['sts:AssumeRole', 'sts:TagSession'])), { policy: ALLOW_ASSUME_ANY });
    const secondArn = await createRole('TagChain2', trust(trusts(firstArn, ['sts:AssumeRole', 'sts:TagSession'])), { policy: TEAM_ONLY });
    const noTagArn = await createRole('TagChain3', trust(trusts(firstArn)), { policy: TEAM_ONLY });
    const first = await assumed(user, {
      RoleArn: firstArn,
      Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'local', Value: 'yes' }],
      TransitiveTagKeys: ['Team'],
    });
    expect(claimsOf(first)).toMatchObject({ tt: ['team'] });

    const second = await assume(first, { RoleArn: secondArn });
    // Inherited tags are packed into the new session too.
    expect(second.PackedPolicySize).toBeGreaterThan(0);
    const secondCreds = credentialsOf(second.Credentials);
    expect(claimsOf(secondCreds)).toMatchObject({ tags: [{ key: 'team', value: 'blue' }], tt: ['team'], depth: 1 });
    await expect(svc.iam(secondCreds).send(new ListUsersCommand({}))).resolves.toBeDefined();

    // An inherited key cannot be passed again, in any case.
    for (const key of ['team', 'TEAM']) {
      await expect(assume(first, { RoleArn: secondArn, Tags: [{ Key: key, Value: 'red' }] })).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
      });
    }
    // A non-transitive tag can be set again (it was not inherited).
    await expect(assume(first, { RoleArn: secondArn, Tags: [{ Key: 'local', Value: 'no' }] })).resolves.toBeDefined();
    // Passing the inherited tags on is tagging the session: the next trust policy must allow it.
    await expect(assume(first, { RoleArn: noTagArn })).rejects.toMatchObject(
      refused(`arn:aws:sts::${acct}:assumed-role/TagChain1/session`, 'sts:TagSession', noTagArn),
    );
  });

  test('PackedPolicyTooLarge when the packed tags pass 100%', async () => {
    const user = await svc.userWithPolicy('many-tags');
    const roleArn = await createRole('ManyTags', trust(trusts(userArn('many-tags'), ['sts:AssumeRole', 'sts:TagSession'])));
    const tags = Array.from({ length: 20 }, (_, i) => ({ Key: `k${i}`, Value: noise(256) }));
    await expect(assume(user, { RoleArn: roleArn, Tags: tags.slice(0, 5) })).resolves.toBeDefined();
    await expect(assume(user, { RoleArn: roleArn, Tags: tags })).rejects.toMatchObject({
      name: 'PackedPolicyTooLargeException',
      message: expect.stringMatching(/^Packed size of session tags consumes 1\d\d% of allotted space\.$/),
    });
  });
});

describe('SourceIdentity', () => {
  test('needs sts:SetSourceIdentity, is returned, becomes aws:SourceIdentity and is carried down the chain unchanged', async () => {
    const user = await svc.userWithPolicy('sid-user');
    const noSetArn = await createRole('NoSetSid', trust(trusts(userArn('sid-user'))));
    await expect(assume(user, { RoleArn: noSetArn, SourceIdentity: 'alice' })).rejects.toMatchObject(
      refused(userArn('sid-user'), 'sts:SetSourceIdentity', noSetArn),
    );

    const bySid = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListUsers', 'sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': 'alice' } } }] };
    const firstArn = await createRole(
      'SidFirst',
      trust(trusts(userArn('sid-user'), ['sts:AssumeRole', 'sts:SetSourceIdentity'], { StringEquals: { 'sts:SourceIdentity': '${aws:username}' } })),
      { policy: bySid },
    );
    await expect(assume(user, { RoleArn: firstArn, SourceIdentity: 'mallory' })).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(user, { RoleArn: firstArn, SourceIdentity: 'sid-user' })).resolves.toMatchObject({ SourceIdentity: 'sid-user' });

    // A chain from a role whose trust policy accepts any source identity.
    const openArn = await createRole('SidOpen', trust(trusts(userArn('sid-user'), ['sts:AssumeRole', 'sts:SetSourceIdentity'])), { policy: bySid });
    const secondArn = await createRole('SidSecond', trust(trusts(openArn, ['sts:AssumeRole', 'sts:SetSourceIdentity'])), { policy: bySid });
    const plainArn = await createRole('SidPlain', trust(trusts(openArn)));
    const first = await assume(user, { RoleArn: openArn, SourceIdentity: 'alice' });
    expect(first.SourceIdentity).toBe('alice');
    const firstCreds = credentialsOf(first.Credentials);
    await expect(svc.iam(firstCreds).send(new ListUsersCommand({}))).resolves.toBeDefined();

    // Chained: the value is carried without being passed again, and the same value may be repeated.
    const second = await assume(firstCreds, { RoleArn: secondArn });
    expect(second.SourceIdentity).toBe('alice');
    await expect(svc.iam(credentialsOf(second.Credentials)).send(new ListUsersCommand({}))).resolves.toBeDefined();
    await expect(assume(firstCreds, { RoleArn: secondArn, SourceIdentity: 'alice' })).resolves.toMatchObject({ SourceIdentity: 'alice' });
    // It cannot be changed.
    await expect(assume(firstCreds, { RoleArn: secondArn, SourceIdentity: 'bob' })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    // Carrying it sets it on the next session: that role's trust policy must allow sts:SetSourceIdentity.
    await expect(assume(firstCreds, { RoleArn: plainArn })).rejects.toMatchObject(
      refused(`arn:aws:sts::${acct}:assumed-role/SidOpen/session`, 'sts:SetSourceIdentity', plainArn),
    );
  });

  test.each([
    ['aws:reserved', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'],
    ['x', 'Member must have length greater than or equal to 2'],
  ])('%s is refused by the model', async (value, constraint) => {
    const user = await svc.userWithPolicy(`sid-${noise(8)}`);
    await expect(assume(user, { RoleArn: `arn:aws:iam::${acct}:role/Any`, SourceIdentity: value })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${value}' at 'sourceIdentity' failed to satisfy constraint: ${constraint}`,
    });
  });
});

describe('role chaining', () => {
  test('each hop counts one more, keeps the long-term key it started from, and may not call GetFederationToken', async () => {
    const user = await svc.userWithPolicy('deep');
    const aArn = await createRole('HopA', trust(trusts(userArn('deep'))), { policy: ALLOW_ASSUME_ANY });
    const bArn = await createRole('HopB', trust(trusts(aArn)), { policy: ALLOW_ASSUME_ANY });
    const cArn = await createRole('HopC', trust(trusts(bArn)));
    const a = await assumed(user, { RoleArn: aArn, RoleSessionName: 'aa' });
    const b = await assumed(a, { RoleArn: bArn, RoleSessionName: 'bb' });
    const c = await assumed(b, { RoleArn: cArn, RoleSessionName: 'cc' });
    expect([claimsOf(a).depth, claimsOf(b).depth, claimsOf(c).depth]).toEqual([0, 1, 2]);
    for (const s of [a, b, c]) expect(claimsOf(s)).toMatchObject({ src: user.accessKeyId, srcAcct: acct });
    await expect(svc.sts(c).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: `arn:aws:sts::${acct}:assumed-role/HopC/cc` });
    await expect(svc.sts(c).send(new GetFederationTokenCommand({ Name: 'fed' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // A role session's own policies decide whether it may assume the next role.
    const noAssume = await assumed(user, { RoleArn: aArn, RoleSessionName: 'narrow', Policy: JSON.stringify(allow('iam:ListUsers')) });
    await expect(assume(noAssume, { RoleArn: bArn })).rejects.toMatchObject(
      refused(`arn:aws:sts::${acct}:assumed-role/HopA/narrow`, 'sts:AssumeRole', bArn),
    );
  });
});
