/**
 * Managed policies used by users, groups and roles: attached as permissions policies, or set as a
 * user's or role's permissions boundary; the reverse question (ListEntitiesForPolicy: which
 * entities a policy is attached to or bounds); the lock on the owner an attachment counts against; and
 * what policies an entity still owns before it can be deleted.
 */
import { and, asc, eq, gt, like, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db.js';
import { escapeLike } from '../like.js';
import { groups, inlinePolicies, managedPolicies, policyAttachments, roles, users } from '../schema.js';
import { afterSortKey } from './managed.js';

export type OwnerType = 'user' | 'group' | 'role';

export interface Attachment {
  readonly ownerId: string;
  readonly accountId: string;
  readonly ownerType: OwnerType;
  readonly policyId: string;
  readonly attachedAt: Date;
}

/** Attach; attaching a policy that is already attached changes nothing (AWS: idempotent). */
export async function attachPolicy(db: Db, a: Attachment): Promise<void> {
  await db.insert(policyAttachments).values(a).onConflictDoNothing();
}

/** Detach; false when it was not attached. */
export async function detachPolicy(db: Db, ownerId: string, policyId: string): Promise<boolean> {
  const rows = await db
    .delete(policyAttachments)
    .where(and(eq(policyAttachments.ownerId, ownerId), eq(policyAttachments.policyId, policyId)))
    .returning({ ownerId: policyAttachments.ownerId });
  return rows.length > 0;
}

export async function isAttached(db: Db, ownerId: string, policyId: string): Promise<boolean> {
  return (await db.$count(policyAttachments, and(eq(policyAttachments.ownerId, ownerId), eq(policyAttachments.policyId, policyId)))) > 0;
}

export async function countAttached(db: Db, ownerId: string): Promise<number> {
  return db.$count(policyAttachments, eq(policyAttachments.ownerId, ownerId));
}

export interface AttachedPolicyRow {
  readonly name: string;
  readonly nameLower: string;
  readonly arn: string;
}

/**
 * The policies attached to one entity, by name then ARN (an AWS managed policy and a customer
 * managed one may share a name), optionally under a policy path prefix. `after` is a listSortKey.
 */
export async function listAttached(db: Db, ownerId: string, opts: { pathPrefix?: string | undefined; after?: string | undefined; limit: number }): Promise<AttachedPolicyRow[]> {
  const where: SQL[] = [eq(policyAttachments.ownerId, ownerId)];
  if (opts.pathPrefix) where.push(like(managedPolicies.path, `${escapeLike(opts.pathPrefix)}%`));
  if (opts.after !== undefined) where.push(afterSortKey(opts.after));
  return db
    .select({ name: managedPolicies.name, nameLower: managedPolicies.nameLower, arn: managedPolicies.arn })
    .from(policyAttachments)
    .innerJoin(managedPolicies, eq(managedPolicies.id, policyAttachments.policyId))
    .where(and(...where))
    .orderBy(asc(managedPolicies.nameLower), asc(managedPolicies.arn))
    .limit(opts.limit);
}

/* Permissions boundaries ---------------------------------------------------------------------- */

export async function setUserBoundary(db: Db, userId: string, policyId: string | null): Promise<void> {
  await db.update(users).set({ boundaryPolicyId: policyId }).where(eq(users.id, userId));
}

export async function setRoleBoundary(db: Db, roleId: string, policyId: string | null): Promise<void> {
  await db.update(roles).set({ boundaryPolicyId: policyId }).where(eq(roles.id, roleId));
}

/* Owners -------------------------------------------------------------------------------------- */

/**
 * Lock an owner's row until the transaction ends, so two concurrent attachments to one entity
 * cannot both pass the ten-policy quota check. False when the entity is gone.
 */
export async function lockOwner(db: Db, type: 'user' | 'group' | 'role', id: string): Promise<boolean> {
  const table = type === 'user' ? users : type === 'group' ? groups : roles;
  const rows = await db.select({ id: table.id }).from(table).where(eq(table.id, id)).for('update');
  return rows.length > 0;
}

/**
 * What policies an IAM user, group or role still owns: IAM refuses to delete an entity that has
 * inline policies or attached managed policies (DeleteConflict), so deletions ask here first.
 */
export interface OwnedPolicies {
  readonly inline: number;
  readonly attached: number;
}

export async function ownedPolicies(db: Db, ownerId: string): Promise<OwnedPolicies> {
  return {
    inline: await db.$count(inlinePolicies, eq(inlinePolicies.ownerId, ownerId)),
    attached: await db.$count(policyAttachments, eq(policyAttachments.ownerId, ownerId)),
  };
}

/* Entities for a policy ---------------------------------------------------------------------- */

export interface PolicyEntity {
  readonly type: OwnerType;
  readonly id: string;
  readonly name: string;
  /** The order of the union: groups, then users, then roles, each by name. */
  readonly sortKey: string;
}

export interface EntitiesOptions {
  /**
   * The caller's account: only its entities are listed. A customer managed policy has entities in
   * its own account only, but an AWS managed policy is attached across every account.
   */
  readonly accountId: string;
  readonly types: readonly OwnerType[];
  /** Attached as a permissions policy, used as a permissions boundary, or either. */
  readonly usage: 'PermissionsPolicy' | 'PermissionsBoundary' | undefined;
  readonly pathPrefix?: string | undefined;
  /** A sort key from a previous page. */
  readonly after?: string | undefined;
  readonly limit: number;
}

const TYPE_ORDER: readonly OwnerType[] = ['group', 'user', 'role'];

function sortKeyOf(type: OwnerType, nameLower: string): string {
  return `${TYPE_ORDER.indexOf(type)}:${nameLower}`;
}

interface EntityTable {
  readonly id: PgColumn;
  readonly accountId: PgColumn;
  readonly name: PgColumn;
  readonly nameLower: PgColumn;
  readonly path: PgColumn;
  /** Groups have no permissions boundary. */
  readonly boundaryPolicyId?: PgColumn;
}

const TABLES = { group: groups, user: users, role: roles } as const;

export async function listEntitiesForPolicy(db: Db, policyId: string, opts: EntitiesOptions): Promise<PolicyEntity[]> {
  const [afterType = -1, afterName = ''] = splitSortKey(opts.after);
  const out: PolicyEntity[] = [];
  for (const [index, type] of TYPE_ORDER.entries()) {
    if (out.length >= opts.limit) break;
    if (!opts.types.includes(type) || index < afterType) continue;
    const t: EntityTable = TABLES[type];
    const uses: SQL[] = [];
    if (opts.usage !== 'PermissionsBoundary') {
      uses.push(sql`exists (select 1 from ${policyAttachments} where ${policyAttachments.ownerId} = ${t.id} and ${policyAttachments.policyId} = ${policyId})`);
    }
    if (opts.usage !== 'PermissionsPolicy' && t.boundaryPolicyId) uses.push(eq(t.boundaryPolicyId, policyId));
    if (uses.length === 0) continue;
    const where: SQL[] = [eq(t.accountId, opts.accountId), or(...uses) ?? sql`false`];
    if (opts.pathPrefix) where.push(like(t.path, `${escapeLike(opts.pathPrefix)}%`));
    if (index === afterType) where.push(gt(t.nameLower, afterName));
    const rows = await db
      .select({ id: sql<string>`${t.id}`, name: sql<string>`${t.name}`, nameLower: sql<string>`${t.nameLower}` })
      .from(TABLES[type])
      .where(and(...where))
      .orderBy(asc(t.nameLower))
      .limit(opts.limit - out.length);
    for (const r of rows) out.push({ type, id: r.id, name: r.name, sortKey: sortKeyOf(type, r.nameLower) });
  }
  return out;
}

function splitSortKey(key: string | undefined): [number, string] | [] {
  if (key === undefined) return [];
  const colon = key.indexOf(':');
  const type = Number(key.slice(0, colon));
  return colon > 0 && Number.isInteger(type) ? [type, key.slice(colon + 1)] : [];
}
