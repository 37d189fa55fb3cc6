/**
 * The `keys/` directory: `keyring.json` holds every key with its `kid` (the newest seals, all
 * open). Called only by the composition root and the CLI, which own the file system.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey, parseKeys, serializeKeys, type KeyMaterial } from './keyring.js';

export const KEYRING_FILE = 'keyring.json';

/** The keys in `dir`, or undefined when there is no keyring file. */
export async function readKeys(dir: string): Promise<KeyMaterial[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, KEYRING_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return [...parseKeys(text)];
}

/** Write atomically, readable by the owner only. */
export async function writeKeys(dir: string, keys: readonly KeyMaterial[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, KEYRING_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, serializeKeys(keys), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** Add a new key that becomes the sealing key; older keys keep opening. */
export async function rotateKeys(dir: string, now: Date): Promise<{ kid: string; count: number }> {
  const keys = (await readKeys(dir)) ?? [];
  const fresh = generateKey(now);
  await writeKeys(dir, [...keys, fresh]);
  return { kid: fresh.kid, count: keys.length + 1 };
}
