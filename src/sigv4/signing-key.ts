import { createHmac } from 'node:crypto';
import { TERMINATOR } from './credential.js';

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
 * It changes once a day per key, so a caller may cache it by (secret, date, region, service);
 * this function keeps no state.
 */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Uint8Array {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), TERMINATOR);
}

/** The signing key derivation, replaceable by a caching one with the same contract. */
export type DeriveSigningKey = typeof deriveSigningKey;
