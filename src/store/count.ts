/** Per-account entity counts, for IAM's quotas and GetAccountSummary. */
import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { groups, managedPolicies, roles, users } from './schema.js';

const TABLES = { users, groups, roles, managedPolicies } as const;

export async function countRows(db: Db, table: keyof typeof TABLES, accountId: string): Promise<number> {
  const t = TABLES[table];
  return db.$count(t, eq(t.accountId, accountId));
}
