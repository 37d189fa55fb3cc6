/**
 * Inline policies of users, groups and roles, keyed by the owner's unique id. Names are matched
 * exactly (the table's key is `(owner_id, name)`).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { inlinePolicies } from '../schema.js';

export type OwnerType = 'user' | 'group' | 'role';

export interface InlinePolicyRow {
  readonly name: string;
  readonly document: string;
}

export async function findInlinePolicy(db: Db, ownerId: string, name: string): Promise<InlinePolicyRow | undefined> {
  const [row] = await db
    .select({ name: inlinePolicies.name, document: inlinePolicies.document })
    .from(inlinePolicies)
    .where(and(eq(inlinePolicies.ownerId, ownerId), eq(inlinePolicies.name, name)));
  return row;
}

/**
 * Every inline policy of one owner. Small by construction (IAM's aggregate size quota caps them at
 * 10,240 non-whitespace characters per owner), so callers sort and page in memory.
 */
export async function listInlinePolicies(db: Db, ownerId: string): Promise<InlinePolicyRow[]> {
  return db.select({ name: inlinePolicies.name, document: inlinePolicies.document }).from(inlinePolicies).where(eq(inlinePolicies.ownerId, ownerId));
}

/**
 * Inside a write transaction: serialize writers of one owner's inline policies until commit, so
 * two concurrent Put*Policy calls cannot both pass the aggregate size check.
 */
export async function lockOwnerPolicies(db: Db, ownerId: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`inline:${ownerId}`}))`);
}

/** Create or replace (IAM's Put*Policy replaces a policy of the same name). */
export async function putInlinePolicy(db: Db, policy: { ownerId: string; accountId: string; ownerType: OwnerType; name: string; document: string }): Promise<void> {
  await db
    .insert(inlinePolicies)
    .values(policy)
    .onConflictDoUpdate({ target: [inlinePolicies.ownerId, inlinePolicies.name], set: { document: policy.document } });
}

/** True when a policy was deleted. */
export async function deleteInlinePolicy(db: Db, ownerId: string, name: string): Promise<boolean> {
  const deleted = await db
    .delete(inlinePolicies)
    .where(and(eq(inlinePolicies.ownerId, ownerId), eq(inlinePolicies.name, name)))
    .returning({ name: inlinePolicies.name });
  return deleted.length > 0;
}

export async function countInlinePolicies(db: Db, ownerId: string): Promise<number> {
  return db.$count(inlinePolicies, eq(inlinePolicies.ownerId, ownerId));
}
