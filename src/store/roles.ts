/** IAM roles. */
import { and, asc, eq, gt, like } from 'drizzle-orm';
import type { Db } from './db.js';
import { countInAccount } from './count.js';
import { managedPolicies, policyAttachments, roles } from './schema.js';
import { escapeLike } from './users.js';

export interface RoleRow {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly createdAt: Date;
  /** As stored: its IAM users and roles named by unique id (src/iam/trust-principals.ts). */
  readonly trustPolicy: string;
  readonly description: string | null;
  readonly maxSessionDuration: number;
  readonly boundaryPolicyId: string | null;
  /** The boundary's ARN, when there is one. */
  readonly boundaryArn: string | null;
  readonly lastUsedAt: Date | null;
  readonly lastUsedRegion: string | null;
}

export type NewRole = Omit<RoleRow, 'boundaryArn' | 'lastUsedAt' | 'lastUsedRegion'>;

const columns = {
  id: roles.id,
  accountId: roles.accountId,
  name: roles.name,
  path: roles.path,
  createdAt: roles.createdAt,
  trustPolicy: roles.trustPolicy,
  description: roles.description,
  maxSessionDuration: roles.maxSessionDuration,
  boundaryPolicyId: roles.boundaryPolicyId,
  boundaryArn: managedPolicies.arn,
  lastUsedAt: roles.lastUsedAt,
  lastUsedRegion: roles.lastUsedRegion,
};

export async function findRole(db: Db, accountId: string, name: string): Promise<RoleRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(roles)
    .leftJoin(managedPolicies, eq(managedPolicies.id, roles.boundaryPolicyId))
    .where(and(eq(roles.accountId, accountId), eq(roles.nameLower, name.toLowerCase())));
  return row;
}

/** False when the name is taken (a concurrent CreateRole won the race past the caller's check). */
export async function insertRole(db: Db, role: NewRole): Promise<boolean> {
  const inserted = await db
    .insert(roles)
    .values({ ...role, nameLower: role.name.toLowerCase() })
    .onConflictDoNothing()
    .returning({ id: roles.id });
  return inserted.length > 0;
}

/** Roles sorted by name (case-insensitively), after `after`, at most `limit`. */
export async function listRoles(db: Db, accountId: string, opts: { pathPrefix?: string | undefined; after?: string | undefined; limit: number }): Promise<(RoleRow & { nameLower: string })[]> {
  const where = [eq(roles.accountId, accountId)];
  if (opts.pathPrefix) where.push(like(roles.path, `${escapeLike(opts.pathPrefix)}%`));
  if (opts.after !== undefined) where.push(gt(roles.nameLower, opts.after));
  return db
    .select({ ...columns, nameLower: roles.nameLower })
    .from(roles)
    .leftJoin(managedPolicies, eq(managedPolicies.id, roles.boundaryPolicyId))
    .where(and(...where))
    .orderBy(asc(roles.nameLower))
    .limit(opts.limit);
}

export async function updateRole(db: Db, roleId: string, changes: { description?: string; maxSessionDuration?: number; trustPolicy?: string }): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  // A trust policy written now names its users and roles by unique id (trust-backfill.ts).
  await db.update(roles).set(changes.trustPolicy === undefined ? changes : { ...changes, trustPrincipalIds: true }).where(eq(roles.id, roleId));
}

export async function deleteRole(db: Db, roleId: string): Promise<void> {
  await db.delete(roles).where(eq(roles.id, roleId));
}

/** Managed policies attached to the role (DeleteRole refuses while there are any). */
export async function countRoleAttachments(db: Db, roleId: string): Promise<number> {
  return db.$count(policyAttachments, eq(policyAttachments.ownerId, roleId));
}

export async function countRoles(db: Db, accountId: string): Promise<number> {
  return countInAccount(db, roles, accountId);
}
