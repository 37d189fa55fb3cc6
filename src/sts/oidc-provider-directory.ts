/**
 * OpenID Connect providers as AssumeRoleWithWebIdentity reads them (operation.ts,
 * OidcProviderDirectory), built once by src/service.ts over a per-account cache: a provider's
 * row is read once per node until its account changes (every IAM write announces its account, and
 * every node drops the account's entries), instead of once per call. Only providers that exist are
 * kept: an unknown issuer is read again each time, so a flood of made-up issuers cannot fill the
 * cache with answers nobody needs.
 */
import type { AccountCache } from '../auth/account-cache.js';
import type { OidcProviderDirectory } from '../operation.js';
import type { Db } from '../store/db.js';
import { findOidcProviderByIssuer, type OidcProviderRow } from '../store/oidc-providers.js';

export function oidcProviderDirectory(db: Db, cache: AccountCache<OidcProviderRow>): OidcProviderDirectory {
  return {
    async find(accountId: string, issuer: string, handle: Db): Promise<OidcProviderRow | undefined> {
      // Inside a transaction, read what the transaction sees; outside, from the account's cache.
      if (handle !== db) return findOidcProviderByIssuer(handle, accountId, issuer);
      return cache.getOrLoad(`${accountId}\n${issuer}`, accountId, () => findOidcProviderByIssuer(db, accountId, issuer));
    },
  };
}
