/**
 * jose, behind one file: decoding a compact JWS's header and payload (before anything is
 * trusted, only to find the provider), and verifying its signature with a key of the
 * provider's key set. Only the algorithms in ALGORITHMS are ever accepted (jose refuses the
 * others before looking for a key, so `none` and HS256-with-the-public-key never reach one), and
 * keys come only from the key set we fetched: jose never follows `jku`/`x5u` and, used this way,
 * never takes an embedded `jwk`. jose's failures are turned into ours here.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet } from 'jose';

/** AWS's list (STS API Reference, AssumeRoleWithWebIdentity, WebIdentityToken): RSA and ECDSA only. */
export const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;

export type JwsHeader = Readonly<Record<string, unknown>>;

/** The protected header, or undefined when the token is not a compact JWS. */
export function decodeHeader(token: string): JwsHeader | undefined {
  try {
    return decodeProtectedHeader(token) as JwsHeader;
  } catch {
    return undefined;
  }
}

/** A key set as fetched: parsed JSON that must have a `keys` array of objects. */
export function asKeySet(value: unknown): JSONWebKeySet | undefined {
  if (typeof value !== 'object' || value === null || !('keys' in value)) return undefined;
  const keys = (value as { keys: unknown }).keys;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) return undefined;
  return value as JSONWebKeySet;
}

export type SignatureResult =
  | { readonly ok: true; readonly payload: Uint8Array }
  /** No key of the set fits the token's kid and alg (or more than one does). */
  | { readonly ok: false; readonly reason: 'no-key' | 'bad-signature' | 'algorithm' | 'malformed' };

/**
 * jose's key set over `keys`, made once per fetched key set (src/federation/oidc/keys.ts caches
 * the set object): it imports each key on first use and keeps it, where a set made per call
 * imported the RSA key again every time (about twice the cost of the verification).
 */
const keySets = new WeakMap<JSONWebKeySet, ReturnType<typeof createLocalJWKSet>>();

function keySetOf(keys: JSONWebKeySet): ReturnType<typeof createLocalJWKSet> {
  let set = keySets.get(keys);
  if (!set) keySets.set(keys, (set = createLocalJWKSet(keys)));
  return set;
}

/** Verify the token's signature with a key of `keys`. */
export async function verifySignature(token: string, keys: JSONWebKeySet): Promise<SignatureResult> {
  try {
    const { payload } = await compactVerify(token, keySetOf(keys), { algorithms: [...ALGORITHMS] });
    return { ok: true, payload };
  } catch (err) {
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys || err instanceof errors.JWKSInvalid) return { ok: false, reason: 'no-key' };
    if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return { ok: false, reason: 'algorithm' };
    if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'bad-signature' };
    return { ok: false, reason: 'malformed' };
  }
}
