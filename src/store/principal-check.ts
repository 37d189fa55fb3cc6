/**
 * The IAM users and roles a trust policy's Principal names, across every account of the
 * deployment: by ARN when the policy is saved (a principal that names a user or role must name
 * one that exists, and IAM stores its unique id), and by unique id when the policy is shown (the
 * ARN of the principal that still has the id).
 */
import { and, inArray } from 'drizzle-orm';
import type { EntityPrincipalRef } from '../arn.js';
import type { Db } from './db.js';
import { roles, users } from './schema.js';

/** One key per (type, account, path, name), compared exactly as the ARN is written. */
export function principalRefKey(ref: EntityPrincipalRef): string {
  return `${ref.type}\0${ref.accountId}\0${ref.path}\0${ref.name}`;
}

/**
 * The unique ids of the refs that exist, by principalRefKey. One query per entity type, whatever
 * the number of principals: candidates are fetched by account and lower-cased name (the unique
 * index), then compared exactly on path and name, because a policy names a principal by its
 * exact ARN and a case-variant ARN names none.
 */
export async function existingPrincipals(db: Db, refs: readonly EntityPrincipalRef[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const [type, table] of [['user', users], ['role', roles]] as const) {
    const wanted = refs.filter((r) => r.type === type);
    if (wanted.length === 0) continue;
    const accountIds = [...new Set(wanted.map((r) => r.accountId))];
    const namesLower = [...new Set(wanted.map((r) => r.name.toLowerCase()))];
    const rows = await db
      .select({ id: table.id, accountId: table.accountId, path: table.path, name: table.name })
      .from(table)
      .where(and(inArray(table.accountId, accountIds), inArray(table.nameLower, namesLower)));
    for (const { id, ...row } of rows) found.set(principalRefKey({ type, ...row }), id);
  }
  return found;
}

/** The users and roles that have these unique ids (in any account), by id. */
export async function principalsById(db: Db, ids: readonly string[]): Promise<Map<string, EntityPrincipalRef>> {
  const found = new Map<string, EntityPrincipalRef>();
  if (ids.length === 0) return found;
  const wanted = [...new Set(ids)];
  for (const [type, table] of [['user', users], ['role', roles]] as const) {
    const rows = await db
      .select({ id: table.id, accountId: table.accountId, path: table.path, name: table.name })
      .from(table)
      .where(inArray(table.id, wanted));
    for (const { id, ...row } of rows) found.set(id, { type, ...row });
  }
  return found;
}
