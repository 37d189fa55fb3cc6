/**
 * A service that reaches its own fresh database through a TCP proxy the test can cut, silence and
 * restore (tcp-proxy.ts), for the outage and loss suites. PostgreSQL only: PGlite runs inside the
 * process and cannot be cut off, so on PGlite nothing is started and `ready` is not called.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createService, listen, type Listening, type Service } from '../../src/service.js';
import { openStore, rowsOf, type Store } from '../../src/store/db.js';
import type { Keyring } from '../../src/tokens/keyring.js';
import { backend, openTestStore, type TestStore } from '../helpers/store.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface ProxiedService {
  /** The database, reached directly (not through the proxy). */
  readonly testStore: TestStore;
  readonly proxy: TcpProxy;
  /** The service's own store, through the proxy. */
  readonly store: Store;
  readonly service: Service;
  readonly server: Listening;
}

export interface ProxiedOptions {
  readonly keyring: Keyring;
  /** Where the service's log lines go (JSON text). */
  readonly logs: string[];
  /** Destroyed after the last test, before the service stops. */
  readonly clients: readonly { destroy(): void }[];
  /** REQUEST_DEADLINE_MS, and the store's statement_timeout with it; default none. */
  readonly deadlineMs?: number;
}

export function useProxiedService(options: ProxiedOptions, ready: (s: ProxiedService) => unknown): void {
  let testStore: TestStore | undefined;
  let proxy: TcpProxy | undefined;
  let store: Store | undefined;
  let service: Service | undefined;
  let server: Listening | undefined;
  beforeAll(async () => {
    if (backend === 'pglite') return;
    testStore = await openTestStore();
    const [row] = rowsOf<{ db: string }>(await testStore.store.db.execute(sql`select current_database() as db`));
    const url = new URL(process.env.LATCHKEY_TEST_DATABASE_URL ?? '');
    url.pathname = `/${row?.db ?? ''}`;
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    store = await openStore({ databaseUrl: url.toString(), poolSize: 4, statementTimeoutMs: options.deadlineMs });
    service = createService({ store, keyring: options.keyring, logger: createLogger('debug', (line) => void options.logs.push(line)), requestDeadlineMs: options.deadlineMs });
    server = await listen(service, 0, '127.0.0.1');
    await ready({ testStore, proxy, store, service, server });
  });
  afterAll(async () => {
    for (const c of options.clients) c.destroy();
    await server?.close();
    service?.dispose();
    await store?.close();
    await proxy?.close();
    await testStore?.close();
  });
}
