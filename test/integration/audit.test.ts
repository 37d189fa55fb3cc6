/**
 * The audit trail (shared/SPEC.md §10, issue 4 item 5) through the real service: every IAM
 * mutation and every credential issuance is written in the transaction of the change (so an
 * issuance or a mutation that cannot be audited fails and changes nothing), every AccessDenied is
 * written on its own, and nothing else is: not read-only successes, not failed mutations (rolled
 * back), not failed authentication (CloudTrail logs authenticated requests only). Details never
 * hold a secret.
 */
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, ListUsersCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { HIDDEN } from '../../src/audit/redact.js';
import { queryAuditEvents, type AuditRow } from '../../src/store/audit.js';
import { openSessionToken } from '../../src/tokens/session-token.js';
import { allow, type Credentials, encodedDenial, type TestService, useService } from '../helpers/service.js';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { createRole, mintRoleSession, outcome } from './session-fixtures.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

async function eventsOf(requestId: string | undefined): Promise<AuditRow[]> {
  if (!requestId) throw new Error('the response carried no request id');
  const rows = await queryAuditEvents(svc.store.db, { limit: 1000 });
  return rows.filter((r) => r.requestId === requestId);
}

/** The request id of a call that failed, and its error name. */
async function failing(call: () => Promise<unknown>): Promise<{ name: string; requestId: string | undefined; message: string }> {
  try {
    await call();
  } catch (err) {
    const e = err as Error & { $metadata?: { requestId?: string } };
    return { name: e.name, requestId: e.$metadata?.requestId, message: e.message };
  }
  throw new Error('the call succeeded');
}

async function countEvents(): Promise<number> {
  return (await queryAuditEvents(svc.store.db, { limit: 10_000 })).length;
}

function details(row: AuditRow | undefined): Record<string, unknown> {
  return JSON.parse(row?.details ?? 'null') as Record<string, unknown>;
}

