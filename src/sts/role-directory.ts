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
      const key = `${ref.accountId}:${ref.name.toLowerCase()}`;
      const hit = cache.get(key);
      // Cached by the unique (account, lower-cased name); the exact-case match on name and path is redone on every call.
      if (hit) return hit.name === ref.name && hit.path === ref.path ? hit : undefined;
      const epoch = cache.epoch;
      const row = await findRoleByArnParts(db, { ...ref, exact: false });
      if (row) cache.set(key, row.accountId, row, epoch);
      return row && row.name === ref.name && row.path === ref.path ? row : undefined;
    },
  };
}
