/**
 * Losing the database: a request that needs it answers ServiceUnavailable (503), never
 * InternalFailure (500) and never a wrong answer such as InvalidClientTokenId for a key that could
 * not be looked up; the service recovers by itself once the database is back, without a restart.
 *
 * The service reaches its own database through a TCP proxy the test cuts (every connection
 * destroyed, new ones refused: a database restart or a closed port) and restores. PostgreSQL only:
 * PGlite runs inside the process and cannot be cut off.
 */
import { CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { createAccount, type NewAccount } from '../../src/accounts/accounts.js';
import type { Listening } from '../../src/service.js';
import { openStore, rowsOf, type Store } from '../../src/store/db.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { backend, type TestStore } from '../helpers/store.js';
import { useProxiedService } from './proxied-service.js';
import type { TcpProxy } from './tcp-proxy.js';
import { outcome } from '../helpers/outcome.js';

const pgOnly = (name: string) => (backend === 'pglite' ? `${name} (skipped: PGlite runs in-process and cannot be cut off; set LATCHKEY_TEST_DATABASE_URL)` : name);

let testStore: TestStore;
let proxy: TcpProxy;
let store: Store;
let server: Listening;
let account: NewAccount;
const logs: string[] = [];
const keyring = new Keyring([generateKey(new Date())]);
const clients: IAMClient[] = [];

function iam(who: NewAccount): IAMClient {
  const c = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey }, maxAttempts: 1 });
  clients.push(c);
  return c;
}


async function readyz(): Promise<number> {
  return (await fetch(`${server.url}/readyz`)).status;
}

const logged = (msg: string) => logs.filter((l) => (JSON.parse(l) as { msg?: string }).msg === msg).length;

useProxiedService({ keyring, logs, clients }, async (s) => {
  ({ testStore, proxy, store, server } = s);
  account = await createAccount(store, keyring, new Date());
});

