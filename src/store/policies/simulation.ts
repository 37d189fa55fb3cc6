/**
 * What the policy simulator reads: an IAM user, group or role named by ARN, and every policy
 * document that governs it, each labelled the way SimulatePrincipalPolicy reports it (the
 * policy's name and where it comes from). principal.ts answers the same question for
 * authorization with ids instead of labels, and knows no groups as principals.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { isAwsManagedPolicyArn } from '../../arn.js';
import type { Db } from '../db.js';
import { groupMembers, groups, inlinePolicies, managedPolicies, policyAttachments, policyVersions, roles, users } from '../schema.js';
import { boundaryOf } from './principal.js';

export type EntityKind = 'user' | 'group' | 'role';

export interface SimulationEntity {
  readonly kind: EntityKind;
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly boundaryPolicyId: string | null;
}

/** Where a stored policy comes from, in the simulator's `SourcePolicyType` terms. */
export type StoredPolicySource = 'user' | 'group' | 'role' | 'IAM Policy' | 'aws-managed';

export interface StoredPolicy {
  readonly source: StoredPolicySource;
  /** The inline policy's name, or the managed policy's name. */
  readonly name: string;
  readonly document: string;
}

export interface EntityPolicies {
  readonly identity: StoredPolicy[];
  /** The permissions boundary (a managed policy), if the user or role has one. */
  readonly boundary: StoredPolicy | undefined;
}

/** The user, group or role of this account with this name (case-insensitively), if any. */
export async function findEntity(db: Db, kind: EntityKind, accountId: string, name: string): Promise<SimulationEntity | undefined> {
  const lower = name.toLowerCase();
  if (kind === 'group') {
    const [g] = await db
      .select({ id: groups.id, name: groups.name, path: groups.path })
      .from(groups)
      .where(and(eq(groups.accountId, accountId), eq(groups.nameLower, lower)));
    return g && { kind, ...g, boundaryPolicyId: null };
  }
  const t = kind === 'user' ? users : roles;
  const [row] = await db
    .select({ id: t.id, name: t.name, path: t.path, boundaryPolicyId: t.boundaryPolicyId })
    .from(t)
    .where(and(eq(t.accountId, accountId), eq(t.nameLower, lower)));
  return row && { kind, ...row };
}

async function inlineOf(db: Db, ownerIds: readonly string[], source: StoredPolicySource): Promise<StoredPolicy[]> {
  if (ownerIds.length === 0) return [];
  const rows = await db
    .select({ name: inlinePolicies.name, document: inlinePolicies.document })
    .from(inlinePolicies)
    .where(inArray(inlinePolicies.ownerId, [...ownerIds]))
    .orderBy(asc(inlinePolicies.ownerId), asc(inlinePolicies.name));
  return rows.map((r) => ({ source, name: r.name, document: r.document }));
}

/** Managed policies attached to any of the owners, each once (a user and its group may share one). */
async function attachedOf(db: Db, ownerIds: readonly string[]): Promise<StoredPolicy[]> {
  if (ownerIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ arn: managedPolicies.arn, name: managedPolicies.name, document: policyVersions.document })
    .from(policyAttachments)
    .innerJoin(managedPolicies, eq(managedPolicies.id, policyAttachments.policyId))
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, managedPolicies.id), eq(policyVersions.versionId, managedPolicies.defaultVersionId)),
    )
    .where(inArray(policyAttachments.ownerId, [...ownerIds]))
    .orderBy(asc(managedPolicies.arn));
  return rows.map((r) => ({ source: managedSource(r.arn), name: r.name, document: r.document }));
}

function managedSource(arn: string): StoredPolicySource {
  // Customer managed: `IAM Policy`, as AWS answers it (see SourcePolicyType in iam/simulate-run.ts).
  return isAwsManagedPolicyArn(arn) ? 'aws-managed' : 'IAM Policy';
}

/**
 * The entity's identity-based policies: its own inline and attached policies and, for a user,
 * those of every group it belongs to (AWS: "If you specify a user, the simulation also includes
 * all policies that are attached to any groups the user belongs to"), plus its boundary.
 */
export async function entityPolicies(db: Db, entity: SimulationEntity): Promise<EntityPolicies> {
  const groupIds =
    entity.kind === 'user'
      ? (await db.select({ id: groupMembers.groupId }).from(groupMembers).where(eq(groupMembers.userId, entity.id))).map((g) => g.id)
      : entity.kind === 'group'
        ? [entity.id]
        : [];
  const ownIds = entity.kind === 'group' ? [] : [entity.id];
  const identity = [
    ...(await inlineOf(db, ownIds, entity.kind)),
    ...(await inlineOf(db, groupIds, 'group')),
    ...(await attachedOf(db, [...ownIds, ...groupIds])),
  ];
  const stored = await boundaryOf(db, entity.boundaryPolicyId);
  const boundary = stored && { source: managedSource(stored.id), name: stored.id.slice(stored.id.lastIndexOf('/') + 1), document: stored.document };
  return { identity, boundary };
}
