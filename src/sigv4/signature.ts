import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';
import { deriveSigningKey, type DeriveSigningKey } from './signing-key.js';
import type { ParsedSignedRequest } from './types.js';

/** Signature = hex(HMAC(kSigning, StringToSign)). */
export function computeSignature(signingKey: Uint8Array, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** True if the client's signature is the one `secret` gives for this request (constant time). */
export function verifySignature(parsed: ParsedSignedRequest, secret: string, derive: DeriveSigningKey = deriveSigningKey): boolean {
  const key = derive(secret, parsed.scopeDate, parsed.region, parsed.service);
  return constantTimeEqual(computeSignature(key, parsed.stringToSign), parsed.signature);
}