describe(`database loss (${backend})`, () => {
  test.skipIf(backend === 'pglite')(pgOnly('while the database is unreachable, requests that need it answer ServiceUnavailable (503); the next request after it is back succeeds'), async () => {
    const root = iam(account);
    expect(await outcome(root.send(new ListUsersCommand({})))).toBe('ok');
    // An account whose key this service has never looked up, so authenticating it needs the database.
    const stranger = await createAccount(testStore.store, keyring, new Date());
    const unexpectedBefore = logged('unexpected failure');

    await proxy.cut();
    expect(await outcome(root.send(new ListUsersCommand({})))).toBe('ServiceUnavailable 503'); // a read
    expect(await outcome(root.send(new CreateUserCommand({ UserName: 'during-outage' })))).toBe('ServiceUnavailable 503'); // a write
    expect(await outcome(iam(stranger).send(new ListUsersCommand({})))).toBe('ServiceUnavailable 503'); // authentication itself
    expect(await readyz()).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // the process is fine
    expect(logged('unexpected failure')).toBe(unexpectedBefore);
    expect(logged('database unavailable')).toBeGreaterThanOrEqual(3);

    await proxy.restore();
    const healed = performance.now();
    expect(await outcome(root.send(new ListUsersCommand({})))).toBe('ok');
    const firstAnswer = performance.now() - healed;
    expect(await outcome(root.send(new CreateUserCommand({ UserName: 'after-outage' })))).toBe('ok');
    expect(await outcome(iam(stranger).send(new ListUsersCommand({})))).toBe('ok');
    expect(await readyz()).toBe(200);
    console.log(`[database-loss] first request after the database came back succeeded in ${firstAnswer.toFixed(1)} ms`);
  });

  test.skipIf(backend === 'pglite')(pgOnly('connections terminated by the server answer ServiceUnavailable at worst, never InternalFailure, and the service recovers by itself'), async () => {
    const root = iam(account);
    // Open every pooled connection.
    await Promise.all(Array.from({ length: 8 }, () => root.send(new ListUsersCommand({}))));
    const unexpectedBefore = logged('unexpected failure');
    // Every other backend on this database (the service's pool and LISTEN connection), one by one:
    // in a single WHERE clause the planner may terminate our own backend first.
    const terminated = rowsOf<{ pid: number }>(await testStore.store.db.execute(sql`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`));
    for (const { pid } of terminated) await testStore.store.db.execute(sql`select pg_terminate_backend(${pid}::int)`);
    expect(terminated.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));

    const answers: string[] = [];
    for (let i = 0; i < 8; i++) answers.push(await outcome(root.send(new ListUsersCommand({}))));
    console.log(`[database-loss] after pg_terminate_backend of ${terminated.length} connections, the next requests answered: ${answers.join(', ')}`);
    for (const a of answers) expect(['ok', 'ServiceUnavailable 503']).toContain(a);
    expect(answers.slice(-2)).toEqual(['ok', 'ok']);
    expect(logged('unexpected failure')).toBe(unexpectedBefore);
  });

  test.skipIf(backend === 'pglite')(pgOnly('a request whose connection is terminated while it runs answers ServiceUnavailable (503)'), async () => {
    const root = iam(account);
    const unexpectedBefore = logged('unexpected failure');
    let inFlight: Promise<string> | undefined;
    const crashes = await collectingUncaught(async () => {
      // Our transaction inserts the same user name first, so the service's insert waits on the
      // unique index until we end: that is when we terminate its connections.
      await testStore.store
        .tx(async (t) => {
          await t.execute(sql`insert into users (id, account_id, name, name_lower, path, created_at) values ('AIDAINFLIGHT00000000A', ${account.accountId}, 'in-flight', 'in-flight', '/', now())`);
          inFlight = outcome(root.send(new CreateUserCommand({ UserName: 'in-flight' })));
          const waiting = async () => rowsOf<{ n: number }>(await t.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`))[0]?.n ?? 0;
          for (let i = 0; i < 200 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 10));
          expect(await waiting()).toBe(1);
          const others = rowsOf<{ pid: number }>(await t.execute(sql`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`));
          for (const { pid } of others) await t.execute(sql`select pg_terminate_backend(${pid}::int)`);
          throw new Error('rollback');
        })
        .catch(() => {});
      expect(await inFlight).toBe('ServiceUnavailable 503');
    });
    expect(await outcome(root.send(new CreateUserCommand({ UserName: 'in-flight' })))).toBe('ok');
    expect(logged('unexpected failure')).toBe(unexpectedBefore);
    // porsager/postgres#1208: unpatched, postgres.js 3.4.x writes the transaction's ROLLBACK to the
    // dead connection from a setImmediate and throws there, where nothing can catch it (the server
    // would exit). scripts/patch-postgres.mjs, applied at install, fixes it.
    expect(crashes.map((e) => e.message)).toEqual([]);
  });

  test.skipIf(backend === 'pglite')(pgOnly('regression porsager/postgres#1208: connections killed inside transactions never crash the process, a statement after the kill is refused rather than run outside the transaction, and every pooled connection works again'), async () => {
    const [row] = rowsOf<{ db: string }>(await testStore.store.db.execute(sql`select current_database() as db`));
    const url = new URL(process.env.LATCHKEY_TEST_DATABASE_URL ?? '');
    url.pathname = `/${row?.db ?? ''}`;
    const pool = await openStore({ databaseUrl: url.toString(), poolSize: 2 });
    try {
      const crashes = await collectingUncaught(async () => {
        for (let round = 0; round < 3; round++) {
          const pids: number[] = [];
          const after: string[] = [];
          const transactions = [0, 1].map((i) =>
            pool
              .tx(async (t) => {
                pids.push(rowsOf<{ pid: number }>(await t.execute(sql`select pg_backend_pid() as pid`))[0]?.pid ?? 0);
                try {
                  await t.execute(sql`select pg_sleep(5)`);
                } catch {
                  // The handler goes on after its statement failed: the next statement must be
                  // refused, never sent on a new connection outside the transaction.
                  await t.execute(sql`insert into users (id, account_id, name, name_lower, path, created_at) values (${`AIDA1208R${round}C${i}00000000`.slice(0, 21)}, ${account.accountId}, ${`orphan-${round}-${i}`}, ${`orphan-${round}-${i}`}, '/', now())`).then(
                    () => after.push('ran'),
                    (e: unknown) => after.push(codeOf(e)),
                  );
                }
              })
              .then(() => 'committed', codeOf),
          );
          while (pids.length < 2) await new Promise((r) => setTimeout(r, 10));
          await new Promise((r) => setTimeout(r, 50)); // both are in pg_sleep
          for (const pid of pids) await testStore.store.db.execute(sql`select pg_terminate_backend(${pid}::int)`);
          const outcomes = await Promise.all(transactions);
          expect(outcomes).toEqual(['CONNECTION_CLOSED', 'CONNECTION_CLOSED']);
          for (let i = 0; i < 100 && after.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
          expect(after).toEqual(['CONNECTION_CLOSED', 'CONNECTION_CLOSED']);
          // Both connections reconnect and answer (the pool is not poisoned: #1208's cancelled write).
          const started = performance.now();
          const answers = await Promise.all(Array.from({ length: 6 }, () => pool.db.execute(sql`select 1 as one`).then(() => 'ok', (e: unknown) => String((e as { code?: string }).code))));
          expect(answers).toEqual(Array(6).fill('ok'));
          expect(performance.now() - started).toBeLessThan(3000);
          expect(await pool.tx(async (t) => rowsOf<{ one: number }>(await t.execute(sql`select 1 as one`))[0]?.one)).toBe(1);
        }
      });
      expect(crashes.map((e) => e.message)).toEqual([]);
      const orphans = rowsOf<{ n: number }>(await testStore.store.db.execute(sql`select count(*)::int as n from users where name like 'orphan-%'`));
      expect(orphans[0]?.n).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);
});

/** The driver's error code, through drizzle's wrapping (DrizzleQueryError's cause). */
function codeOf(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return String(err);
}

/**
 * Run `fn`, collecting uncaught exceptions instead of letting them reach the test runner, and
 * return them (a server would have died of them).
 */
async function collectingUncaught(fn: () => Promise<void>): Promise<Error[]> {
  const saved = process.listeners('uncaughtException');
  const crashes: Error[] = [];
  const collect = (e: Error) => void crashes.push(e);
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', collect);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 200)); // let pending immediates and timers run
  } finally {
    process.off('uncaughtException', collect);
    for (const l of saved) process.on('uncaughtException', l);
  }
  return crashes;
}
