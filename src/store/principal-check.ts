/**
 * Which IAM users and roles named by a policy's Principal exist: a read across every account of
 * the deployment, for the check IAM makes when a trust policy is saved (a principal that names a
 * user or role must name one that exists).
 */
import { and, inArray } from 'drizzle-orm';
import type { Db } from './db.js';
import { roles, users } from './schema.js';

/** A user or role as a principal ARN names it: its account, path and name, exactly. */
export interface EntityPrincipalRef {
  readonly type: 'user' | 'role';
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

/** One key per (type, account, path, name), compared exactly as the ARN is written. */
export function principalRefKey(ref: EntityPrincipalRef): string {
  return `${ref.type}\0${ref.accountId}\0${ref.path}\0${ref.name}`;
}

/**
 * The keys (principalRefKey) of the refs that exist. One query per entity type, whatever the
 * number of principals: candidates are fetched by account and lower-cased name (the unique
 * index), then compared exactly on path and name, because the evaluator compares principal ARNs
 * exactly and a case-variant ARN would never match the caller.
 */
export async function existingPrincipals(db: Db, refs: readonly EntityPrincipalRef[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const [type, table] of [['user', users], ['role', roles]] as const) {
    const wanted = refs.filter((r) => r.type === type);
    if (wanted.length === 0) continue;
    const accountIds = [...new Set(wanted.map((r) => r.accountId))];
    const namesLower = [...new Set(wanted.map((r) => r.name.toLowerCase()))];
    const rows = await db
      .select({ accountId: table.accountId, path: table.path, name: table.name })
      .from(table)
      .where(and(inArray(table.accountId, accountIds), inArray(table.nameLower, namesLower)));
    for (const row of rows) found.add(principalRefKey({ type, ...row }));
  }
  return found;
}
