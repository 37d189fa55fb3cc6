/**
 * The composition root: the only place that reads process.env and owns the file system. Parse the
 * configuration (every problem at once), load or create the keys, open and migrate the store,
 * create the first account, listen, and shut down gracefully on SIGINT/SIGTERM. With WORKERS
 * above 1 this process does the start-up steps once, then supervises that many worker processes
 * (node:cluster) which serve on the shared port.
 */
import cluster from 'node:cluster';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bootstrapFirstAccount } from './accounts/accounts.js';
import { parseConfig, type Config } from './config.js';
import { bufferedWriter, createLogger, type Logger } from './log.js';
import { createService, listen } from './service.js';
import { openStore, type Store } from './store/db.js';
import type { Keyring } from './tokens/keyring.js';
import { loadKeyring, requireKeysInProduction } from './boot/keyring.js';
import { lockPglite } from './boot/pglite-lock.js';
import { countAccounts } from './store/accounts.js';

const ROOT_CREDENTIALS_FILE = 'root-credentials.json';

/** The embedded database under DATA_DIR, locked against a second process (PGlite takes no lock). */
async function openConfiguredStore(config: Config): Promise<{ store: Store; release: () => Promise<void> }> {
  if (config.databaseUrl) return { store: await openStore({ databaseUrl: config.databaseUrl, statementTimeoutMs: config.requestDeadlineMs }), release: async () => {} };
  const release = await lockPglite(resolve(config.dataDir, 'pglite.lock'), 'latchkey server', new Date());
  try {
    const dir = resolve(config.dataDir, 'pglite');
    await mkdir(dir, { recursive: true });
    return { store: await openStore({ dataDir: dir }), release };
  } catch (err) {
    await release();
    throw err;
  }
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`Configuration problems:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  const config = parsed.config;
  // Log lines go out together once per event-loop turn; whatever is pending is written at exit.
  const stdout = bufferedWriter((chunk) => void process.stdout.write(chunk));
  process.on('exit', stdout.flush);
  const write = stdout.write;
  if (cluster.isWorker) {
    await serveAsWorker(config, createLogger(config.logLevel, write, Date.now, { worker: cluster.worker?.id }));
    return;
  }
  const logger = createLogger(config.logLevel, write);
  // Production without keys refuses before the database is touched.
  await requireKeysInProduction(config);
  const { store, release } = await openConfiguredStore(config);
  await store.migrate();
  const keyring = await loadKeyring(config, new Date(), (await countAccounts(store.db)) === 0, (detail) =>
    logger.warn('DEVELOPMENT KEYS GENERATED', { detail }),
  );

  const created = await bootstrapFirstAccount(store, keyring, new Date(), {
    accountId: config.accountId,
    rootAccessKeyId: config.rootAccessKeyId,
    rootSecretAccessKey: config.rootSecretAccessKey,
  });
  if (created) {
    if (config.rootSecretAccessKey) {
      logger.info('first account created', { accountId: created.accountId, accessKeyId: created.accessKeyId, detail: 'root key from STS_ROOT_ACCESS_KEY_ID / STS_ROOT_SECRET_ACCESS_KEY' });
    } else {
      // The secret goes to a file only its owner can read, never to the log.
      await mkdir(config.dataDir, { recursive: true });
      const file = resolve(config.dataDir, ROOT_CREDENTIALS_FILE);
      await writeFile(file, `${JSON.stringify({ AccountId: created.accountId, AccessKeyId: created.accessKeyId, SecretAccessKey: created.secretAccessKey }, null, 2)}\n`, { mode: 0o600 });
      logger.warn('first account created: root credentials written once', {
        accountId: created.accountId,
        accessKeyId: created.accessKeyId,
        file,
        detail: `Read the root secret from ${file}, store it somewhere safe, then delete the file. Or start with STS_ROOT_ACCESS_KEY_ID and STS_ROOT_SECRET_ACCESS_KEY set.`,
      });
    }
  }

  if (config.workers > 1) {
    // Keys, migrations and the first account are settled: the workers only serve.
    await store.close();
    await release();
    supervise(config, logger);
    return;
  }
  await serve(config, logger, store, keyring, release);
}

/**
 * One of WORKERS processes: its own store (pool and LISTEN connection, so to the caches it is one
 * more node) and the keys the primary loaded or generated; the port is shared through node:cluster.
 */
async function serveAsWorker(config: Config, logger: Logger): Promise<void> {
  const { store, release } = await openConfiguredStore(config);
  const keyring = await loadKeyring(config, new Date(), false, () => {});
  await serve(config, logger, store, keyring, release);
}

async function serve(config: Config, logger: Logger, store: Store, keyring: Keyring, release: () => Promise<void>): Promise<void> {
  const service = createService({ store, keyring, logger, allowedRegions: config.allowedRegions, trustedProxies: config.trustedProxies, requestDeadlineMs: config.requestDeadlineMs });
  const server = await listen(service, config.port, config.host);
  logger.info('listening', { url: server.url, database: store.backend, dataDir: store.backend === 'pglite' ? resolve(config.dataDir) : undefined });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await server.close();
    service.dispose();
    await store.close();
    await release();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception', { error: err.name, message: err.message });
    process.exit(1);
  });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** A worker that dies is replaced, unless workers keep dying: more than this many a minute ends the service. */
const RESTARTS_PER_MINUTE = 5;
/** How long workers get to finish their requests on shutdown. */
const STOP_GRACE_MS = 15_000;

/** The primary of WORKERS processes: start them, replace one that dies, stop them all on SIGINT/SIGTERM. */
function supervise(config: Config, logger: Logger): void {
  let stopping = false;
  let live = 0;
  let exitCode = 0;
  const deaths: number[] = [];
  const fork = () => {
    cluster.fork();
    live++;
  };
  const stop = (signal: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, workers: live });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    exitCode = code;
    if (live === 0) process.exit(code);
  };
  cluster.on('exit', (worker, code, signal) => {
    live--;
    if (stopping) {
      if (live === 0) {
        logger.info('stopped');
        process.exit(exitCode);
      }
      return;
    }
    const now = Date.now();
    deaths.push(now);
    while ((deaths[0] ?? now) < now - 60_000) deaths.shift();
    logger.error('worker exited', { worker: worker.id, code, signal });
    if (deaths.length > RESTARTS_PER_MINUTE) {
      logger.error('workers keep exiting: stopping', { restartsPerMinute: RESTARTS_PER_MINUTE });
      stop('workers failing', 1);
      return;
    }
    fork();
  });
  for (let i = 0; i < config.workers; i++) fork();
  logger.info('started workers', { workers: config.workers });
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
}

main().catch((err: unknown) => {
  process.stderr.write(`latchkey failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