describe('IAM mutations', () => {
  test('a mutation writes one event with who, what, when, where, the request id and the request', async () => {
    const admin = await svc.userWithPolicy('audit-admin', allow('iam:*'));
    const before = Date.now();
    const out = await svc.iam(admin).send(new CreateUserCommand({ UserName: 'audited-user', Path: '/audit/' }));
    const rows = await eventsOf(out.$metadata.requestId);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row).toMatchObject({
      accountId: acct,
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${acct}:user/audit/audited-user`,
      principalArn: `arn:aws:iam::${acct}:user/audit-admin`,
      accessKeyId: admin.accessKeyId,
      sourceIp: '127.0.0.1',
      decision: 'allow',
      errorCode: null,
      sourceIdentity: null,
    });
    expect(row?.userAgent).toMatch(/aws-sdk-js/);
    expect(row?.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row?.at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(details(row)).toMatchObject({ request: { userName: 'audited-user', path: '/audit/' }, response: { user: { userName: 'audited-user', arn: `arn:aws:iam::${acct}:user/audit/audited-user` } } });
  });

  test('the secret of a new access key is hidden in the event; its id is kept', async () => {
    const { AccessKey, $metadata } = await iam.send(new CreateAccessKeyCommand({ UserName: 'audited-user' }));
    const [row] = await eventsOf($metadata.requestId);
    expect(row?.action).toBe('iam:CreateAccessKey');
    expect(row?.principalArn).toBe(`arn:aws:iam::${acct}:root`);
    expect(details(row)).toMatchObject({ response: { accessKey: { accessKeyId: AccessKey?.AccessKeyId, secretAccessKey: HIDDEN } } });
    expect(row?.details).not.toContain(AccessKey?.SecretAccessKey ?? 'no secret');
  });

  test('a failed mutation (EntityAlreadyExists) writes nothing: its transaction, event included, is rolled back', async () => {
    const before = await countEvents();
    const failed = await failing(() => iam.send(new CreateUserCommand({ UserName: 'audited-user' })));
    expect(failed.name).toBe('EntityAlreadyExistsException');
    expect(await eventsOf(failed.requestId)).toEqual([]);
    expect(await countEvents()).toBe(before);
  });

  test('read-only calls that succeed are not audited', async () => {
    const before = await countEvents();
    const list = await iam.send(new ListUsersCommand({}));
    const get = await iam.send(new GetUserCommand({ UserName: 'audited-user' }));
    const who = await svc.sts().send(new GetCallerIdentityCommand({}));
    for (const r of [list, get, who]) expect(await eventsOf(r.$metadata.requestId)).toEqual([]);
    expect(await countEvents()).toBe(before);
  });
});

describe('denied calls', () => {
  test('AccessDenied writes a deny event with the action, the resource and the reason; nothing was created', async () => {
    const nobody = await svc.userWithPolicy('audit-nobody', allow('iam:GetUser'));
    const denied = await failing(() => svc.iam(nobody).send(new CreateUserCommand({ UserName: 'never-created' })));
    expect(denied.name).toBe('AccessDenied');
    const rows = await eventsOf(denied.requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: acct,
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${acct}:user/never-created`,
      principalArn: `arn:aws:iam::${acct}:user/audit-nobody`,
      accessKeyId: nobody.accessKeyId,
      decision: 'deny',
      errorCode: 'AccessDenied',
    });
    // The reason; not the encoded authorization failure message (sealed details of the event's own fields).
    const reason = `User: arn:aws:iam::${acct}:user/audit-nobody is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${acct}:user/never-created because no identity-based policy allows the iam:CreateUser action`;
    expect(denied.message).toEqual(reason);
    expect(details(rows[0])).toEqual({ message: reason });
    expect(await outcome(() => iam.send(new GetUserCommand({ UserName: 'never-created' })))).toBe('NoSuchEntityException');
  });

  test('with AUTHORIZATION_FAILURE_MESSAGES=encoded the answer carries the encoded message, the event only the reason', async () => {
    const node = await svc.node({ failureMessages: 'encoded' });
    const nobody = await svc.userWithPolicy('audit-encoded', allow('iam:GetUser'));
    const denied = await failing(() => node.iam(nobody).send(new CreateUserCommand({ UserName: 'never-encoded' })));
    const reason = `User: arn:aws:iam::${acct}:user/audit-encoded is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${acct}:user/never-encoded because no identity-based policy allows the iam:CreateUser action`;
    expect(denied.message).toEqual(encodedDenial(reason));
    const rows = await eventsOf(denied.requestId);
    expect(rows).toHaveLength(1);
    expect(details(rows[0])).toEqual({ message: reason });
  });

  test('a denied read is audited too', async () => {
    const nobody: Credentials = await svc.userWithPolicy('audit-reader', allow('iam:GetUser'));
    const denied = await failing(() => svc.iam(nobody).send(new ListUsersCommand({})));
    expect(denied.name).toBe('AccessDenied');
    expect(await eventsOf(denied.requestId)).toMatchObject([{ action: 'iam:ListUsers', resource: '*', decision: 'deny' }]);
  });

  test("a denied role session's event carries its source identity", async () => {
    const user = await svc.userWithPolicy('audit-chain', allow('sts:AssumeRole'));
    await createRole(iam, acct, 'audit-role', allow('iam:GetUser'));
    const session = await mintRoleSession(svc.keyring, iam, { account: acct, roleName: 'audit-role', sessionName: 'alice-s', sourceKeyId: user.accessKeyId, sourceIdentity: 'alice' });
    const denied = await failing(() => svc.iam(session).send(new ListUsersCommand({})));
    expect(denied.name).toBe('AccessDenied');
    expect(await eventsOf(denied.requestId)).toMatchObject([
      { action: 'iam:ListUsers', principalArn: `arn:aws:sts::${acct}:assumed-role/audit-role/alice-s`, accessKeyId: session.accessKeyId, sourceIdentity: 'alice', decision: 'deny' },
    ]);
  });

  test('a credential-type refusal (a role session calling GetSessionToken) is a denied call', async () => {
    const user = await svc.userWithPolicy('audit-chain-2', allow('sts:AssumeRole'));
    const session = await mintRoleSession(svc.keyring, iam, { account: acct, roleName: 'audit-role', sourceKeyId: user.accessKeyId });
    const denied = await failing(() => svc.sts(session).send(new GetSessionTokenCommand({})));
    expect(denied.name).toBe('AccessDenied');
    expect(await eventsOf(denied.requestId)).toMatchObject([{ action: 'sts:GetSessionToken', decision: 'deny', errorCode: 'AccessDenied', resource: null }]);
  });

  test('an AssumeRole the trust policy refuses is a denied call on the role', async () => {
    const other = await svc.newAccount();
    const stranger = await svc.userWithPolicy('audit-stranger', allow('sts:AssumeRole'), other);
    const denied = await failing(() => svc.sts(stranger).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/audit-role`, RoleSessionName: 'nope' })));
    expect(denied.name).toBe('AccessDenied');
    expect(await eventsOf(denied.requestId)).toMatchObject([
      { accountId: other.accountId, action: 'sts:AssumeRole', resource: `arn:aws:iam::${acct}:role/audit-role`, principalArn: `arn:aws:iam::${other.accountId}:user/audit-stranger`, decision: 'deny' },
    ]);
  });

  test('failed authentication is not audited (CloudTrail logs authenticated requests only)', async () => {
    const before = await countEvents();
    const user = await svc.userWithPolicy('audit-forger', allow('iam:*'));
    const afterSetup = await countEvents();
    expect(afterSetup).toBe(before + 3); // CreateUser, PutUserPolicy, CreateAccessKey
    const wrongSecret = await failing(() => svc.iam({ ...user, secretAccessKey: 'x'.repeat(40) }).send(new ListUsersCommand({})));
    expect(wrongSecret.name).toBe('SignatureDoesNotMatch');
    const unknownKey = await failing(() => svc.iam({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) }).send(new ListUsersCommand({})));
    expect(unknownKey.name).toBe('InvalidClientTokenId');
    expect(await countEvents()).toBe(afterSetup);
  });
});

describe('credential issuance', () => {
  test('an issuance writes an event with the temporary key id and the jti, never the secret or the token', async () => {
    const user = await svc.userWithPolicy('audit-issuer', allow('sts:GetSessionToken'));
    const out = await svc.sts(user).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const creds = out.Credentials;
    if (!creds?.AccessKeyId || !creds.SecretAccessKey || !creds.SessionToken) throw new Error('no credentials');
    const rows = await eventsOf(out.$metadata.requestId);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row).toMatchObject({ action: 'sts:GetSessionToken', principalArn: `arn:aws:iam::${acct}:user/audit-issuer`, accessKeyId: user.accessKeyId, decision: 'allow' });
    const d = details(row);
    expect(d).toMatchObject({ accessKeyId: creds.AccessKeyId, sessionType: 'session', sourceAccessKeyId: user.accessKeyId, expiration: creds.Expiration?.toISOString() });
    expect(d['jti']).toMatch(/^[0-9a-f-]{36}$/);
    for (const secret of [creds.SecretAccessKey, creds.SessionToken]) expect(row?.details).not.toContain(secret);
  });

  test('AssumeRole writes an issuance event naming the role, the session name and the jti', async () => {
    const user = await svc.userWithPolicy('audit-assumer', allow('sts:AssumeRole'));
    const out = await svc.sts(user).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/audit-role`, RoleSessionName: 'audited' }));
    const rows = await eventsOf(out.$metadata.requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'sts:AssumeRole', resource: `arn:aws:iam::${acct}:role/audit-role`, decision: 'allow' });
    expect(details(rows[0])).toMatchObject({ accessKeyId: out.Credentials?.AccessKeyId, sessionName: 'audited', sessionArn: out.AssumedRoleUser?.Arn });
    expect(rows[0]?.details).not.toContain(out.Credentials?.SecretAccessKey ?? 'no secret');
  });
});

