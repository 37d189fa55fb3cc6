/**
 * Managed policies and their versions: customer managed ones of an account, and AWS managed ones
 * (account null, loaded by aws-managed.ts), which every account sees. A policy row says which
 * version is in force (`default_version_id`) and which number the next version takes
 * (`next_version`: AWS never reuses a version id, even after DeletePolicyVersion).
 */
import { and, asc, eq, getTableName, gt, inArray, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { countInAccount } from '../accounts.js';
import type { Db } from '../db.js';
import { escapeLike } from '../like.js';
import { managedPolicies, policyAttachments, policyVersions, roles, users } from '../schema.js';

export interface ManagedPolicyRow {
  readonly id: string;
  /** null for an AWS managed policy. */
  readonly accountId: string | null;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string | null;
  readonly defaultVersionId: string;
  readonly nextVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * How many entities of one account have the policy attached, and how many of its users and roles
 * use it as boundary (AWS counts an AWS managed policy's attachments per account).
 */
export interface PolicyUsage {
  readonly attachmentCount: number;
  readonly boundaryUsageCount: number;
}

export interface PolicyVersionRow {
  readonly versionId: string;
  readonly document: string;
  readonly createdAt: Date;
}

const columns = {
  id: managedPolicies.id,
  accountId: managedPolicies.accountId,
  name: managedPolicies.name,
  path: managedPolicies.path,
  arn: managedPolicies.arn,
  description: managedPolicies.description,
  defaultVersionId: managedPolicies.defaultVersionId,
  nextVersion: managedPolicies.nextVersion,
  createdAt: managedPolicies.createdAt,
  updatedAt: managedPolicies.updatedAt,
};

/**
 * A column always written `"table"."column"`: drizzle leaves columns unqualified in the select
 * list of a single-table query, where a correlated subquery would bind them to its own table.
 */
function qualified(column: AnyPgColumn): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}

const policyId = qualified(managedPolicies.id);

// Correlated counts, so a list is one query however many policies it returns.
const attachmentCount = (accountId: string) =>
  sql<number>`(select count(*) from ${policyAttachments} where ${qualified(policyAttachments.policyId)} = ${policyId} and ${qualified(policyAttachments.accountId)} = ${accountId})::int`;
const boundaryUsageCount = (accountId: string) => sql<number>`((select count(*) from ${users} where ${qualified(users.boundaryPolicyId)} = ${policyId} and ${qualified(users.accountId)} = ${accountId})
  + (select count(*) from ${roles} where ${qualified(roles.boundaryPolicyId)} = ${policyId} and ${qualified(roles.accountId)} = ${accountId}))::int`;

/** The policies an account sees: its own and the AWS managed ones. */
const visibleTo = (accountId: string) => or(eq(managedPolicies.accountId, accountId), isNull(managedPolicies.accountId));

export async function findPolicyByName(db: Db, accountId: string, name: string): Promise<ManagedPolicyRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(managedPolicies)
    .where(and(eq(managedPolicies.accountId, accountId), eq(managedPolicies.nameLower, name.toLowerCase())));
  return row;
}

/**
 * The account's policy, or the AWS managed policy, with exactly this ARN (ARNs are compared as
 * given, as AWS does).
 */
export async function findPolicy(db: Db, accountId: string, arn: string): Promise<ManagedPolicyRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(managedPolicies)
    .where(and(visibleTo(accountId), eq(managedPolicies.arn, arn)));
  return row;
}

/** A managed policy's reference by ARN (used by boundaries, attachments and simulation). */
export interface PolicyRef {
  readonly id: string;
  readonly arn: string;
  /** null for an AWS managed policy. */
  readonly accountId: string | null;
}

export async function findPolicyByArn(db: Db, arn: string): Promise<PolicyRef | undefined> {
  const [row] = await db
    .select({ id: managedPolicies.id, arn: managedPolicies.arn, accountId: managedPolicies.accountId })
    .from(managedPolicies)
    .where(eq(managedPolicies.arn, arn));
  return row;
}

