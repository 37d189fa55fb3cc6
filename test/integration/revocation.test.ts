/**
 * Revocation (shared/SPEC.md §5, issue 4 item 4) on one node:
 * - one session, by its jti (found in its issuance's audit event): refused from the next request
 *   on, like an unknown token (InvalidClientTokenId), answered from memory afterwards;
 * - a role's sessions issued before now: the inline policy AWSRevokeOlderSessions, put by the
 *   operator's command or by PutRolePolicy through the IAM API, denies them every action
 *   (GetCallerIdentity stays answerable, as on AWS: it is never denied), and not later sessions;
 * - deactivating or deleting the long-term key a session chain started from ends the session, and
 *   reactivating the key brings none of those sessions back (sessions issued after it work).
 * The two-node versions are in test/store/revocation-cross-node.test.ts.
 */
import { DeleteAccessKeyCommand, GetUserCommand, ListUsersCommand, PutRolePolicyCommand, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { queryAuditEvents } from '../../src/store/audit.js';
import { operatorAudit, REVOKE_OLDER_SESSIONS, revokeOlderRoleSessions, revokeOlderSessionsPolicy, revokeSession } from '../../src/sts/revocation.js';
import { openSessionToken } from '../../src/tokens/session-token.js';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';
import { createRole, mintRoleSession, outcome, type Session } from './session-fixtures.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const listUsers = (c: Credentials) => outcome(() => svc.iam(c).send(new ListUsersCommand({})));
const whoAmI = (c: Credentials) => outcome(() => svc.sts(c).send(new GetCallerIdentityCommand({})));

/**
 * Run an operator's revocation as the CLI does (straight on the store, not through this service)
 * and return once this service has heard of it: on PostgreSQL the notification comes back through
 * LISTEN after the commit (the cross-node suite measures that delay).
 */
async function operator<T>(revoke: () => Promise<T>): Promise<T> {
  const heard = new Promise<void>((resolve) => {
    const stop = svc.store.onChange((changed) => {
      if (changed === acct || changed === undefined) {
        stop();
        resolve();
      }
    });
  });
  const result = await revoke();
  await heard;
  return result;
}

/** Wait until the wall clock is in a later second than `t` (token issue times are whole seconds). */
async function nextSecond(t: Date): Promise<void> {
  const wait = 1000 - (t.getTime() % 1000) + 20;
  await new Promise((r) => setTimeout(r, wait));
}

/** A role (allowed iam:ListUsers) and a user allowed to assume it; `session()` assumes it. */
async function roleAndUser(name: string): Promise<{ user: Credentials & { userName: string }; session: () => Promise<Session> }> {
  await createRole(iam, acct, name, allow('iam:ListUsers'));
  const user = await svc.userWithPolicy(`${name}-user`, allow(['sts:AssumeRole', 'iam:GetUser']));
  const session = async (): Promise<Session> => {
    const out = await svc.sts(user).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/${name}`, RoleSessionName: 'revocable' }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
    const claims = openSessionToken(svc.keyring, c.SessionToken);
    if (!claims) throw new Error('AssumeRole returned a token this service cannot open');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, claims };
  };
  return { user, session };
}

describe('one session', () => {
  test('revoked by jti: refused from the next request on (InvalidClientTokenId), other sessions of the role unaffected', async () => {
    const { session } = await roleAndUser('revoke-one');
    const [doomed, spared] = [await session(), await session()];
    expect(await listUsers(doomed)).toBe('ok');
    expect(await whoAmI(doomed)).toBe('ok');
    expect(svc.service.caches.revoked.get(acct)).toBeDefined(); // loaded once, answered from memory

    const now = new Date();
    const done = await operator(() => revokeSession(svc.store, { accountId: acct, jti: doomed.claims.jti, now, audit: operatorAudit(now, 'test') }));
    expect(done.revoked).toBe(true);
    expect(svc.service.caches.revoked.get(acct)).toBeUndefined(); // dropped by the announcement

    expect(await listUsers(doomed)).toBe('InvalidClientTokenId');
    expect(await whoAmI(doomed)).toBe('InvalidClientTokenId');
    expect(svc.service.caches.revoked.get(acct)?.has(doomed.claims.jti)).toBe(true);
    expect(await listUsers(spared)).toBe('ok');

    const again = await operator(() => revokeSession(svc.store, { accountId: acct, jti: doomed.claims.jti, now, audit: operatorAudit(now, 'test') }));
    expect(again.revoked).toBe(false);
  });

  test('the jti comes from the issuance event, and the revocation is kept until the session expires, and audited', async () => {
    const user = await svc.userWithPolicy('revoke-gst', allow('iam:GetUser'));
    const out = await svc.sts(user).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
    const creds = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    expect(await whoAmI(creds)).toBe('ok');

    const [issued] = (await queryAuditEvents(svc.store.db, { accountId: acct, action: 'sts:GetSessionToken', limit: 100 })).filter((r) => r.requestId === out.$metadata.requestId);
    const jti = (JSON.parse(issued?.details ?? '{}') as { jti: string }).jti;
    const now = new Date();
    const done = await operator(() => revokeSession(svc.store, { accountId: acct, jti, now, audit: operatorAudit(now, 'test') }));
    expect(done).toEqual({ revoked: true, issuanceFound: true, expiresAt: c.Expiration });
    expect(await whoAmI(creds)).toBe('InvalidClientTokenId');

    const [event] = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'latchkey:RevokeSession', limit: 1 });
    expect(event).toMatchObject({ decision: 'allow', principalArn: null, userAgent: 'latchkey-cli (test)' });
    expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ jti, issuanceRequestId: out.$metadata.requestId, alreadyRevoked: false });
  });

  test('a jti not in the trail is revoked anyway, kept for the longest session lifetime', async () => {
    const { user } = await roleAndUser('revoke-untracked');
    const s = await mintRoleSession(svc.keyring, iam, { account: acct, roleName: 'revoke-untracked', sourceKeyId: user.accessKeyId });
    const now = new Date();
    const done = await operator(() => revokeSession(svc.store, { accountId: acct, jti: s.claims.jti, now, audit: operatorAudit(now, 'test') }));
    expect(done.issuanceFound).toBe(false);
    expect(done.expiresAt.getTime() - now.getTime()).toBe(129_600_000);
    expect(await whoAmI(s)).toBe('InvalidClientTokenId');
  });
});

describe("a role's older sessions", () => {
  test("the operator's revoke-role denies every session issued before it, not later ones nor the users that assume it", async () => {
    const { user, session } = await roleAndUser('revoke-role');
    const before = await session();
    expect(await listUsers(before)).toBe('ok');

    const now = new Date();
    const done = await operator(() => revokeOlderRoleSessions(svc.store, { accountId: acct, roleName: 'revoke-role', now, audit: operatorAudit(now, 'test') }));
    expect(done).toEqual({ roleArn: `arn:aws:iam::${acct}:role/revoke-role`, policyName: REVOKE_OLDER_SESSIONS, policyDocument: revokeOlderSessionsPolicy(now) });

    const denied = await svc.iam(before).send(new ListUsersCommand({})).catch((e: Error) => e);
    expect(denied).toBeInstanceOf(Error);
    expect((denied as Error).name).toBe('AccessDenied');
    expect((denied as Error).message).toEqual(`User: arn:aws:sts::${acct}:assumed-role/revoke-role/${before.claims.name ?? ''} is not authorized to perform: iam:ListUsers on resource: * with an explicit deny in an identity-based policy`);
    // GetCallerIdentity is never denied, on AWS either: the session still authenticates.
    expect(await whoAmI(before)).toBe('ok');
    // The user that assumes the role is not a session of it.
    expect(await outcome(() => svc.iam(user).send(new GetUserCommand({})))).toBe('ok');

    await nextSecond(now);
    const after = await session();
    expect(await listUsers(after)).toBe('ok');
    expect(await listUsers(before)).toBe('AccessDenied');

    const [event] = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'iam:PutRolePolicy', limit: 1 });
    expect(event).toMatchObject({ resource: done.roleArn, userAgent: 'latchkey-cli (test)' });
  });

  test('revoking again moves the cut-off forward (the policy is replaced); an unknown role is NoSuchEntity', async () => {
    const { session } = await roleAndUser('revoke-twice');
    const first = new Date();
    await operator(() => revokeOlderRoleSessions(svc.store, { accountId: acct, roleName: 'revoke-twice', now: first, audit: operatorAudit(first, 'test') }));
    await nextSecond(first);
    const between = await session();
    expect(await listUsers(between)).toBe('ok');
    const second = new Date();
    await operator(() => revokeOlderRoleSessions(svc.store, { accountId: acct, roleName: 'revoke-twice', now: second, audit: operatorAudit(second, 'test') }));
    expect(await listUsers(between)).toBe('AccessDenied');
    await expect(revokeOlderRoleSessions(svc.store, { accountId: acct, roleName: 'no-such-role', now: second, audit: operatorAudit(second, 'test') })).rejects.toThrow('The role with name no-such-role cannot be found.');
  });

  test('PutRolePolicy of the same document through the IAM API does the same', async () => {
    const { session } = await roleAndUser('revoke-api');
    const before = await session();
    expect(await listUsers(before)).toBe('ok');
    const now = new Date();
    await iam.send(new PutRolePolicyCommand({ RoleName: 'revoke-api', PolicyName: REVOKE_OLDER_SESSIONS, PolicyDocument: revokeOlderSessionsPolicy(now) }));
    expect(await listUsers(before)).toBe('AccessDenied');
    await nextSecond(now);
    expect(await listUsers(await session())).toBe('ok');
  });
});

describe('the long-term key a session came from', () => {
  test("deactivating the user's key ends the role session derived from it (InvalidClientTokenId); reactivating it does not restore it", async () => {
    const { user, session } = await roleAndUser('revoke-key');
    const s = await session();
    expect(s.claims.src).toBe(user.accessKeyId);
    expect(await listUsers(s)).toBe('ok');
    await iam.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status: 'Inactive' }));
    expect(await listUsers(s)).toBe('InvalidClientTokenId');
    expect(await whoAmI(s)).toBe('InvalidClientTokenId');
    await iam.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status: 'Active' }));
    expect(await listUsers(s)).toBe('InvalidClientTokenId');
    expect(await listUsers(await session())).toBe('ok');
  });

  test("deleting the user's key ends the role session for good", async () => {
    const { user, session } = await roleAndUser('revoke-key-del');
    const s = await session();
    expect(await listUsers(s)).toBe('ok');
    await iam.send(new DeleteAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId }));
    expect(await whoAmI(s)).toBe('InvalidClientTokenId');
  });

  test('a chained session (role → role) ends with the key its chain started from', async () => {
    const { user, session } = await roleAndUser('revoke-chain-a');
    await createRole(iam, acct, 'revoke-chain-b', allow('iam:ListUsers'));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'revoke-chain-a', PolicyName: 'chain', PolicyDocument: JSON.stringify(allow('sts:AssumeRole')) }));
    const first = await session();
    const out = await svc.sts(first).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/revoke-chain-b`, RoleSessionName: 'chained' }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
    const chained = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    expect(await listUsers(chained)).toBe('ok');
    await iam.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status: 'Inactive' }));
    expect(await listUsers(chained)).toBe('InvalidClientTokenId');
  });
});

