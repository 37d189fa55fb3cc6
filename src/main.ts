/**
 * The composition root: the only place that reads process.env and owns the file system. Parse the
 * configuration (every problem at once), bind the port (so a busy port or a bad HOST stops us
 * before anything is created), load or create the keys, open and migrate the store, create the
 * first account, then serve; SIGINT/SIGTERM drain in-flight requests and exit (boot/lifecycle.ts).
 * With WORKERS above 1 this process does the start-up steps once, then supervises that many
 * worker processes (node:cluster) which serve on the shared port.
 *
 * Run as `node dist/main.js` (production, after `npm run build`), `latchkey serve` (the bin), or
 * `npm start` (development, through tsx): each is this one process, the one to signal.
 */
import cluster from 'node:cluster';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { bootstrapFirstAccount } from './accounts/accounts.js';
import { parseConfig, type Config } from './config.js';
import { bufferedWriter, createLogger, type Logger } from './log.js';
import { createService, pemCertificates } from './service.js';
import { loadAwsManagedPolicies } from './store/policies/aws-managed.js';
import { openStore, type Store } from './store/db.js';
import type { Keyring } from './tokens/keyring.js';
import { errorLine } from './describe-error.js';
import { loadKeyring, requireKeysInProduction } from './boot/keyring.js';
import { Lifecycle } from './boot/lifecycle.js';
import { bindListener, type Listener } from './boot/listener.js';
import { lockPglite } from './boot/pglite-lock.js';
import { startingResponder } from './boot/starting.js';
import { StartupError } from './boot/startup-error.js';
import { countAccounts } from './store/accounts.js';

const ROOT_CREDENTIALS_FILE = 'root-credentials.json';
/**
 * How long requests in flight get to finish after SIGINT/SIGTERM before they are cut (exit status
 * 1), and how long a start-up step waiting on PostgreSQL gets after one. Below the 30 s a
 * container runtime usually waits before SIGKILL.
 */
const STOP_GRACE_MS = 10_000;
const exit = (code: number): never => process.exit(code);

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
  const logger = cluster.isWorker ? createLogger(config.logLevel, write, Date.now, { worker: cluster.worker?.id }) : createLogger(config.logLevel, write);
  const life = new Lifecycle(logger, STOP_GRACE_MS, exit);
  life.trapSignals();
  try {
    if (cluster.isWorker) await serveAsWorker(config, logger, life);
    else await start(config, logger, life);
  } catch (err) {
    // Close the port, the database and its lock before saying why.
    await life.unwind();
    throw err;
  }
}

/** The first (or only) process: every step that creates something comes after the bind. */
async function start(config: Config, logger: Logger, life: Lifecycle): Promise<void> {
  // Production without keys refuses before anything else (this only reads KEYS_DIR).
  await requireKeysInProduction(config);
  // Until the service is ready the port answers 503 itself (boot/starting.ts).
  const listener = await bindListener(config.port, config.host, startingResponder(logger));
  life.defer(async () => void (await listener.close(0)));
  await life.checkpoint();
  // After a signal, a step waiting on PostgreSQL is given up once the grace period is over (its
  // transaction rolls back); the embedded database's steps, and those writing files, never are.
  life.abandonable(config.databaseUrl !== undefined);
  const { store, release } = await openConfiguredStore(config);
  life.defer(async () => {
    await store.close();
    await release();
  });
  await life.checkpoint();
  await store.migrate();
  await life.checkpoint();
  const databaseIsEmpty = (await countAccounts(store.db)) === 0;
  await life.checkpoint();
  life.abandonable(false);
  const keyring = await loadKeyring(config, new Date(), databaseIsEmpty, (detail) => logger.warn('DEVELOPMENT KEYS GENERATED', { detail }));
  await life.checkpoint();

  // One step: the account and the file that holds its only copy of the secret.
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
  await life.checkpoint();

  if (config.workers > 1) {
    // Keys, migrations and the first account are settled: the workers only serve. They take the
    // port through node:cluster, so this process lets go of it (and of the store) first.
    await life.unwind();
    supervise(config, logger, life);
    return;
  }
  await serve(config, logger, store, keyring, listener, life);
}

/**
 * One of WORKERS processes: its own store (pool and LISTEN connection, so to the caches it is one
 * more node) and the keys the primary loaded or generated; the port is shared through node:cluster,
 * which routes connections to a worker only once it listens, so it listens once it is ready. A
 * worker that cannot listen exits with status 2, which the primary takes as fatal.
 */
async function serveAsWorker(config: Config, logger: Logger, life: Lifecycle): Promise<void> {
  // Workers run on PostgreSQL only, and create nothing: any step may be given up.
  life.abandonable(true);
  const { store, release } = await openConfiguredStore(config);
  life.defer(async () => {
    await store.close();
    await release();
  });
  const keyring = await loadKeyring(config, new Date(), false, () => {});
  await life.checkpoint();
  const listener = await bindListener(config.port, config.host, startingResponder(logger));
  life.defer(async () => void (await listener.close(0)));
  await serve(config, logger, store, keyring, listener, life);
}

