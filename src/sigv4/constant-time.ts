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
 * (a public shape, checked digit by digit), then the digits are compared in constant time, with
 * no extra hashing per request. The shape check also matters for correctness: read as latin1,
 * U+0161 would become 'a'. (A buffer kept across requests saved about 0.15 µs a request, some
 * 0.3% of GetCallerIdentity: not worth shared state; issue 12.)
 */
export function constantTimeEqualHex(expected: string, claimed: string): boolean {
  if (claimed.length !== expected.length || !isLowerHex(claimed)) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(claimed, 'latin1'));
}

function isLowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
