/**
 * Session tokens: everything needed to verify a request made with temporary credentials, sealed
 * (AES-256-GCM through the keyring, `kid` in its header, associated data `session-token:v1`) so
 * that any node holding the keys can open it with no database read, and nobody else can read or
 * forge it. Measured for issue 4: node:crypto AES-GCM opens ~25x faster than jose's compact JWE,
 * so the format is the keyring's own compact layout around a JSON payload.
 *
 * The token binds its access key id (`akid`): a token presented with another key id is refused.
 */
import type { Keyring } from './keyring.js';

const AAD = 'session-token:v1';

/** How the credentials were obtained: decides what they may call (AWS's credential-type rules). */
export type SessionKind = 'session' | 'role' | 'federated';

export interface SessionTag {
  readonly key: string;
  readonly value: string;
}

export interface SessionClaims {
  readonly v: 1;
  /** The temporary access key id (`ASIA…`) this token belongs to. */
  readonly akid: string;
  /** The temporary secret access key. */
  readonly sk: string;
  /** A unique id of this session (single-session revocation). */
  readonly jti: string;
  readonly kind: SessionKind;
  /** The account the principal belongs to. */
  readonly acct: string;
  /** The caller's ARN: the IAM user or root (session), `assumed-role/…`, or `federated-user/…`. */
  readonly arn: string;
  /** `aws:userid`: `AROA…:session`, `ACCOUNT:name`, the user's id, or the account id for root. */
  readonly uid: string;
  /** The IAM user behind a GetSessionToken or GetFederationToken session (absent for root). */
  readonly user?: { readonly id: string; readonly name: string; readonly path: string } | undefined;
  /** The role of an AssumeRole* session. */
  readonly role?: { readonly id: string; readonly name: string; readonly path: string } | undefined;
  /** RoleSessionName, or the federated user's Name. */
  readonly name?: string | undefined;
  /**
   * Session policies: the inline policy and the PolicyArns, in order. Each entry is either a
   * policy's text (the inline policy; a customer managed policy's default version at issue time)
   * or a reference to an AWS managed policy, its ARN (src/auth/aws-managed-session-policies.ts;
   * see isPolicyReference). Tokens issued before references existed hold text only and read the
   * same. A node that predates references fails to parse an ARN as a document and denies the
   * session everything (an unparsable session policy allows nothing there): it fails closed.
   */
  readonly pol?: readonly string[] | undefined;
  /** Session tags; `tt` the keys that are transitive (they pass to chained role sessions). */
  readonly tags?: readonly SessionTag[] | undefined;
  readonly tt?: readonly string[] | undefined;
  /** SourceIdentity (immutable across role chains). */
  readonly sid?: string | undefined;
  /** When MFA was verified (epoch seconds), if it was. */
  readonly mfa?: number | undefined;
  /** Issued at and expires at, epoch seconds. */
  readonly iat: number;
  readonly exp: number;
  /** How many AssumeRole steps led here (0 for a first role session). */
  readonly depth: number;
  /**
   * The long-term access key the chain started from: disabling or deleting it ends the session.
   * Absent only when the chain started from a web identity (`wi`): no key of ours stands behind
   * it, and a token with neither is refused (src/auth/authenticate.ts).
   */
  readonly src?: string | undefined;
  /** The account whose long-term key started the chain (absent with `src`), or, with `con`, the account the console sign-in was to (absent: the session's own). */
  readonly srcAcct?: string | undefined;
  /**
   * When that key was last deactivated (epoch ms), as the issuing node knew it; absent if never.
   * The key's current value must be the same: a session issued before a deactivation stays
   * refused after the key is reactivated.
   */
  readonly srcOff?: number | undefined;
  /**
   * The web identity the chain started from (AssumeRoleWithWebIdentity, and role sessions
   * chained from one): the provider's ARN, its URL as IAM shows it (host/path, the prefix of its
   * condition keys), and the token's subject and audience. Tokens issued before this field
   * existed have no `wi` and a `src`, and open as before.
   */
  readonly wi?: WebIdentityOrigin | undefined;
  /**
   * The SAML sign-in the chain started from (AssumeRoleWithSAML, and role sessions chained from
   * one): like `wi`, it stands in for a long-term key, and carries the keys that stay usable after
   * the assumption (`saml:namequalifier`, `saml:sub`, `saml:sub_type`).
   */
  readonly saml?: SamlOrigin | undefined;
  /**
   * The console sign-in the session was issued from (src/console/): the console session's id. A
   * user signed in with a password has no access key behind their credentials; this is their
   * origin instead of `src`, accepted only on GetSessionToken-kind sessions of an IAM user.
   */
  readonly con?: string | undefined;
}

export interface SamlOrigin {
  /** The SAML provider's ARN (aws:FederatedProvider). */
  readonly p: string;
  readonly sub: string;
  /** `saml:sub_type`. */
  readonly st: string;
  /** `saml:namequalifier`. */
  readonly nq: string;
}

export interface WebIdentityOrigin {
  /** The OIDC provider's ARN (aws:FederatedProvider). */
  readonly p: string;
  /** host/path: `${u}:sub`, `${u}:aud`. */
  readonly u: string;
  readonly sub: string;
  readonly aud: string;
}

/**
 * Whether an entry of `pol` names a policy instead of holding its text. A policy document is a
 * JSON object, so its text begins with `{` or white space, never with `arn:`.
 */
export function isPolicyReference(entry: string): boolean {
  return entry.startsWith('arn:');
}

export function sealSessionToken(keyring: Keyring, claims: SessionClaims): string {
  return keyring.seal(JSON.stringify(claims), AAD);
}

/** The claims, or undefined for anything that is not a token of ours (tampered, foreign, garbage). */
export function openSessionToken(keyring: Keyring, token: string): SessionClaims | undefined {
  // A token is at most a few KB; refuse anything absurd before decoding it.
  if (token.length > 16_384 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const plain = keyring.open(token, AAD);
  if (!plain) return undefined;
  try {
    const claims = JSON.parse(plain.toString('utf8')) as SessionClaims;
    return claims.v === 1 && typeof claims.akid === 'string' && typeof claims.sk === 'string' ? claims : undefined;
  } catch {
    return undefined;
  }
}
