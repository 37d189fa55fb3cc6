/**
 * Quotas hold under concurrent creates: many creates fired at once at a quota with room for only
 * some of them never end above it (src/store/accounts.ts, lockQuota). Without the lock, under READ
 * COMMITTED, concurrent creates each count the same number and all insert.
 *
 * Through the real HTTP service and SDK. On PGlite the one connection serializes transactions
 * anyway; the race is PostgreSQL's, where these tests matter most.
 */
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { MAX_ACCESS_KEYS } from '../../src/iam/access-keys.js';
import { MAX_GROUPS_PER_USER } from '../../src/iam/groups.js';
import { MAX_VERSIONS } from '../../src/iam/policy-versions.js';
import { MAX_TAGS } from '../../src/iam/tags.js';
import { MAX_USERS } from '../../src/iam/users.js';
import { rowsOf } from '../../src/store/db.js';
import { type TestService, useService } from '../helpers/service.js';
import { backend } from '../helpers/store.js';

let svc: TestService;
useService((s) => ({ svc } = s));

/** Fire `n` requests at once; the SDK's error name for each ('ok' for success). */
async function fire(n: number, send: (i: number) => Promise<unknown>): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => send(i).then(() => 'ok', (err: unknown) => (err as Error).name)));
}

const tally = (answers: readonly string[]) => answers.reduce<Record<string, number>>((t, a) => ({ ...t, [a]: (t[a] ?? 0) + 1 }), {});

async function count(query: ReturnType<typeof sql>): Promise<number> {
  return Number(rowsOf<{ n: number | string }>(await svc.store.db.execute(query))[0]?.n ?? -1);
}

const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] });

describe(`quotas hold under concurrent creates (${backend})`, () => {
  test(`AccessKeysPerUser: ${12} concurrent CreateAccessKey for one user, exactly ${MAX_ACCESS_KEYS} succeed`, async () => {
    const iam = svc.iam();
    await iam.send(new CreateUserCommand({ UserName: 'racer-keys' }));
    const answers = await fire(12, () => iam.send(new CreateAccessKeyCommand({ UserName: 'racer-keys' })));
    expect(tally(answers)).toEqual({ ok: MAX_ACCESS_KEYS, LimitExceededException: 12 - MAX_ACCESS_KEYS });
    expect(await count(sql`select count(*)::int as n from access_keys k join users u on u.id = k.user_id where u.name = 'racer-keys'`)).toBe(MAX_ACCESS_KEYS);
  });

  test(`AccessKeysPerUser for root: concurrent CreateAccessKey without UserName never leave root above ${MAX_ACCESS_KEYS} keys`, async () => {
    const other = await svc.newAccount(); // one root key already
    const iam = svc.iam({ accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    const answers = await fire(10, () => iam.send(new CreateAccessKeyCommand({})));
    expect(tally(answers)).toEqual({ ok: MAX_ACCESS_KEYS - 1, LimitExceededException: 10 - (MAX_ACCESS_KEYS - 1) });
    expect(await count(sql`select count(*)::int as n from access_keys where account_id = ${other.accountId} and user_id is null`)).toBe(MAX_ACCESS_KEYS);
  });

  test(`UsersPerAccount: with room for 3 more users, 20 concurrent CreateUser create exactly 3`, async () => {
    const other = await svc.newAccount();
    // Fill the account up to the quota less 3, directly: 4,997 users through the API would take minutes.
    await svc.store.db.execute(sql`insert into users (id, account_id, name, name_lower, path, created_at)
      select 'AIDAFILL' || ${other.accountId} || lpad(g::text, 5, '0'), ${other.accountId}, 'fill-' || g, 'fill-' || g, '/', now()
      from generate_series(1, ${MAX_USERS - 3}::int) g`);
    const iam = svc.iam({ accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    const answers = await fire(20, (i) => iam.send(new CreateUserCommand({ UserName: `racer-${i}` })));
    expect(tally(answers)).toEqual({ ok: 3, LimitExceededException: 17 });
    expect(await count(sql`select count(*)::int as n from users where account_id = ${other.accountId}`)).toBe(MAX_USERS);
  });

  test(`GroupsPerUser: ${MAX_GROUPS_PER_USER + 6} concurrent AddUserToGroup for one user, exactly ${MAX_GROUPS_PER_USER} succeed`, async () => {
    const iam = svc.iam();
    const n = MAX_GROUPS_PER_USER + 6;
    await iam.send(new CreateUserCommand({ UserName: 'racer-member' }));
    for (let i = 0; i < n; i++) await iam.send(new CreateGroupCommand({ GroupName: `racer-group-${i}` }));
    const answers = await fire(n, (i) => iam.send(new AddUserToGroupCommand({ UserName: 'racer-member', GroupName: `racer-group-${i}` })));
    expect(tally(answers)).toEqual({ ok: MAX_GROUPS_PER_USER, LimitExceededException: 6 });
    expect(await count(sql`select count(*)::int as n from group_members m join users u on u.id = m.user_id where u.name = 'racer-member'`)).toBe(MAX_GROUPS_PER_USER);
  });

  test(`policy versions: 10 concurrent CreatePolicyVersion on a policy with one version, exactly ${MAX_VERSIONS - 1} succeed`, async () => {
    const iam = svc.iam();
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'racer-policy', PolicyDocument: POLICY }));
    const arn = Policy?.Arn ?? '';
    const answers = await fire(10, () => iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: POLICY })));
    expect(tally(answers)).toEqual({ ok: MAX_VERSIONS - 1, LimitExceededException: 10 - (MAX_VERSIONS - 1) });
    expect(await count(sql`select count(*)::int as n from policy_versions v join managed_policies p on p.id = v.policy_id where p.name = 'racer-policy'`)).toBe(MAX_VERSIONS);
  });

  test(`tags per user: 8 concurrent TagUser of 10 new keys each never leave the user above ${MAX_TAGS} tags`, async () => {
    const iam = svc.iam();
    await iam.send(new CreateUserCommand({ UserName: 'racer-tags' }));
    const answers = await fire(8, (i) => iam.send(new TagUserCommand({ UserName: 'racer-tags', Tags: Array.from({ length: 10 }, (_, j) => ({ Key: `k${i}-${j}`, Value: 'v' })) })));
    expect(tally(answers)).toEqual({ ok: MAX_TAGS / 10, LimitExceededException: 8 - MAX_TAGS / 10 });
    expect(await count(sql`select count(*)::int as n from tags t join users u on u.id = t.owner_id where u.name = 'racer-tags'`)).toBe(MAX_TAGS);
  });
});
