/**
 * AEAD with rotation, in the manner of ory/hydra: seal with the newest key, open with any key
 * still in the ring (found by `kid`). AES-256-GCM from node:crypto; no IO here (the composition
 * root reads and writes `keys/`).
 *
 * Sealed layout, base64url-encoded:
 *   version (1 byte, = 1) | kid length (1 byte) | kid (ASCII) | nonce (12 bytes) | ciphertext | tag (16 bytes)
 * The associated data binds a ciphertext to its purpose and owner (e.g. `access-key:AKIA…`), so a
 * sealed secret copied onto another row does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KID = /^[A-Za-z0-9._-]{1,64}$/;

export interface KeyMaterial {
  readonly kid: string;
  /** When the key was made (ISO 8601): the newest seals. */
  readonly created: string;
  readonly key: Buffer;
}

export class Keyring {
  readonly #byKid: ReadonlyMap<string, Buffer>;
  readonly #active: KeyMaterial;

  constructor(keys: readonly KeyMaterial[]) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    const byKid = new Map<string, Buffer>();
    for (const k of keys) {
      if (!KID.test(k.kid)) throw new Error(`invalid kid: ${k.kid}`);
      if (k.key.length !== KEY_BYTES) throw new Error(`key ${k.kid} must be ${KEY_BYTES} bytes`);
      if (byKid.has(k.kid)) throw new Error(`duplicate kid: ${k.kid}`);
      byKid.set(k.kid, k.key);
    }
    this.#byKid = byKid;
    this.#active = [...keys].sort((a, b) => a.created.localeCompare(b.created)).at(-1) as KeyMaterial;
  }

  get activeKid(): string {
    return this.#active.kid;
  }

  seal(plaintext: Uint8Array | string, aad: string): string {
    const kid = Buffer.from(this.#active.kid, 'ascii');
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#active.key, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION, kid.length]), kid, nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The plaintext, or undefined for anything that is not a sealed value of ours for this `aad`. */
  open(sealed: string, aad: string): Buffer | undefined {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 2 || raw[0] !== VERSION) return undefined;
    const kidLength = raw[1] as number;
    const bodyStart = 2 + kidLength + NONCE_BYTES;
    if (raw.length < bodyStart + TAG_BYTES) return undefined;
    const key = this.#byKid.get(raw.subarray(2, 2 + kidLength).toString('ascii'));
    if (!key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(2 + kidLength, bodyStart));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(bodyStart, raw.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}

/** A fresh random key. `now` is a parameter: this module reads no clock. */
export function generateKey(now: Date, kid: string = randomBytes(6).toString('hex')): KeyMaterial {
  return { kid, created: now.toISOString(), key: randomBytes(KEY_BYTES) };
}

/** The on-disk form of a key set (one JSON file per purpose in `keys/`). */
export function serializeKeys(keys: readonly KeyMaterial[]): string {
  return `${JSON.stringify({ keys: keys.map((k) => ({ kid: k.kid, created: k.created, key: k.key.toString('base64') })) }, null, 2)}\n`;
}

export function parseKeys(text: string): KeyMaterial[] {
  const parsed: unknown = JSON.parse(text);
  const list = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(list)) throw new Error('a key file holds {"keys": [...]}');
  return list.map((k: unknown) => {
    const { kid, created, key } = k as Record<string, unknown>;
    if (typeof kid !== 'string' || typeof created !== 'string' || typeof key !== 'string') throw new Error('each key has kid, created and key');
    return { kid, created, key: Buffer.from(key, 'base64') };
  });
}
