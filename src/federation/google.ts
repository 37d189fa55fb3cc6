/**
 * Google, built in (IAM API Reference, CreateOpenIDConnectProvider: "Google, Facebook and Amazon
 * Cognito are built in"; IAM User Guide, "Available keys for AWS web identity federation"): an ID
 * token whose `iss` is Google's issuer needs no IAM provider object. It is verified as a
 * registered provider's is (src/federation/oidc/verify.ts): the keys come from discovery at the
 * issuer (GOOGLE_ISSUER_URL, default https://accounts.google.com, whose `jwks_uri` is on
 * www.googleapis.com) over TLS the trust store validates, RS256/384/512 or ES256/384/512, integer
 * timestamps, expiry and not-before with the same skew.
 *
 * What differs: the issuer is accepted with or without its scheme (Google's ID tokens have carried
 * `accounts.google.com` as well as `https://accounts.google.com`; coreos/go-oidc makes the same
 * exception for Google only), and there is no client id list: any Google app's token verifies,
 * and the role's trust policy decides which apps it trusts through `accounts.google.com:aud`
 * (the token's `azp` when it has one, else its `aud`) or `:oaud` (always its `aud`). A trust
 * policy that trusts Google without such a condition is refused (src/policy/multi-tenant.ts).
 */
import { AwsError } from '../errors.js';
import { checkExpiry, checkHeader, checkIntegerTimestamps, checkNotBefore, checkTokenShape, parseClaims, subjectOf, type Claims } from './oidc/checks.js';
import { decodeHeader } from './oidc/jose.js';
import type { OidcKeys } from './oidc/keys.js';

export const DEFAULT_GOOGLE_ISSUER = 'https://accounts.google.com';

/** The `iss` values a Google token may carry: the issuer, and the issuer without `https://`. */
export function googleIssuerForms(issuer: string): readonly string[] {
  const bare = issuer.replace(/^https:\/\//, '');
  return bare === issuer ? [issuer] : [issuer, bare];
}

export interface VerifiedGoogleToken {
  readonly claims: Claims;
  readonly subject: string;
  /** The client the token was issued to, as AWS reports it: `azp` when present, else `aud`. */
  readonly audience: string;
}

function invalid(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message);
}

/** `aud` (one string or a list of them) and `azp`: the audience AWS reports. */
function googleAudience(claims: Claims): string {
  const aud = claims.aud;
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  const first = values[0];
  if (typeof first !== 'string' || first === '' || !values.every((a) => typeof a === 'string' && a !== '')) throw invalid('The web identity token has no valid aud claim');
  const azp = claims.azp;
  if (azp === undefined) return first;
  if (typeof azp !== 'string' || azp === '') throw invalid('The web identity token has no valid azp claim');
  return azp;
}

/** A Google ID token, verified with Google's keys (discovered at `issuer`). */
export async function verifyGoogleToken(token: string, issuer: string, keys: OidcKeys, now: Date): Promise<VerifiedGoogleToken> {
  checkTokenShape(token);
  checkHeader(decodeHeader(token));
  const claims = parseClaims(await keys.verify(token, { issuer, thumbprints: [] }, now));
  if (typeof claims.iss !== 'string' || !googleIssuerForms(issuer).includes(claims.iss)) throw invalid(`The web identity token was issued by ${String(claims.iss)}, not ${issuer}`);
  const times = checkIntegerTimestamps(claims);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  checkExpiry(times.exp, nowSeconds);
  checkNotBefore(times, nowSeconds);
  return { claims, subject: subjectOf(claims), audience: googleAudience(claims) };
}
