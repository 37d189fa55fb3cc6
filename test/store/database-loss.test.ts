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
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAccount, type NewAccount } from '../../src/accounts/accounts.js';
import { createLogger } from '../../src/log.js';
import { createService, listen, type Listening, type Service } from '../../src/service.js';
import { openStore, rowsOf, type Store } from '../../src/store/db.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { isDeadConnectionWriteBug } from '../../src/store/driver-bugs.js';
import { backend, openTestStore, type TestStore } from '../helpers/store.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const pgOnly = (name: string) => (backend === 'pglite' ? `${name} (skipped: PGlite runs in-process and cannot be cut off; set LATCHKEY_TEST_DATABASE_URL)` : name);

let testStore: TestStore;
let proxy: TcpProxy;
let store: Store;
let service: Service;
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

/** 'ok', or the error name and HTTP status the SDK reports. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `${(err as Error).name} ${status ?? '?'}`;
  }
}

async function readyz(): Promise<number> {
  return (await fetch(`${server.url}/readyz`)).status;
}

const logged = (msg: string) => logs.filter((l) => (JSON.parse(l) as { msg?: string }).msg === msg).length;

beforeAll(async () => {
  if (backend === 'pglite') return;
  testStore = await openTestStore();
  const [row] = rowsOf<{ db: string }>(await testStore.store.db.execute(sql`select current_database() as db`));
  const url = new URL(process.env.LATCHKEY_TEST_DATABASE_URL ?? '');
  url.pathname = `/${row?.db ?? ''}`;
  proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  store = await openStore({ databaseUrl: url.toString(), poolSize: 4 });
  service = createService({ store, keyring, logger: createLogger('debug', (line) => void logs.push(line)) });
  server = await listen(service, 0, '127.0.0.1');
  account = await createAccount(store, keyring, new Date());
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.close();
  service?.dispose();
  await store?.close();
  await proxy?.close();
  await testStore?.close();
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
    // KNOWN BUG, see the report on db.ts: postgres.js 3.4.9 writes the transaction's ROLLBACK to
    // the dead connection from a setImmediate and throws there (porsager/postgres#1208; fixes
    // proposed in #1209 and #1215). In the server nothing catches it: the process exits. Only that
    // exact crash is tolerated here, so anything else still fails the test.
    if (crashes.length > 0) console.log(`[database-loss] KNOWN postgres.js BUG: ${crashes.length} uncaught exception(s) after the in-flight transaction's connection died: ${crashes.map((e) => e.message).join('; ')}`);
    // main.ts recognises exactly this error (src/store/driver-bugs.ts) and keeps serving.
    for (const e of crashes) expect(isDeadConnectionWriteBug(e)).toBe(true);
  });
});

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
