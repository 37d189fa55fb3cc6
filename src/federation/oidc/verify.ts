/**
 * A web identity token, verified for a registered OpenID Connect provider, as named steps in
 * order: shape and size, header (algorithm allow-list, no foreign keys), signature with the
 * provider's own keys, exact issuer, integer timestamps, expiry, not-before, audience, subject.
 */
import {
  checkExpiry,
  checkHeader,
  checkIntegerTimestamps,
  checkIssuer,
  checkNotBefore,
  checkTokenShape,
  issuerOf,
  matchAudience,
  parseClaims,
  subjectOf,
  type Claims,
} from './checks.js';
import { decodeHeader } from './jose.js';
import type { OidcKeys } from './keys.js';

export interface OidcProviderFacts {
  readonly issuer: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
}

export interface VerifiedToken {
  readonly claims: Claims;
  readonly subject: string;
  /** The client id the token was matched to (its `aud`, or its `azp`). */
  readonly audience: string;
  readonly expiresAt: number;
}

/**
 * The token's `iss`, read *before* anything about the token is trusted: only to find the
 * provider whose keys will then verify it.
 */
export function unverifiedIssuer(token: string): string {
  checkTokenShape(token);
  const payload = token.split('.')[1] ?? '';
  return issuerOf(parseClaims(Buffer.from(payload, 'base64url').toString('utf8')));
}

export async function verifyWebIdentityToken(token: string, provider: OidcProviderFacts, keys: OidcKeys, now: Date): Promise<VerifiedToken> {
  checkTokenShape(token);
  checkHeader(decodeHeader(token));
  const claims = parseClaims(await keys.verify(token, provider, now));
  checkIssuer(claims, provider.issuer);
  const times = checkIntegerTimestamps(claims);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  checkExpiry(times.exp, nowSeconds);
  checkNotBefore(times, nowSeconds);
  const audience = matchAudience(claims, provider.clientIds);
  return { claims, subject: subjectOf(claims), audience, expiresAt: times.exp };
}
