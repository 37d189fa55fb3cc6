/**
 * Several app instances ("nodes") on one PostgreSQL database, for the cross-node tests: each a full
 * service with its own Store (pool and LISTEN connection), sharing only the database and the keys.
 */
import { afterAll, beforeAll } from 'vitest';
import { createAccount, type NewAccount } from '../../src/accounts/accounts.js';
import { silentLogger } from '../../src/log.js';
import { createService, listen, type Listening, type Service } from '../../src/service.js';
import type { Store } from '../../src/store/db.js';
import type { Keyring } from '../../src/tokens/keyring.js';
import { backend, openTestStore, type TestStore } from '../helpers/store.js';

/** On PGlite the skipped cases say why in their name. */
export const pgOnly = (name: string): string =>
  backend === 'pglite' ? `${name} (skipped: PGlite is one process, a second node needs PostgreSQL; set LATCHKEY_TEST_DATABASE_URL)` : name;

export interface Node {
  readonly store: Store;
  readonly service: Service;
  readonly server: Listening;
}

export async function startNode(store: Store, keyring: Keyring): Promise<Node> {
  const service = createService({ store, keyring, logger: silentLogger });
  return { store, service, server: await listen(service, 0, '127.0.0.1') };
}

/** Stop serving (the stores are closed by their owner). */
export async function stopNodes(nodes: readonly (Node | undefined)[]): Promise<void> {
  for (const n of nodes) {
    if (!n) continue;
    await n.server.close();
    n.service.dispose();
  }
}

export interface TwoNodes {
  readonly testStore: TestStore;
  /** On the test store's own handle. */
  readonly a: Node;
  /** On a second handle (its own pool and LISTEN connection). */
  readonly b: Node;
  /** An account created through node A. */
  readonly account: NewAccount;
}

/**
 * Two nodes on one fresh database for the calling test file (PostgreSQL only: on PGlite nothing
 * is started and `ready` is not called). `ready` gets them before the first test; after the last,
 * `clients` are destroyed, the nodes stopped and the database dropped.
 */
export function useTwoNodes(keyring: Keyring, clients: readonly { destroy(): void }[], ready: (nodes: TwoNodes) => unknown): void {
  let testStore: TestStore | undefined;
  const started: Node[] = [];
  beforeAll(async () => {
    if (backend === 'pglite') return;
    testStore = await openTestStore();
    const a = await startNode(testStore.store, keyring);
    started.push(a);
    const b = await startNode(await testStore.openAnother(), keyring);
    started.push(b);
    const account = await createAccount(a.store, keyring, new Date());
    await ready({ testStore, a, b, account });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await stopNodes(started);
    await testStore?.close();
  });
}

export const median = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
export const ms = (x: number): string => `${x.toFixed(1)} ms`;