export async function policyUsage(db: Db, policyId: string, accountId: string): Promise<PolicyUsage> {
  const [row] = await db
    .select({ attachmentCount: attachmentCount(accountId), boundaryUsageCount: boundaryUsageCount(accountId) })
    .from(managedPolicies)
    .where(eq(managedPolicies.id, policyId));
  return { attachmentCount: Number(row?.attachmentCount ?? 0), boundaryUsageCount: Number(row?.boundaryUsageCount ?? 0) };
}

/**
 * Inserts the policy and its v1; false (and nothing written) when the name is taken. The unique
 * index decides, so two concurrent CreatePolicy calls with one name cannot both succeed.
 */
export async function insertPolicy(db: Db, policy: Omit<ManagedPolicyRow, 'nextVersion' | 'defaultVersionId'>, document: string): Promise<boolean> {
  const inserted = await db
    .insert(managedPolicies)
    .values({ ...policy, nameLower: policy.name.toLowerCase(), defaultVersionId: 'v1', nextVersion: 2 })
    .onConflictDoNothing()
    .returning({ id: managedPolicies.id });
  if (inserted.length === 0) return false;
  await db.insert(policyVersions).values({ policyId: policy.id, versionId: 'v1', document, createdAt: policy.createdAt });
  return true;
}

/** Deletes the policy and (by cascade) its versions. The caller has checked it is unused. */
export async function deletePolicy(db: Db, policyId: string): Promise<void> {
  await db.delete(managedPolicies).where(eq(managedPolicies.id, policyId));
}

export type UsageFilter = 'PermissionsPolicy' | 'PermissionsBoundary';

export interface ListPoliciesOptions {
  /** Local: the account's own; AWS: AWS managed; All (the default): both. */
  readonly scope?: 'All' | 'AWS' | 'Local' | undefined;
  readonly pathPrefix?: string | undefined;
  readonly onlyAttached?: boolean | undefined;
  readonly usage?: UsageFilter | undefined;
  /** A sort key from a previous page (listSortKey). */
  readonly after?: string | undefined;
  readonly limit: number;
}

/**
 * The order of a policy list: by name case-insensitively, then by ARN (a customer policy may
 * share its name with an AWS managed one). Neither holds a space.
 */
export function listSortKey(p: { readonly nameLower: string; readonly arn: string }): string {
  return `${p.nameLower} ${p.arn}`;
}

/** Policies after a listSortKey, in the order (name_lower, arn). */
export function afterSortKey(after: string): SQL {
  const space = after.indexOf(' ');
  // A marker of an older release holds the name alone.
  if (space < 0) return gt(managedPolicies.nameLower, after);
  return sql`(${managedPolicies.nameLower}, ${managedPolicies.arn}) > (${after.slice(0, space)}, ${after.slice(space + 1)})`;
}

/**
 * Policies sorted by name (case-insensitively), with their usage counts.
 *
 * PolicyUsageFilter=PermissionsBoundary keeps the policies in use as a boundary ("the policies
 * used to set permissions boundaries"); OnlyAttached keeps those attached to a user, group or
 * role (AttachmentCount > 0). Every customer managed policy can be a permissions policy, so
 * PermissionsPolicy alone removes nothing.
 */
export async function listPolicies(db: Db, accountId: string, opts: ListPoliciesOptions): Promise<(ManagedPolicyRow & PolicyUsage & { nameLower: string })[]> {
  const attached = attachmentCount(accountId);
  const bounding = boundaryUsageCount(accountId);
  const scope = opts.scope ?? 'All';
  const where: SQL[] = [
    (scope === 'Local' ? eq(managedPolicies.accountId, accountId) : scope === 'AWS' ? isNull(managedPolicies.accountId) : visibleTo(accountId)) ?? sql`false`,
  ];
  if (opts.pathPrefix) where.push(like(managedPolicies.path, `${escapeLike(opts.pathPrefix)}%`));
  if (opts.usage === 'PermissionsBoundary') where.push(sql`${bounding} > 0`);
  else if (opts.onlyAttached) where.push(sql`${attached} > 0`);
  if (opts.after !== undefined) where.push(afterSortKey(opts.after));
  const rows = await db
    .select({ ...columns, nameLower: managedPolicies.nameLower, attachmentCount: attached, boundaryUsageCount: bounding })
    .from(managedPolicies)
    .where(and(...where))
    .orderBy(asc(managedPolicies.nameLower), asc(managedPolicies.arn))
    .limit(opts.limit);
  return rows.map((r) => ({ ...r, attachmentCount: Number(r.attachmentCount), boundaryUsageCount: Number(r.boundaryUsageCount) }));
}

