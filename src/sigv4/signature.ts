import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveSigningKey, type DeriveSigningKey } from './signing-key.js';
import type { ParsedSignedRequest } from './types.js';

/** Signature = hex(HMAC(kSigning, StringToSign)). */
export function computeSignature(signingKey: Uint8Array, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** What computeSignature() returns: 64 lowercase hex digits. The shape is public; the digits are compared in constant time. */
const SIGNATURE = /^[0-9a-f]{64}$/;

/** True if the client's signature is the one `secret` gives for this request (constant time). */
export function verifySignature(parsed: ParsedSignedRequest, secret: string, derive: DeriveSigningKey = deriveSigningKey): boolean {
  const key = derive(secret, parsed.scopeDate, parsed.region, parsed.service);
  const expected = computeSignature(key, parsed.stringToSign);
  const claimed = parsed.signature;
  if (!SIGNATURE.test(claimed)) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(claimed, 'latin1'));
}
