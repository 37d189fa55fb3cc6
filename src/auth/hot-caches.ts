/**
 * Bounded memo tables for the per-request cryptography (measured by `npm run bench -- http`):
 * the SigV4 signing key (four HMACs, the same all day for a key, region and service) and opened
 * session tokens (an AES-GCM open and a JSON parse). Both hold only what the caller already
 * proved it knows or what the token itself carries; every check that can change (expiry, key
 * binding, source key status, revocation) still runs on each request. Both are BoundedCaches
 * (src/cache.ts).
 */
import { BoundedCache } from '../cache.js';
import { deriveSigningKey, type DeriveSigningKey } from '../sigv4/index.js';
import type { Keyring } from '../tokens/keyring.js';
import { openSessionToken, type SessionClaims } from '../tokens/session-token.js';

const MAX_ENTRIES = 10_000;

/** The scopes kept per secret: a secret signs for a few dates, regions and services at most. */
const SCOPES_PER_SECRET = 8;

interface SigningKeyEntry {
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly key: Uint8Array;
}

/** A deriveSigningKey with the same contract that derives each (secret, date, region, service) once. */
export function cachingSigningKeys(): DeriveSigningKey {
  // By secret first: the secret is the same string object request after request (a cached key's
  // or an opened token's), so its hash is computed once, where a joined id was a new string to
  // build and hash on every request. Each secret's scopes are a short list, newest last.
  const bySecret = new BoundedCache<string, readonly SigningKeyEntry[]>({ maxEntries: MAX_ENTRIES });
  return (secret, date, region, service) => {
    const entries = bySecret.get(secret);
    if (entries !== undefined) {
      for (const e of entries) if (e.date === date && e.region === region && e.service === service) return e.key;
    }
    const key = deriveSigningKey(secret, date, region, service);
    const entry = { date, region, service, key };
    bySecret.set(secret, entries === undefined ? [entry] : [...entries.slice(1 - SCOPES_PER_SECRET), entry]);
    return key;
  };
}

/**
 * openSessionToken, remembering tokens that opened (never the ones that did not). Kept by the
 * token's access key id, which is short to hash, and used only when the whole token is the same
 * string (a comparison, where a lookup by the token would hash its kilobyte on every request).
 */
export function cachingTokenOpener(keyring: Keyring): TokenOpener {
  const opened = new BoundedCache<string, { readonly token: string; readonly claims: SessionClaims }>({ maxEntries: MAX_ENTRIES });
  return (token, accessKeyId) => {
    const hit = opened.get(accessKeyId);
    if (hit !== undefined && hit.token === token) return hit.claims;
    const claims = openSessionToken(keyring, token);
    if (claims !== undefined && claims.akid === accessKeyId) opened.set(accessKeyId, { token, claims });
    return claims;
  };
}

/** Opens a session token presented with `accessKeyId` (which the caller still checks against the claims). */
export type TokenOpener = (token: string, accessKeyId: string) => SessionClaims | undefined;
