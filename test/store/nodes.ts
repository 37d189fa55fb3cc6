/**
 * Several app instances ("nodes") on one PostgreSQL database, for the cross-node tests: each a full
 * service with its own Store (pool and LISTEN connection), sharing only the database and the keys.
 */
import { silentLogger } from '../../src/log.js';
import { createService, listen, type Listening, type Service } from '../../src/service.js';
import type { Store } from '../../src/store/db.js';
import type { Keyring } from '../../src/tokens/keyring.js';
import { backend } from '../helpers/store.js';

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

export const median = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
export const ms = (x: number): string => `${x.toFixed(1)} ms`;
