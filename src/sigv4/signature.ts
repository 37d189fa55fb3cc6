import * as crypto from 'node:crypto';
import { createHmac } from 'node:crypto';
import { constantTimeEqualHex } from './constant-time.js';
import { deriveSigningKey, type DeriveSigningKey } from './signing-key.js';
import type { ParsedSignedRequest } from './types.js';

/** Signature = hex(HMAC(kSigning, StringToSign)). */
export function computeSignature(signingKey: Uint8Array, stringToSign: string): string {
  if (oneShot === undefined || signingKey.length > BLOCK) return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return padHmac(oneShot, padsFor(signingKey), stringToSign);
}

/**
 * HMAC-SHA256 as RFC 2104 writes it, H((K ^ opad) || H((K ^ ipad) || m)), with the two padded keys
 * worked out once per signing key and the hashes one-shot: a request checks one signature, and an
 * HMAC object per request (createHmac) cost twice as much as the two hashes. Equal to createHmac
 * on every input (test/sigv4/hashing-and-signing.test.ts, and a fast-check differential in
 * test/fuzz/sigv4.test.ts).
 *
 * Kept under issue 12's rule for hand-written stand-ins (worth at least 3% of GetCallerIdentity):
 * measured in one process, CPU-profiled over 1.5 million authentications, createHmac cost 1.2 µs
 * more per request than this (Hmac + update + digest against two one-shot hashes), about 13% of
 * an in-process GetCallerIdentity (9 µs) and 4% of one over HTTP; with createHmac the HTTP
 * bench's GetCallerIdentity ratio fell from 59–65% of the baseline to 54%.
 */
const BLOCK = 64;
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

interface Pads {
  /** K ^ ipad, then room for the message. */
  inner: Buffer;
  /** K ^ opad, then the inner digest. */
  readonly outer: Buffer;
}

/** Signing keys are memoised objects (src/auth/hot-caches.ts), so their pads can be kept beside them. */
const padded = new WeakMap<Uint8Array, Pads>();

function padsFor(key: Uint8Array): Pads {
  let pads = padded.get(key);
  if (!pads) {
    const inner = Buffer.alloc(BLOCK + 256, 0x36);
    const outer = Buffer.alloc(BLOCK + 32, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i] = 0x36 ^ (key[i] ?? 0);
      outer[i] = 0x5c ^ (key[i] ?? 0);
    }
    pads = { inner, outer };
    padded.set(key, pads);
  }
  return pads;
}

function padHmac(hash: typeof crypto.hash, pads: Pads, message: string): string {
  // Written where it fits (nearly always). A write stops at the end of the room, and before a
  // character that does not fit whole (up to 4 bytes in UTF-8): a message that came within 4
  // bytes of the end may have been cut, so the room is grown past its measured length and it is
  // written again.
  let length = pads.inner.write(message, BLOCK, 'utf8');
  if (BLOCK + length + 4 > pads.inner.length) {
    length = Buffer.byteLength(message, 'utf8');
    const grown = Buffer.alloc(BLOCK + length + 4);
    pads.inner.copy(grown, 0, 0, BLOCK);
    pads.inner = grown;
    grown.write(message, BLOCK, 'utf8');
  }
  // The inner digest as a 'binary' (latin1) string written into place: a 'buffer' digest costs
  // about 0.7 µs more (node allocates a Buffer for it).
  pads.outer.write(hash('sha256', pads.inner.subarray(0, BLOCK + length), 'binary'), BLOCK, 'binary');
  return hash('sha256', pads.outer, 'hex');
}

/** True if the client's signature is the one `secret` gives for this request (constant time). */
export function verifySignature(parsed: ParsedSignedRequest, secret: string, derive: DeriveSigningKey = deriveSigningKey): boolean {
  const key = derive(secret, parsed.scopeDate, parsed.region, parsed.service);
  return constantTimeEqualHex(computeSignature(key, parsed.stringToSign), parsed.signature);
}
