/**
 * The composition root: the only place that reads process.env and owns the file system. Parse the
 * configuration (every problem at once), load or create the keys, open and migrate the store,
 * create the first account, listen, and shut down gracefully on SIGINT/SIGTERM.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bootstrapFirstAccount } from './accounts/accounts.js';
import { parseConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createService, listen } from './service.js';
import { openStore, type Store } from './store/db.js';
import { generateKey, Keyring } from './tokens/keyring.js';
import { readKeys, writeKeys } from './tokens/keys-dir.js';

const ROOT_CREDENTIALS_FILE = 'root-credentials.json';

async function loadKeyring(config: Config, logger: Logger): Promise<Keyring> {
  const keys = await readKeys(config.keysDir);
  if (keys && keys.length > 0) return new Keyring(keys);
  if (config.production) {
    throw new Error(`NODE_ENV=production and no keys in ${resolve(config.keysDir)}: refusing to start with generated keys. Create them with \`npm run keys:rotate\` (KEYS_DIR=${config.keysDir}) and keep them safe.`);
  }
  const fresh = generateKey(new Date());
  await writeKeys(config.keysDir, [fresh]);
  logger.warn('DEVELOPMENT KEYS GENERATED', {
    detail: `No keys were found in ${resolve(config.keysDir)}, so new ones were generated there. They encrypt every stored secret: back them up, and never use generated keys in production (NODE_ENV=production refuses to start without keys).`,
    kid: fresh.kid,
  });
  return new Keyring([fresh]);
}

async function openConfiguredStore(config: Config): Promise<Store> {
  if (config.databaseUrl) return openStore({ databaseUrl: config.databaseUrl });
  const dir = resolve(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openStore({ dataDir: dir });
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`Configuration problems:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  const config = parsed.config;
  const logger = createLogger(config.logLevel, (line) => process.stdout.write(line));
  const keyring = await loadKeyring(config, logger);
  const store = await openConfiguredStore(config);
  await store.migrate();

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

  const service = createService({ store, keyring, logger, allowedRegions: config.allowedRegions });
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
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`latchkey failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

