/**
 * Roles as the AssumeRole* actions read them (operation.ts, RoleDirectory), built once by
 * src/service.ts over the per-account roles cache.
 */
import type { AccountCache } from '../auth/account-cache.js';
import type { RoleDirectory } from '../operation.js';
import type { Db } from '../store/db.js';
import { findRoleByArnParts, type AssumableRole, type RoleRef } from '../store/roles.js';

export function roleDirectory(db: Db, cache: AccountCache<AssumableRole>): RoleDirectory {
  return {
    async find(ref: RoleRef, handle: Db): Promise<AssumableRole | undefined> {
      // Inside a transaction, read what the transaction sees; outside, from the account's cache.
      if (handle !== db) return findRoleByArnParts(handle, ref);
      // Cached by the unique (account, lower-cased name); the exact-case match on name and path is redone on every call.
      const row = await cache.getOrLoad(`${ref.accountId}:${ref.name.toLowerCase()}`, ref.accountId, () => findRoleByArnParts(db, { ...ref, exact: false }));
      return row && row.name === ref.name && row.path === ref.path ? row : undefined;
    },
  };
}
