/**
 * SAML providers as AssumeRoleWithSAML reads them (operation.ts, SamlProviderDirectory), over a
 * per-account cache like the OpenID Connect providers' (oidc-provider-directory.ts): read once per
 * node until the account changes. Only what verification needs is kept (never the metadata
 * document), and only providers that exist: made-up ARNs are read again each time, so they
 * cannot fill the cache. A provider's private keys for encrypted assertions are cached as they are
 * stored, sealed: AssumeRoleWithSAML opens them only when an EncryptedAssertion arrives.
 */
import type { AccountCache } from '../auth/account-cache.js';
import type { SamlProviderDirectory } from '../operation.js';
import type { Db } from '../store/db.js';
import { findSamlTrust, type SamlTrustRow } from '../store/saml-providers.js';

export function samlProviderDirectory(db: Db, cache: AccountCache<SamlTrustRow>): SamlProviderDirectory {
  return {
    async find(accountId: string, arn: string, handle: Db): Promise<SamlTrustRow | undefined> {
      // Inside a transaction, read what the transaction sees; outside, from the account's cache.
      if (handle !== db) return findSamlTrust(handle, accountId, arn);
      return cache.getOrLoad(arn, accountId, () => findSamlTrust(db, accountId, arn));
    },
  };
}
