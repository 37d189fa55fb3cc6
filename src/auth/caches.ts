/**
 * The per-account caches that keep the hot path free of database reads. One set per service
 * (src/service.ts builds it), dropped for an account whenever any node announces a change to it.
 */
import type { OidcProviderRow } from '../store/oidc-providers.js';
import type { SamlTrustRow } from '../store/saml-providers.js';
import type { AssumableRole } from '../store/roles.js';
import { AccountCache } from './account-cache.js';
import type { KnownKey } from './authenticate.js';
import type { CompiledPrincipal } from './authorize.js';
import type { RevokedCache } from './revocation.js';

export interface Caches {
  readonly keys: AccountCache<KnownKey>;
  readonly principals: AccountCache<CompiledPrincipal>;
  /** Per account: the jtis of its revoked, unexpired sessions (src/auth/revocation.ts). */
  readonly revoked: RevokedCache;
  /** Roles as AssumeRole reads them (with their tags), by account and lower-cased name, in the role's account. */
  readonly roles: AccountCache<AssumableRole>;
  /** OpenID Connect providers by account and exact issuer (AssumeRoleWithWebIdentity), in the provider's account. */
  readonly oidcProviders: AccountCache<OidcProviderRow>;
  /** SAML providers by ARN (AssumeRoleWithSAML): entity id and certificates, never the metadata document. */
  readonly samlProviders: AccountCache<SamlTrustRow>;
}

/** `coherent`: whether this node currently hears every change (Store.coherent). */
export function createCaches(coherent: () => boolean = () => true): Caches {
  return {
    keys: new AccountCache(10_000, coherent),
    principals: new AccountCache(10_000, coherent),
    revoked: new AccountCache(10_000, coherent),
    roles: new AccountCache(10_000, coherent),
    oidcProviders: new AccountCache(10_000, coherent),
    samlProviders: new AccountCache(10_000, coherent),
  };
}

export function invalidate(caches: Caches, accountId: string | undefined): void {
  caches.keys.invalidate(accountId);
  caches.principals.invalidate(accountId);
  caches.revoked.invalidate(accountId);
  caches.roles.invalidate(accountId);
  caches.oidcProviders.invalidate(accountId);
  caches.samlProviders.invalidate(accountId);
}
