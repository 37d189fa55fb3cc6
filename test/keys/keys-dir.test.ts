/**
 * The keys directory the server and the CLI share: one keyring file, written atomically and
 * readable by its owner only; rotation appends a key that seals from then on.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { KEYRING_FILE, readKeys, rotateKeys, writeKeys } from '../../src/tokens/keys-dir.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'latchkey-keys-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('keys directory', () => {
  test('no keyring file reads as undefined; a missing directory is created on write', async () => {
    expect(await readKeys(join(tmp, 'absent'))).toBeUndefined();
    const dir = join(tmp, 'nested', 'keys');
    const key = generateKey(new Date('2026-01-01T00:00:00Z'), 'first');
    await writeKeys(dir, [key]);
    expect(await readKeys(dir)).toEqual([key]);
  });

  test('the keyring file is readable by its owner only, and no temporary file is left behind', async () => {
    const dir = join(tmp, 'mode');
    await writeKeys(dir, [generateKey(new Date())]);
    expect((await stat(join(dir, KEYRING_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([KEYRING_FILE]);
  });

  test('rotation keeps every key, makes the new one the sealer, and older ones still open', async () => {
    const dir = join(tmp, 'rotate');
    const first = await rotateKeys(dir, new Date('2026-01-01T00:00:00Z'));
    expect(first.count).toBe(1);
    const before = new Keyring((await readKeys(dir)) ?? []);
    const sealed = before.seal('secret', 'aad');
    const second = await rotateKeys(dir, new Date('2026-06-01T00:00:00Z'));
    expect(second).toEqual({ kid: expect.any(String), count: 2 });
    const keys = (await readKeys(dir)) ?? [];
    expect(keys.map((k) => k.kid)).toEqual([first.kid, second.kid]);
    const after = new Keyring(keys);
    expect(after.activeKid).toBe(second.kid);
    expect(after.open(sealed, 'aad')?.toString()).toBe('secret');
  });

  test('a damaged keyring file is an error, not an empty keyring', async () => {
    const dir = join(tmp, 'damaged');
    await writeKeys(dir, [generateKey(new Date())]);
    await writeFile(join(dir, KEYRING_FILE), '{"keys": [{"kid": "x"}]}');
    await expect(readKeys(dir)).rejects.toThrow('each key has kid, created and key');
    await writeFile(join(dir, KEYRING_FILE), 'not json');
    await expect(readKeys(dir)).rejects.toThrow();
    await expect(rotateKeys(dir, new Date())).rejects.toThrow();
    expect(await readFile(join(dir, KEYRING_FILE), 'utf8')).toBe('not json'); // a failed rotation changes nothing
  });
});