describe('sessions of a key deactivated then reactivated stay refused', () => {
  /**
   * A user whose key issues every kind of session: GetSessionToken, AssumeRole, GetFederationToken,
   * and a role session chained from a role session. Each is checked with GetCallerIdentity, which
   * every credential type may call and no policy denies: what is tested is authentication.
   */
  async function keyAndSessions(name: string) {
    await createRole(iam, acct, `${name}-a`, allow('sts:AssumeRole'));
    await createRole(iam, acct, `${name}-b`);
    const user = await svc.userWithPolicy(name, allow(['sts:AssumeRole', 'sts:GetFederationToken']));
    const creds = (c: { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined } | undefined): Credentials => {
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    };
    const assume = async (by: Credentials, role: string) =>
      creds((await svc.sts(by).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/${role}`, RoleSessionName: 'stay-revoked' }))).Credentials);
    const sessions = async (): Promise<Record<string, Credentials>> => {
      const role = await assume(user, `${name}-a`);
      return {
        getSessionToken: creds((await svc.sts(user).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials),
        assumeRole: role,
        getFederationToken: creds((await svc.sts(user).send(new GetFederationTokenCommand({ Name: 'stay-revoked', DurationSeconds: 900 }))).Credentials),
        chainedRole: await assume(role, `${name}-b`),
      };
    };
    const setStatus = (Status: 'Active' | 'Inactive') => iam.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status }));
    const answers = async (all: Record<string, Credentials>) => Object.fromEntries(await Promise.all(Object.entries(all).map(async ([k, c]) => [k, await whoAmI(c)] as const)));
    const every = (answer: string) => ({ getSessionToken: answer, assumeRole: answer, getFederationToken: answer, chainedRole: answer });
    return { user, sessions, setStatus, answers, every };
  }

  test('GetSessionToken, AssumeRole, GetFederationToken and chained role sessions issued before the deactivation stay refused; those issued after the reactivation work', async () => {
    const { user, sessions, setStatus, answers, every } = await keyAndSessions('stay-revoked');
    const before = await sessions();
    expect(await answers(before)).toEqual(every('ok'));

    await setStatus('Inactive');
    expect(await answers(before)).toEqual(every('InvalidClientTokenId'));
    await setStatus('Active');
    expect(await whoAmI(user)).toBe('ok'); // the key itself works again
    expect(await answers(before)).toEqual(every('InvalidClientTokenId'));

    const after = await sessions();
    expect(await answers(after)).toEqual(every('ok'));
    expect(await answers(before)).toEqual(every('InvalidClientTokenId'));

    // A second round: the sessions issued between the two deactivations die with the second.
    await setStatus('Inactive');
    await setStatus('Active');
    expect(await answers(after)).toEqual(every('InvalidClientTokenId'));
    expect(await answers(await sessions())).toEqual(every('ok'));
  });

  test('a session issued in the same second as the deactivation, before it, stays refused; one issued in that second after the reactivation works', async () => {
    const { sessions, setStatus, answers, every } = await keyAndSessions('same-second');
    // Token issue times are whole seconds: start at the top of one and retry if the round spills
    // over into the next, so that both sessions carry the same `iat` as the deactivation's second.
    for (let attempt = 1; ; attempt++) {
      await nextSecond(new Date());
      const started = Date.now();
      const before = await sessions();
      await setStatus('Inactive');
      await setStatus('Active');
      const after = await sessions();
      if (Math.floor(Date.now() / 1000) !== Math.floor(started / 1000)) {
        if (attempt < 5) continue;
        throw new Error('could not issue, deactivate, reactivate and issue again within one second in 5 attempts');
      }
      const iats = [...Object.values(before), ...Object.values(after)].map((c) => openSessionToken(svc.keyring, c.sessionToken ?? '')?.iat);
      expect(new Set(iats)).toEqual(new Set([Math.floor(started / 1000)]));
      expect(await answers(before)).toEqual(every('InvalidClientTokenId'));
      expect(await answers(after)).toEqual(every('ok'));
      return;
    }
  });
});