/** package.json's version (beside src/ and dist/ alike), for latchkey_build_info; `unknown` if it cannot be read. */
async function packageVersion(): Promise<string> {
  try {
    const pkg: unknown = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
    return typeof version === 'string' && /^[\w.+-]{1,64}$/.test(version) ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** OIDC_CA_BUNDLE's certificates: a file that cannot be read, or holds none, stops the start. */
async function readCaBundle(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StartupError(1, `OIDC_CA_BUNDLE ${path} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (pemCertificates(text).length === 0) throw new StartupError(1, `OIDC_CA_BUNDLE ${path} holds no PEM certificate`);
  return text;
}

/** Serve on the bound port; on SIGINT/SIGTERM drain, then close the store and release its lock. */
async function serve(config: Config, logger: Logger, store: Store, keyring: Keyring, listener: Listener, life: Lifecycle): Promise<void> {
  const service = createService({
    store,
    keyring,
    logger,
    // Read once here, the data the migrate synced: session tokens name these by ARN.
    awsManagedPolicies: await loadAwsManagedPolicies(),
    allowedRegions: config.allowedRegions,
    trustedProxies: config.trustedProxies,
    failureMessages: config.authorizationFailureMessages,
    requestDeadlineMs: config.requestDeadlineMs,
    production: config.production,
    multiTenantIssuers: config.multiTenantIssuers,
    console: { destinations: config.consoleDestinations },
    saml: config.saml,
    metrics: config.metrics,
    version: await packageVersion(),
    oidc: {
      caBundle: config.oidcCaBundle === undefined ? undefined : await readCaBundle(config.oidcCaBundle),
      timeoutMs: config.oidcFetchTimeoutMs,
      googleIssuer: config.googleIssuerUrl,
      facebookGraphUrl: config.facebookGraphUrl,
      amazonApiUrl: config.amazonApiUrl,
      // http:// issuers on loopback addresses are for local setups and tests, never production.
      allowLoopbackHttp: !config.production,
    },
  });
  life.defer(async () => service.dispose());
  // HOST stands in for a missing Host header, as @hono/node-server's serve() had it.
  listener.serve(getRequestListener(service.app.fetch, { hostname: config.host }));
  logger.info('listening', { url: listener.url, database: store.backend, dataDir: store.backend === 'pglite' ? resolve(config.dataDir) : undefined });
  // Which access, never the token.
  if (config.metrics.kind === 'off') logger.info('metrics are off', { detail: 'GET /metrics answers 404; set METRICS_TOKEN (a secret of 32 characters or more, sent as a bearer token) or METRICS_PUBLIC=true to serve them' });
  else logger.info('metrics at /metrics', { access: config.metrics.kind === 'token' ? 'bearer token (METRICS_TOKEN)' : 'public (METRICS_PUBLIC)' });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // In-flight requests finish (they may still need the store); then the rest is undone.
    const drained = await listener.close(STOP_GRACE_MS);
    if (!drained) logger.warn('requests still in flight after the grace period were cut', { graceMs: STOP_GRACE_MS });
    await life.unwind();
    logger.info('stopped');
    process.exit(drained ? 0 : 1);
  };
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception', { error: err.name, message: err.message });
    process.exit(1);
  });
  life.serving((signal) => void stop(signal));
}

/** A worker that dies is replaced, unless workers keep dying: more than this many a minute ends the service. */
const RESTARTS_PER_MINUTE = 5;
/** How long workers get to stop: their own grace for in-flight requests, and then some. */
const WORKERS_STOP_GRACE_MS = STOP_GRACE_MS + 5_000;

/**
 * The primary of WORKERS processes: start them, replace one that dies, stop them all on
 * SIGINT/SIGTERM. A worker that exits with status 2 before it listened could not have the port
 * (it said why on stderr): a replacement would fail the same way, so everything stops with 2.
 */
function supervise(config: Config, logger: Logger, life: Lifecycle): void {
  let stopping = false;
  let live = 0;
  let exitCode = 0;
  const listening = new Set<number>();
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
    }, WORKERS_STOP_GRACE_MS).unref();
    exitCode = code;
    if (live === 0) process.exit(code);
  };
  cluster.on('listening', (worker) => listening.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    live--;
    const listened = listening.delete(worker.id);
    if (stopping) {
      if (live === 0) {
        logger.info('stopped');
        process.exit(exitCode);
      }
      return;
    }
    if (code === 2 && !listened) {
      logger.error('worker could not start', { worker: worker.id, code });
      stop('worker could not start', 2);
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
  life.serving((signal) => stop(signal, 0));
}

main().catch((err: unknown) => {
  // One line: a StartupError says what to do and carries its exit status (2: the port or the
  // configuration, 1: anything else).
  if (err instanceof StartupError) {
    process.stderr.write(`latchkey: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`latchkey failed to start: ${errorLine(err)}\n`);
  process.exit(1);
});

