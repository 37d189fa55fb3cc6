/**
 * The service under `npm run fuzz`, in its own process (forked by bench/fuzz.ts, as
 * bench/http-server.ts is by the HTTP bench) so that its memory is its own: Latchkey on
 * 127.0.0.1 over a file-backed PGlite in a scratch directory (as `npm start` runs it) or over a
 * scratch PostgreSQL database. Its access log is formatted and dropped; lines at level error
 * (an unexpected failure) go to stderr and are counted. Driven over IPC: start → ready,
 * stats → stats, stop → exit.
 */
import { createAccount, type NewAccount } from '../src/accounts/accounts.js';
import { createLogger } from '../src/log.js';
import { createService, listen } from '../src/service.js';
import { openStore } from '../src/store/db.js';
import { Keyring } from '../src/tokens/keyring.js';

export type FuzzBackend = 'pglite' | 'postgres';

export type ToFuzzServer =
  | { readonly type: 'start'; readonly backend: FuzzBackend; readonly databaseUrl?: string; readonly dataDir?: string; readonly key: { readonly kid: string; readonly created: string; readonly key: string } }
  | { readonly type: 'stats' }
  | { readonly type: 'stop' };

export interface ServerStats {
  /** Log lines at level error: unexpected failures inside the service. */
  readonly errorLines: number;
  readonly heapUsed: number;
  readonly external: number;
  /** Entries in each in-memory cache, to find the one that grows. */
  readonly caches: Readonly<Record<string, number>>;
}

export type FromFuzzServer =
  | { readonly type: 'ready'; readonly url: string; readonly root: NewAccount }
  | { readonly type: 'stats'; readonly stats: ServerStats }
  | { readonly type: 'failed'; readonly message: string };

function send(message: FromFuzzServer, then?: () => void): void {
  if (process.send) process.send(message, undefined, {}, () => then?.());
  else then?.();
}

async function main(): Promise<void> {
  const start = await new Promise<Extract<ToFuzzServer, { type: 'start' }>>((resolve) => {
    process.once('message', (m: ToFuzzServer) => {
      if (m.type === 'start') resolve(m);
    });
  });
  const store = await openStore(start.backend === 'postgres' ? { databaseUrl: start.databaseUrl } : { dataDir: start.dataDir });
  await store.migrate();
  const keyring = new Keyring([{ kid: start.key.kid, created: start.key.created, key: Buffer.from(start.key.key, 'base64') }]);
  let errorLines = 0;
  const logger = createLogger('info', (line) => {
    if (!line.includes('"level":"error"')) return;
    errorLines++;
    // The first few in full, then one line in a thousand: enough to find the cause.
    if (errorLines <= 20 || errorLines % 1000 === 0) process.stderr.write(`server: ${line}\n`);
  });
  const service = createService({ store, keyring, logger });
  // Loopback only, whatever the environment says.
  const server = await listen(service, 0, '127.0.0.1');
  const root = await createAccount(store, keyring, new Date());
  send({ type: 'ready', url: server.url, root });

  process.on('message', (m: ToFuzzServer) => {
    if (m.type === 'stats') {
      const { heapUsed, external } = process.memoryUsage();
      const { caches } = service;
      const { policyCache } = service.registry;
      send({
        type: 'stats',
        stats: {
          errorLines,
          heapUsed,
          external,
          caches: { keys: caches.keys.size, principals: caches.principals.size, revoked: caches.revoked.size, roles: caches.roles.size, policies: policyCache.size },
        },
      });
    } else if (m.type === 'stop') {
      setTimeout(() => process.exit(0), 15_000).unref();
      void (async () => {
        if ('closeAllConnections' in server.server) server.server.closeAllConnections();
        await server.close();
        service.dispose();
        await store.close();
        process.exit(0);
      })();
    }
  });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1));
});
