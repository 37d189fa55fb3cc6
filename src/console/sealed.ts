/**
 * Sealed values the console hands to browsers (session cookies, sign-in tokens): JSON, deflated
 * (a session's claims carry its policies, which compress well, and a cookie holds about 4 KB),
 * then sealed by the keyring (AES-256-GCM, the current key; any key in the ring opens) with
 * associated data naming the purpose, so a value made for one purpose never opens as another.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Keyring } from '../tokens/keyring.js';

/** Nothing the console seals inflates beyond this: a bomb stops here. */
const MAX_PLAIN_BYTES = 64 * 1024;
/** Nothing the console seals is longer than this once encoded (a few cookies' worth). */
export const MAX_SEALED_LENGTH = 24 * 1024;

export function sealJson(keyring: Keyring, purpose: string, value: unknown): string {
  return keyring.seal(deflateRawSync(Buffer.from(JSON.stringify(value), 'utf8')), purpose);
}

/** The value, or undefined for anything that is not one of ours for `purpose` (tampered, foreign, garbage). */
export function openJson(keyring: Keyring, purpose: string, sealed: string): unknown {
  if (sealed.length === 0 || sealed.length > MAX_SEALED_LENGTH || !/^[A-Za-z0-9_-]+$/.test(sealed)) return undefined;
  const packed = keyring.open(sealed, purpose);
  if (!packed) return undefined;
  try {
    return JSON.parse(inflateRawSync(packed, { maxOutputLength: MAX_PLAIN_BYTES }).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
