/**
 * The checks a web identity token must pass, each a short named function (shared/STYLE.md, habit
 * 4), pure: time is a parameter. Where AWS documents the failure, the code and message are AWS's
 * (shared/research/federation-facts.md §1.2); elsewhere the code is AWS's and the message ours.
 */
import { AwsError } from '../../errors.js';
import { ALGORITHMS, type JwsHeader } from './jose.js';

/** The model's bound on WebIdentityToken (STS API Reference: 4 to 20,000 characters). */
export const MAX_TOKEN_LENGTH = 20_000;
/** How far the provider's clock may be from ours: small, and bounded (AWS does not say its own). */
export const CLOCK_SKEW_SECONDS = 60;

export const NO_VERIFICATION_KEY = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
export const THUMBPRINT_MISMATCH = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint";
export const INCORRECT_AUDIENCE = 'Incorrect token audience';

function invalid(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message);
}

/** A token of at most MAX_TOKEN_LENGTH characters, three base64url parts (a compact JWS). */
export function checkTokenShape(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH) throw invalid(`The web identity token is longer than ${MAX_TOKEN_LENGTH} characters`);
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) throw invalid('The web identity token is not a signed JWT');
}

/** Header members that point at keys somewhere other than the provider's own key set. */
const FOREIGN_KEY_HEADERS = ['jku', 'x5u', 'jwk'] as const;

/**
 * The algorithm is one AWS accepts (never `none`, HMAC, RSA-PSS or EdDSA), and the header names
 * no key of its own: `jku`/`x5u` (a URL to fetch keys from) and an embedded `jwk` would let the
 * token choose its verifier. jose would ignore them; a token that carries them is refused outright.
 */
export function checkHeader(header: JwsHeader | undefined): void {
  if (!header) throw invalid('The web identity token is not a signed JWT');
  const alg = header.alg;
  if (typeof alg !== 'string' || !(ALGORITHMS as readonly string[]).includes(alg)) {
    throw invalid(`The web identity token's signing algorithm ${typeof alg === 'string' ? alg : '(none)'} is not supported: use RS256, RS384, RS512, ES256, ES384 or ES512`);
  }
  for (const h of FOREIGN_KEY_HEADERS) {
    if (h in header) throw invalid(`The web identity token's header may not carry "${h}": keys come only from the provider's key set`);
  }
}

export type Claims = Readonly<Record<string, unknown>>;

/** The payload as a JSON object, or InvalidIdentityToken. */
export function parseClaims(bytes: Uint8Array | string): Claims {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid('The web identity token payload is not a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('The web identity token payload is not a JSON object');
  return value as Claims;
}

/** `iss`, exactly as a string (the provider is found by it). */
export function issuerOf(claims: Claims): string {
  const iss = claims.iss;
  if (typeof iss !== 'string' || iss === '') throw invalid('The web identity token has no iss claim');
  return iss;
}

/** `iss` is exactly the provider's issuer: no normalisation, a trailing slash is another issuer. */
export function checkIssuer(claims: Claims, issuer: string): void {
  if (claims.iss !== issuer) throw invalid(`The web identity token was issued by ${String(claims.iss)}, not ${issuer}`);
}

/**
 * The client id the token was issued to: the first `aud` value in the provider's client list, or
 * else its `azp` if that is in the list. None: AWS's "Incorrect token audience".
 */
export function matchAudience(claims: Claims, clientIds: readonly string[]): string {
  const aud = claims.aud;
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  const match = values.find((a) => clientIds.includes(a)) ?? (typeof claims.azp === 'string' && clientIds.includes(claims.azp) ? claims.azp : undefined);
  if (match === undefined) throw invalid(INCORRECT_AUDIENCE);
  return match;
}

/** `sub`: a non-empty string (AWS returns it as SubjectFromWebIdentityToken). */
export function subjectOf(claims: Claims): string {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '' || sub.length > 255) throw invalid('The web identity token has no valid sub claim');
  return sub;
}

/**
 * "Timestamps in the token must be formatted as either an integer or a long integer" (STS API
 * Reference, WebIdentityToken): `exp` and `iat` required, `nbf` optional, each a whole number of
 * seconds. jose checks only that they are numbers.
 */
export function checkIntegerTimestamps(claims: Claims): { exp: number; iat: number; nbf: number | undefined } {
  const whole = (name: 'exp' | 'iat' | 'nbf', required: boolean): number | undefined => {
    const v = claims[name];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(`The web identity token's ${name} must be an integer number of seconds`);
    return v;
  };
  const exp = whole('exp', true);
  const iat = whole('iat', true);
  if (exp === undefined || iat === undefined) throw invalid('The web identity token must carry exp and iat');
  return { exp, iat, nbf: whole('nbf', false) };
}

/** Not expired (with the skew): else AWS's ExpiredTokenException, its message word for word. */
export function checkExpiry(exp: number, nowSeconds: number): void {
  if (nowSeconds - CLOCK_SKEW_SECONDS >= exp) {
    throw new AwsError('ExpiredTokenException', `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${exp}`);
  }
}

/** Valid already: `nbf` and `iat` not in the future beyond the skew. */
export function checkNotBefore(times: { iat: number; nbf: number | undefined }, nowSeconds: number): void {
  if (times.nbf !== undefined && times.nbf > nowSeconds + CLOCK_SKEW_SECONDS) throw invalid(`The web identity token is not valid before ${times.nbf}; the current date/time is ${nowSeconds}`);
  if (times.iat > nowSeconds + CLOCK_SKEW_SECONDS) throw invalid(`The web identity token was issued in the future (iat ${times.iat}); the current date/time is ${nowSeconds}`);
}