/* Versions ------------------------------------------------------------------------------------ */

export async function listVersions(db: Db, policyId: string): Promise<PolicyVersionRow[]> {
  return db
    .select({ versionId: policyVersions.versionId, document: policyVersions.document, createdAt: policyVersions.createdAt })
    .from(policyVersions)
    .where(eq(policyVersions.policyId, policyId));
}

export async function findVersion(db: Db, policyId: string, versionId: string): Promise<PolicyVersionRow | undefined> {
  const [row] = await db
    .select({ versionId: policyVersions.versionId, document: policyVersions.document, createdAt: policyVersions.createdAt })
    .from(policyVersions)
    .where(and(eq(policyVersions.policyId, policyId), eq(policyVersions.versionId, versionId)));
  return row;
}

export async function countVersions(db: Db, policyId: string): Promise<number> {
  return db.$count(policyVersions, eq(policyVersions.policyId, policyId));
}

/**
 * Adds version `v{next_version}` and advances the counter in one statement each; the row lock
 * taken by the update serialises concurrent CreatePolicyVersion calls on the same policy.
 */
export async function insertVersion(db: Db, policyId: string, document: string, at: Date, setAsDefault: boolean): Promise<string> {
  const [row] = await db
    .update(managedPolicies)
    .set({
      nextVersion: sql`${managedPolicies.nextVersion} + 1`,
      updatedAt: at,
      ...(setAsDefault ? { defaultVersionId: sql`'v' || ${managedPolicies.nextVersion}` } : {}),
    })
    .where(eq(managedPolicies.id, policyId))
    .returning({ next: managedPolicies.nextVersion });
  if (!row) throw new Error(`managed policy ${policyId} vanished inside its transaction`);
  const versionId = `v${row.next - 1}`;
  await db.insert(policyVersions).values({ policyId, versionId, document, createdAt: at });
  return versionId;
}

export async function deleteVersion(db: Db, policyId: string, versionId: string): Promise<void> {
  await db.delete(policyVersions).where(and(eq(policyVersions.policyId, policyId), eq(policyVersions.versionId, versionId)));
}

export async function setDefaultVersion(db: Db, policyId: string, versionId: string, at: Date): Promise<void> {
  await db.update(managedPolicies).set({ defaultVersionId: versionId, updatedAt: at }).where(eq(managedPolicies.id, policyId));
}

/**
 * Lock the policy row for the rest of the transaction and read it again, so checks and writes on
 * its versions and attachments (the five-version quota, which version is the default, "not
 * attached" before a delete) see no concurrent change.
 */
export async function lockPolicy(db: Db, policyId: string): Promise<ManagedPolicyRow | undefined> {
  const [row] = await db.select(columns).from(managedPolicies).where(eq(managedPolicies.id, policyId)).for('update');
  return row;
}

/** The account's customer managed policies (AWS managed ones belong to no account). */
export async function countCustomerPolicies(db: Db, accountId: string): Promise<number> {
  return countInAccount(db, managedPolicies, accountId);
}

/* Session policies ----------------------------------------------------------------------------- */

export interface PolicyDocumentRow {
  readonly arn: string;
  /** null for an AWS managed policy. */
  readonly accountId: string | null;
  /** The document of the version in force. */
  readonly document: string;
}

/**
 * The managed policies with these ARNs (exactly as written), with their default version's
 * document: what AssumeRole and GetFederationToken read for the session policies passed as
 * PolicyArns.
 */
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
