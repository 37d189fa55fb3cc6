/**
 * What the trail keeps of an issuance: facts about the session, from the claims the issuing
 * handler returned with the credentials (operation.ts, Issued), so every issuing operation is
 * audited the same way whatever its handler does. The session's `jti` is kept so an operator can revoke it from the trail
 * (`sessions revoke --jti`); the secret access key and the token never are.
 */
import { entityArn } from '../arn.js';
import type { SessionClaims } from '../tokens/session-token.js';

/**
 * Whether an operation issues credentials: its output (in the service model) has `Credentials`.
 * Model-driven, so AssumeRole, GetSessionToken, GetFederationToken and the federation operations
 * need no flag of their own.
 */
export function issuesCredentials(output: OutputShape | undefined): boolean {
  if (output === undefined) return false;
  let known = issuing.get(output);
  if (known === undefined) issuing.set(output, (known = output.members.some((m) => m.name === 'Credentials')));
  return known;
}

type OutputShape = { readonly members: readonly { readonly name: string }[] };
/** Shapes are loaded once: the answer for each is worked out once. */
const issuing = new WeakMap<OutputShape, boolean>();

/** The ARN the issuance acted on: the role assumed, else the session's own principal. */
export function issuanceResource(claims: SessionClaims): string {
  return claims.kind === 'role' && claims.role ? entityArn(claims.acct, 'role', claims.role.path, claims.role.name) : claims.arn;
}

export function issuanceDetails(claims: SessionClaims): Record<string, unknown> {
  return {
    accessKeyId: claims.akid,
    jti: claims.jti,
    sessionType: claims.kind,
    sessionArn: claims.arn,
    sessionAccount: claims.acct,
    ...(claims.name !== undefined ? { sessionName: claims.name } : {}),
    issuedAt: new Date(claims.iat * 1000).toISOString(),
    expiration: new Date(claims.exp * 1000).toISOString(),
    chainDepth: claims.depth,
    mfaAuthenticated: claims.mfa !== undefined,
    // The long-term key the chain started from: deactivating it ends this session.
    ...(claims.src !== undefined ? { sourceAccessKeyId: claims.src } : {}),
    // The web identity the chain began with: which provider, which of its users.
    ...(claims.wi !== undefined ? { webIdentityProvider: claims.wi.p, webIdentitySubject: claims.wi.sub, webIdentityAudience: claims.wi.aud } : {}),
    // The SAML sign-in the chain began with: which provider, which of its users.
    ...(claims.saml !== undefined ? { samlProvider: claims.saml.p, samlSubject: claims.saml.sub, samlSubjectType: claims.saml.st } : {}),
    ...(claims.tags && claims.tags.length > 0 ? { sessionTagKeys: claims.tags.map((t) => t.key) } : {}),
  };
}
