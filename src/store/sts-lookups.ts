/**
 * What AssumeRole and GetFederationToken read: a role by its ARN (in any account of this
 * deployment, for cross-account assumption), managed policies by ARN with the document of their
 * default version (session policies passed as PolicyArns), and the one write they make, the
 * role's last use.
 */
import { and, eq, inArray, isNull, lt, ne, or } from 'drizzle-orm';
import type { Db } from './db.js';
import { managedPolicies, policyVersions, roles, tags } from './schema.js';

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

export interface PolicyDocumentRow {
  readonly arn: string;
  /** null for an AWS managed policy. */
  readonly accountId: string | null;
  /** The document of the version in force. */
  readonly document: string;
}

/** The managed policies with these ARNs (exactly as written), with their default version's document. */
export async function managedPolicyDocuments(db: Db, arns: readonly string[]): Promise<PolicyDocumentRow[]> {
  if (arns.length === 0) return [];
  return db
    .select({ arn: managedPolicies.arn, accountId: managedPolicies.accountId, document: policyVersions.document })
    .from(managedPolicies)
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, managedPolicies.id), eq(policyVersions.versionId, managedPolicies.defaultVersionId)),
    )
    .where(inArray(managedPolicies.arn, [...new Set(arns)]));
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
