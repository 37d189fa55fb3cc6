import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in time independent of where they differ. Both sides are hashed first so
 * that timingSafeEqual always sees equal lengths and the length of neither leaks; equal digests
 * mean equal inputs (SHA-256 collisions being out of reach).
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * `expected` (a lowercase hex digest we computed) against `claimed` (one a client sent), for the
 * per-request signature check: the claimed one must have the same length and be lowercase hex
 * (a public shape, checked digit by digit), then the digits are compared in constant time in one
 * kept buffer, wiped after, so no Buffer and no extra hashing per request. The shape check also
 * matters for correctness: written as latin1, U+0161 would become 'a'.
 */
export function constantTimeEqualHex(expected: string, claimed: string): boolean {
  const n = expected.length;
  if (claimed.length !== n || n > HEX_MAX || !isLowerHex(claimed)) return false;
  hexPair.write(expected, 0, n, 'latin1');
  hexPair.write(claimed, HEX_MAX, n, 'latin1');
  // SigV4 signatures are 64 digits: their two views are made once.
  const same = n === 64 ? timingSafeEqual(left64, right64) : timingSafeEqual(hexPair.subarray(0, n), hexPair.subarray(HEX_MAX, HEX_MAX + n));
  hexPair.fill(0, 0, HEX_MAX + n);
  return same;
}

const HEX_MAX = 128;
const hexPair = Buffer.alloc(2 * HEX_MAX);
const left64 = hexPair.subarray(0, 64);
const right64 = hexPair.subarray(HEX_MAX, HEX_MAX + 64);

function isLowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