describe('cross-account issuance', () => {
  test("a cross-account AssumeRole is written to the caller's trail and to the role's account's, both with the jti", async () => {
    const other = await svc.newAccount();
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other.accountId}:root` }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'audit-cross', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const visitor = await svc.userWithPolicy('audit-visitor', allow('sts:AssumeRole'), other);
    const out = await svc.sts(visitor).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/audit-cross`, RoleSessionName: 'visit' }));
    const rows = await eventsOf(out.$metadata.requestId);
    expect(rows.map((r) => r.accountId).sort()).toEqual([acct, other.accountId].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ action: 'sts:AssumeRole', principalArn: `arn:aws:iam::${other.accountId}:user/audit-visitor`, resource: `arn:aws:iam::${acct}:role/audit-cross` });
      expect(details(row)).toMatchObject({ accessKeyId: out.Credentials?.AccessKeyId, sessionAccount: acct });
    }
    expect(details(rows[0])['jti']).toBe(details(rows[1])['jti']);
  });
});

describe('when the audit trail cannot be written', () => {
  /** Make every audit insert fail (the table is gone) for the duration of `fn`. */
  async function withoutAuditTable(fn: () => Promise<void>): Promise<void> {
    await svc.store.db.execute(sql`alter table audit_events rename to audit_events_away`);
    try {
      await fn();
    } finally {
      await svc.store.db.execute(sql`alter table audit_events_away rename to audit_events`);
    }
  }

  test('an issuance fails and returns no credentials', async () => {
    const user = await svc.userWithPolicy('audit-unaudited', allow('sts:GetSessionToken'));
    await withoutAuditTable(async () => {
      let got: unknown;
      const failed = await failing(async () => {
        got = await svc.sts(user).send(new GetSessionTokenCommand({}));
      });
      expect(failed.name).toBe('InternalFailure');
      expect(got).toBeUndefined();
    });
  });

  test('a mutation fails and is rolled back', async () => {
    await withoutAuditTable(async () => {
      expect((await failing(() => iam.send(new CreateUserCommand({ UserName: 'unaudited-user' })))).name).toBe('InternalFailure');
    });
    expect(await outcome(() => iam.send(new GetUserCommand({ UserName: 'unaudited-user' })))).toBe('NoSuchEntityException');
  });

  test('a denied call is still answered AccessDenied, and the lost event is logged as a warning', async () => {
    const nobody = await svc.userWithPolicy('audit-nobody-2', allow('iam:GetUser'));
    await withoutAuditTable(async () => {
      const denied = await failing(() => svc.iam(nobody).send(new ListUsersCommand({})));
      expect(denied.name).toBe('AccessDenied');
      const warning = svc.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'audit event not written' && l['requestId'] === denied.requestId);
      expect(warning).toMatchObject({ level: 'warn', action: 'iam:ListUsers', decision: 'deny', errorCode: 'AccessDenied', error: '42P01' });
    });
  });
});

