/**
 * The request deadline (REQUEST_DEADLINE_MS) and what it means for a write: a request still
 * waiting for the database when its deadline passes answers ServiceUnavailable (503) at the
 * deadline, and its transaction is rolled back instead of committed, whenever it gets to run
 * (src/store/db.ts, withinDeadline). Both backends: here the database is not lost, only busy (a
 * transaction of the test's own holds what the request needs).
 */
import { CreateUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { DeadlineExceeded, rowsOf, type Deadline } from '../../src/store/db.js';
import { type TestService, useService } from '../helpers/service.js';
import { backend } from '../helpers/store.js';

const DEADLINE_MS = 800;
const SLACK_MS = 600;

let svc: TestService;
useService((s) => ({ svc } = s), { requestDeadlineMs: DEADLINE_MS });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function userExists(name: string): Promise<boolean> {
  const rows = rowsOf<{ n: number }>(await svc.store.db.execute(sql`select count(*)::int as n from users where account_id = ${svc.account.accountId} and name = ${name}`));
  return (rows[0]?.n ?? 0) > 0;
}

function logLines(msg: string): Record<string, unknown>[] {
  return svc.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === msg);
}

describe(`the request deadline (${backend})`, () => {
  test('a transaction whose deadline passed before it got its connection never runs', async () => {
    let ran = false;
    const expired: Deadline = { expired: true };
    await expect(svc.store.tx(async () => void (ran = true), expired)).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(ran).toBe(false);
  });

  test('a transaction whose deadline passes while it runs is rolled back, not committed', async () => {
    const deadline = { expired: false };
    const insert = svc.store.tx(async (t) => {
      await t.execute(sql`insert into users (id, account_id, name, name_lower, path, created_at) values ('AIDADEADLINE00000001', ${svc.account.accountId}, 'expired-in-tx', 'expired-in-tx', '/', now())`);
      deadline.expired = true; // the request answered 503 meanwhile
    }, deadline);
    await expect(insert).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(await userExists('expired-in-tx')).toBe(false);
  });

  test(`a CreateUser still waiting for the database at its ${DEADLINE_MS} ms deadline answers ServiceUnavailable (503) then, and is rolled back when it gets to run`, async () => {
    const iam = svc.iam();
    expect((await iam.send(new ListUsersCommand({}))).Users).toBeDefined(); // the root key is cached: authentication needs no database
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    // The test's own transaction takes the same user name first (PostgreSQL: the request's insert
    // waits on the unique index; PGlite: its one connection is ours until we end).
    const blocker = svc.store
      .tx(async (t) => {
        await t.execute(sql`insert into users (id, account_id, name, name_lower, path, created_at) values ('AIDADEADLINE00000002', ${svc.account.accountId}, 'held-up', 'held-up', '/', now())`);
        await held;
        throw new Error('rollback');
      })
      .catch(() => {});
    const started = performance.now();
    const answer = await iam.send(new CreateUserCommand({ UserName: 'held-up' })).then(
      () => 'ok',
      (err: unknown) => `${(err as Error).name} ${(err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? '?'}`,
    );
    const elapsed = performance.now() - started;
    expect(answer).toBe('ServiceUnavailable 503');
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);

    // Our transaction ends: the request's goes on, and rolls back instead of committing.
    release();
    await blocker;
    for (let i = 0; i < 100 && logLines('finished after the request deadline').length === 0; i++) await sleep(50);
    const [late] = logLines('finished after the request deadline');
    expect(late).toMatchObject({ action: 'CreateUser', outcome: 'ServiceUnavailable' });
    expect(await userExists('held-up')).toBe(false);
    // And the name is free: nothing was left behind.
    await iam.send(new CreateUserCommand({ UserName: 'held-up' }));
    expect(await userExists('held-up')).toBe(true);
  });
});
