/**
 * Every policy document that governs an IAM user, in one place: its inline and attached managed
 * policies, those of its groups, its permissions boundary and its tags. Authorization compiles
 * and caches the result; SimulatePrincipalPolicy reads it too.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db.js';
import { groupMembers, groups, inlinePolicies, managedPolicies, policyAttachments, policyVersions, roles, tags, users } from '../schema.js';

export interface PolicyText {
  /** What explanations call it: a managed policy's ARN, or `user/NAME/POLICY` for inline ones. */
  readonly id: string;
  readonly document: string;
}

export interface PrincipalPolicies {
  readonly identity: PolicyText[];
  readonly boundary: PolicyText | undefined;
  readonly tags: Record<string, string>;
}

async function inlineOf(db: Db, ownerIds: readonly string[], label: (ownerId: string, name: string) => string): Promise<PolicyText[]> {
  if (ownerIds.length === 0) return [];
  const rows = await db.select().from(inlinePolicies).where(inArray(inlinePolicies.ownerId, [...ownerIds]));
  return rows.map((r) => ({ id: label(r.ownerId, r.name), document: r.document }));
}

async function attachedOf(db: Db, ownerIds: readonly string[]): Promise<PolicyText[]> {
  if (ownerIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ arn: managedPolicies.arn, document: policyVersions.document })
    .from(policyAttachments)
    .innerJoin(managedPolicies, eq(managedPolicies.id, policyAttachments.policyId))
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, managedPolicies.id), eq(policyVersions.versionId, managedPolicies.defaultVersionId)),
    )
    .where(inArray(policyAttachments.ownerId, [...ownerIds]));
  return rows.map((r) => ({ id: r.arn, document: r.document }));
}

export async function boundaryOf(db: Db, policyId: string | null): Promise<PolicyText | undefined> {
  if (policyId === null) return undefined;
  const [row] = await db
    .select({ arn: managedPolicies.arn, document: policyVersions.document })
    .from(managedPolicies)
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, managedPolicies.id), eq(policyVersions.versionId, managedPolicies.defaultVersionId)),
    )
    .where(eq(managedPolicies.id, policyId));
  return row ? { id: row.arn, document: row.document } : undefined;
}

export async function tagsOf(db: Db, ownerId: string): Promise<Record<string, string>> {
  const rows = await db.select({ key: tags.key, value: tags.value }).from(tags).where(eq(tags.ownerId, ownerId));
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** An IAM user's policies, or undefined if the user does not exist. */
export async function userPolicies(db: Db, userId: string): Promise<PrincipalPolicies | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) return undefined;
  const memberOf = await db
    .select({ id: groups.id, name: groups.name })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groupMembers.userId, userId));
  const groupNames = new Map(memberOf.map((g) => [g.id, g.name]));
  const identity = [
    ...(await inlineOf(db, [userId], (_, name) => `user/${user.name}/${name}`)),
    ...(await inlineOf(db, [...groupNames.keys()], (id, name) => `group/${groupNames.get(id) ?? id}/${name}`)),
    ...(await attachedOf(db, [userId, ...groupNames.keys()])),
  ];
  return { identity, boundary: await boundaryOf(db, user.boundaryPolicyId), tags: await tagsOf(db, userId) };
}

/** A role's policies (for role sessions and SimulatePrincipalPolicy), or undefined if it does not exist. */
export async function rolePolicies(db: Db, roleId: string): Promise<PrincipalPolicies | undefined> {
  const [role] = await db.select().from(roles).where(eq(roles.id, roleId));
  if (!role) return undefined;
  const identity = [
    ...(await inlineOf(db, [roleId], (_, name) => `role/${role.name}/${name}`)),
    ...(await attachedOf(db, [roleId])),
  ];
  return { identity, boundary: await boundaryOf(db, role.boundaryPolicyId), tags: await tagsOf(db, roleId) };
}
