/**
 * IAM roles: the IAM operations' view of them; what AssumeRole reads (a role by its ARN, in any
 * account of the deployment) and writes (its last use); and their trust policies' principals, the
 * IAM users and roles those name, stored by unique id.
 */
import { and, asc, eq, gt, inArray, isNull, like, lt, ne, or } from 'drizzle-orm';
import { entityPrincipal, type EntityPrincipalRef } from '../arn.js';
import { mapAwsPrincipals, awsPrincipalValues } from '../policy/index.js';
import type { Db } from './db.js';
import { countInAccount } from './accounts.js';
import { escapeLike } from './like.js';
import { managedPolicies, policyAttachments, roles, tags, users } from './schema.js';

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
  // A trust policy written now names its users and roles by unique id (convertLegacyTrustPolicies).
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

/* AssumeRole ----------------------------------------------------------------------------------- */

export interface AssumableRole {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  /** As stored: its IAM users and roles named by unique id (src/iam/trust-principals.ts). */
  readonly trustPolicy: string;
  readonly maxSessionDuration: number;
  /** The role's own tags (for `aws:ResourceTag/…` in the trust policy's conditions). */
  readonly tags: Readonly<Record<string, string>>;
}

/** A role as an ARN names it. `exact: false` returns the role of that lower-cased name whatever its case and path. */
export interface RoleRef {
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
  readonly exact?: boolean;
}

/**
 * The role the ARN names, or undefined. Found by account and lower-cased name (the unique index),
 * then compared exactly on path and name: an ARN that differs in case or path names no role, as
 * the evaluator compares principal and resource ARNs exactly.
 */
export async function findRoleByArnParts(db: Db, ref: RoleRef): Promise<AssumableRole | undefined> {
  const [row] = await db
    .select({
      id: roles.id,
      accountId: roles.accountId,
      name: roles.name,
      path: roles.path,
      trustPolicy: roles.trustPolicy,
      maxSessionDuration: roles.maxSessionDuration,
    })
    .from(roles)
    .where(and(eq(roles.accountId, ref.accountId), eq(roles.nameLower, ref.name.toLowerCase())));
  if (!row || (ref.exact !== false && (row.name !== ref.name || row.path !== ref.path))) return undefined;
  const tagRows = await db.select({ key: tags.key, value: tags.value }).from(tags).where(eq(tags.ownerId, row.id));
  return { ...row, tags: Object.fromEntries(tagRows.map((t) => [t.key, t.value])) };
}

/**
 * Record that the role was assumed (GetRole's RoleLastUsed). AWS itself reports last use with a
 * delay, so a resolution of one minute is as good, and it keeps a busy role's row from being
 * locked by every AssumeRole; a change of region is written at once.
 */
export async function markRoleUsed(db: Db, roleId: string, at: Date, region: string): Promise<void> {
  const staleBefore = new Date(at.getTime() - ROLE_LAST_USED_RESOLUTION_MS);
  await db
    .update(roles)
    .set({ lastUsedAt: at, lastUsedRegion: region })
    .where(
      and(
        eq(roles.id, roleId),
        or(isNull(roles.lastUsedAt), lt(roles.lastUsedAt, staleBefore), isNull(roles.lastUsedRegion), ne(roles.lastUsedRegion, region)),
      ),
    );
}

/** How fresh RoleLastUsed is kept. */
export const ROLE_LAST_USED_RESOLUTION_MS = 60_000;

/* Trust policy principals ---------------------------------------------------------------------- */

// The IAM users and roles a trust policy's Principal names, across every account of the
// deployment: by ARN when the policy is saved (a principal that names a user or role must name
// one that exists, and IAM stores its unique id), and by unique id when the policy is shown (the
// ARN of the principal that still has the id).

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

/* Trust policies saved before principals were stored by id ------------------------------------ */

// The one-time conversion of trust policies saved before IAM users and roles were stored by unique
// id (migration trust_principal_ids marks them `trust_principal_ids = false`). Each user or role
// ARN among a policy's AWS principals becomes the id of the principal that has that ARN now,
// which is what IAM would have stored had the policy been saved today.
//
// An ARN that names no principal now (deleted before the upgrade) cannot get its real id back: it
// becomes DELETED_PRINCIPAL_ID, an id no principal can have (our ids use AWS's alphabet, A-Z and
// 2-7, never 0), so it matches no one, exactly as the deleted principal's id would, and a principal
// recreated under that name is not trusted until the policy is saved again.
//
// It runs with the migrations, before the service serves (Store.migrate), and again on every start
// until no role is left: idempotent, batch by batch, each role written only while still marked, so
// nodes starting together do not step on each other or on a later UpdateAssumeRolePolicy.

/** What a user or role deleted before the conversion is named by: an id no principal has. */
export const DELETED_PRINCIPAL_ID = { user: `AIDA${'0'.repeat(17)}`, role: `AROA${'0'.repeat(17)}` } as const;

const BATCH = 200;

/** A user or role ARN that can name a principal of this deployment (as IAM's save-time check reads it). */
function lookable(arn: string): EntityPrincipalRef | undefined {
  const ref = entityPrincipal(arn);
  return ref && ref.partition === 'aws' && ref.name !== '' ? ref : undefined;
}

/** Convert every role still marked; returns how many were converted. */
export async function convertLegacyTrustPolicies(db: Db): Promise<number> {
  let converted = 0;
  for (;;) {
    const batch = await db
      .select({ id: roles.id, trustPolicy: roles.trustPolicy })
      .from(roles)
      .where(eq(roles.trustPrincipalIds, false))
      .limit(BATCH);
    if (batch.length === 0) return converted;
    const refs: EntityPrincipalRef[] = [];
    for (const row of batch) {
      for (const v of awsPrincipalValues(row.trustPolicy)) {
        const ref = lookable(v);
        if (ref) refs.push(ref);
      }
    }
    const ids = refs.length === 0 ? new Map<string, string>() : await existingPrincipals(db, refs);
    for (const row of batch) {
      const trustPolicy = mapAwsPrincipals(row.trustPolicy, (v) => {
        const ref = entityPrincipal(v);
        if (!ref) return undefined;
        const found = lookable(v) && ids.get(principalRefKey(ref));
        return found || DELETED_PRINCIPAL_ID[ref.type];
      });
      await db
        .update(roles)
        .set({ trustPolicy, trustPrincipalIds: true })
        .where(and(eq(roles.id, row.id), eq(roles.trustPrincipalIds, false)));
      converted++;
    }
  }
}
