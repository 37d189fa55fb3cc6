/**
 * Small bounded memo tables for the per-request cryptography (measured by `npm run bench -- http`):
 * the SigV4 signing key (four HMACs, the same all day for a key, region and service) and opened
 * session tokens (an AES-GCM open and a JSON parse). Both hold only what the caller already
 * proved it knows or what the token itself carries; every check that can change (expiry, key
 * binding, source key status, revocation) still runs on each request.
 */
import { deriveSigningKey, type DeriveSigningKey } from '../sigv4/index.js';
import type { Keyring } from '../tokens/keyring.js';
import { openSessionToken, type SessionClaims } from '../tokens/session-token.js';

const MAX_ENTRIES = 10_000;

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, value);
  return value;
}

/** A deriveSigningKey with the same contract that derives each (secret, date, region, service) once. */
export function cachingSigningKeys(): DeriveSigningKey {
  const keys = new Map<string, Uint8Array>();
  return (secret, date, region, service) => {
    const id = `${secret}\0${date}\0${region}\0${service}`;
    return keys.get(id) ?? remember(keys, id, deriveSigningKey(secret, date, region, service));
  };
}

/** openSessionToken, remembering tokens that opened (never the ones that did not). */
export function cachingTokenOpener(keyring: Keyring): (token: string) => SessionClaims | undefined {
  const opened = new Map<string, SessionClaims>();
  return (token) => {
    const hit = opened.get(token);
    if (hit) return hit;
    const claims = openSessionToken(keyring, token);
    return claims ? remember(opened, token, claims) : undefined;
  };
}