describe('querying the trail', () => {
  test('filters by account, time, action (exact or prefix) and principal, newest first, limited', async () => {
    const all = await queryAuditEvents(svc.store.db, { accountId: acct, limit: 10_000 });
    expect(all.length).toBeGreaterThan(5);
    const times = all.map((r) => r.at.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));

    const creates = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'iam:CreateUser', limit: 100 });
    expect(creates.length).toBeGreaterThan(0);
    expect(creates.every((r) => r.action === 'iam:CreateUser')).toBe(true);
    const sts = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'sts:*', limit: 100 });
    expect(sts.length).toBeGreaterThan(0);
    expect(sts.every((r) => r.action.startsWith('sts:'))).toBe(true);

    const byRoot = await queryAuditEvents(svc.store.db, { principalArn: `arn:aws:iam::${acct}:root`, limit: 100 });
    expect(byRoot.length).toBeGreaterThan(0);
    expect(byRoot.every((r) => r.principalArn === `arn:aws:iam::${acct}:root`)).toBe(true);

    const newest = all[0];
    if (!newest) throw new Error('no events');
    const since = await queryAuditEvents(svc.store.db, { accountId: acct, since: newest.at, limit: 100 });
    expect(since.map((r) => r.id)).toContain(newest.id);
    expect(since.every((r) => r.at >= newest.at)).toBe(true);
    expect(await queryAuditEvents(svc.store.db, { accountId: acct, limit: 2 })).toHaveLength(2);
    expect(await queryAuditEvents(svc.store.db, { accountId: '000000000000', limit: 100 })).toEqual([]);
  });
});

describe('the whole trail of this file', () => {
  /** 40 characters of base64 with upper, lower and digits: what an AWS secret looks like. */
  const SECRET_SHAPE = /(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]{0,39}[0-9])(?=[A-Za-z0-9+/]{0,39}[a-z])(?=[A-Za-z0-9+/]{0,39}[A-Z])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/])/;

  function strings(v: unknown): string[] {
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.flatMap(strings);
    if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
    return [];
  }

  test('holds no secret access key and no session token', async () => {
    const rows = await queryAuditEvents(svc.store.db, { limit: 10_000 });
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      const text = JSON.stringify(row);
      expect(text, text).not.toMatch(SECRET_SHAPE);
      for (const s of strings(JSON.parse(row.details ?? 'null'))) expect(openSessionToken(svc.keyring, s), s).toBeUndefined();
    }
  });
});
