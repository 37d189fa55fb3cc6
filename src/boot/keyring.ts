/**
 * The keys for commands that seal secrets, loaded the way the server loads them (main.ts): the
 * keyring in KEYS_DIR; in production, none means refuse; in development, generate one with a loud
 * warning, but only for a database that holds no sealed secret yet.
 */
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { generateKey, Keyring } from '../tokens/keyring.js';
import { readKeys, writeKeys } from '../tokens/keys-dir.js';
import { StartupError } from './startup-error.js';

/** Production without keys: refuse before touching the database. */
export async function requireKeysInProduction(config: Config): Promise<void> {
  if (!config.production) return;
  const keys = await readKeys(config.keysDir);
  if (!keys || keys.length === 0) {
    throw new StartupError(1, `NODE_ENV=production and no keys in ${resolve(config.keysDir)}: refusing to run with generated keys. Create them with \`npm run keys:rotate\` (KEYS_DIR=${config.keysDir}) and keep them safe.`);
  }
}

/**
 * `databaseIsEmpty`: no account exists yet. With accounts but no keys, KEYS_DIR is almost surely
 * not the directory the server uses: generated keys would seal secrets no server can open.
 */
export async function loadKeyring(config: Config, now: Date, databaseIsEmpty: boolean, warn: (line: string) => void): Promise<Keyring> {
  const keys = await readKeys(config.keysDir);
  if (keys && keys.length > 0) return new Keyring(keys);
  await requireKeysInProduction(config);
  if (!databaseIsEmpty) {
    throw new StartupError(1, `no keys in ${resolve(config.keysDir)}, but the database already holds accounts whose secrets were sealed with keys from elsewhere: set KEYS_DIR to the server's keys directory.`);
  }
  const fresh = generateKey(now);
  await writeKeys(config.keysDir, [fresh]);
  warn(`DEVELOPMENT KEYS GENERATED in ${resolve(config.keysDir)} (kid ${fresh.kid}): they encrypt every stored secret, so back them up, and never use generated keys in production (NODE_ENV=production refuses to run without keys).`);
  return new Keyring([fresh]);
}
