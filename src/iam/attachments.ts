/**
 * Attaching customer managed policies to users, groups and roles (Attach*Policy, Detach*Policy,
 * ListAttached*Policies: the same three operations for each kind of entity, USER, GROUP and
 * ROLE, built by one family), and ListEntitiesForPolicy, the reverse question. Each reads its
 * target once (load); attach and detach read the entity again in their transaction.
 *
 * Attach and detach are authorized on the entity's ARN with the request key `iam:PolicyARN`, so a
 * policy can let someone attach only the policies it names. For users and roles the context also
 * describes the entity as it is: its tags (aws:ResourceTag/…, iam:ResourceTag/…) for every
 * operation here, and for Attach/Detach{User,Role}Policy the boundary it already has
 * (iam:PermissionsBoundary), which is how an administrator is allowed to manage only users and
 * roles held to a given boundary ("Permissions boundaries for IAM entities"; Service
 * Authorization Reference, IAM actions). Groups have neither tags nor boundaries.
 */
import { AwsError } from '../errors.js';
import { defineFamilyOperation, defineOperation, type DefinedOperation, type ResourceContext } from '../operation.js';
import type { EntityType } from '../protocol/models/iam.types.js';
import { attachPolicy, countAttached, detachPolicy, isAttached, listAttached, listEntitiesForPolicy, lockOwner, type OwnerType } from '../store/policies/attachments.js';
import { findPolicy, listSortKey } from '../store/policies/managed.js';
import { existingBoundaryContext } from './boundaries.js';
import { entityTarget, requireEntity, requireTarget, type EntityKind, type EntityRow, type Named, type Target } from './entities.js';
import { GROUP } from './groups.js';
import { checkPolicyArn, POLICY, policyTarget, requireLockedPolicy } from './managed-policies.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { ROLE } from './roles.js';
import { USER } from './users.js';

/** IAM's default quota of managed policies attached to one user, group or role. */
export const MAX_ATTACHED = 10;

/** A kind managed policies attach to (the store records its type). */
type OwnerKind<R extends EntityRow, K extends string> = EntityKind<R, K, OwnerType>;

type AttachInput<K extends string> = Named<K> & { readonly policyArn: string };

/**
 * The keys describing the user or role as it is before the call: its tags, and for attach and
 * detach the permissions boundary it already has. None for groups.
 */
function attachContext<R extends EntityRow, K extends string>(kind: OwnerKind<R, K>) {
  const target = entityTarget(kind);
  return (input: AttachInput<K>, ctx: ResourceContext, loaded: Target<R>) => ({
    ...target.context(input, ctx, loaded),
    ...existingBoundaryContext(loaded),
    'iam:PolicyARN': input.policyArn,
  });
}

function attachOperation<R extends EntityRow, K extends string>(kind: OwnerKind<R, K>) {
  const { load, resource } = entityTarget(kind);
  return defineFamilyOperation<AttachInput<K>, unknown, Target<R>>(`Attach${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    load,
    resource,
    context: attachContext(kind),
    async handle(input, ctx) {
      const owner = await requireEntity(kind, ctx, input[kind.key]);
      // Locks the policy (a concurrent DeletePolicy sees this attachment, or we see it gone)
      // and the entity (two concurrent attachments cannot both pass the quota).
      const policy = await requireLockedPolicy(ctx, input.policyArn);
      if (!(await lockOwner(ctx.db, kind.type, owner.id))) throw kind.notFound(owner.name);
      // Attaching a policy that is already attached succeeds and changes nothing.
      if (await isAttached(ctx.db, owner.id, policy.id)) return {};
      if ((await countAttached(ctx.db, owner.id)) >= MAX_ATTACHED) {
        throw new AwsError('LimitExceeded', `Cannot exceed quota for PoliciesPer${kind.label}: ${MAX_ATTACHED}`);
      }
      await attachPolicy(ctx.db, { ownerId: owner.id, accountId: ctx.accountId, ownerType: kind.type, policyId: policy.id, attachedAt: ctx.now });
      return {};
    },
  });
}

function detachOperation<R extends EntityRow, K extends string>(kind: OwnerKind<R, K>) {
  const { load, resource } = entityTarget(kind);
  return defineFamilyOperation<AttachInput<K>, unknown, Target<R>>(`Detach${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    load,
    resource,
    context: attachContext(kind),
    async handle(input, ctx) {
      const owner = await requireEntity(kind, ctx, input[kind.key]);
      checkPolicyArn(input.policyArn);
      const policy = await findPolicy(ctx.db, ctx.accountId, input.policyArn);
      if (!policy || !(await detachPolicy(ctx.db, owner.id, policy.id))) {
        throw new AwsError('NoSuchEntity', `Policy ${input.policyArn} was not found.`);
      }
      return {};
    },
  });
}

type ListAttachedInput<K extends string> = Named<K> & { readonly pathPrefix?: string; readonly marker?: string; readonly maxItems?: number };

function listAttachedOperation<R extends EntityRow, K extends string>(kind: OwnerKind<R, K>) {
  return defineFamilyOperation<ListAttachedInput<K>, unknown, Target<R>>(`ListAttached${kind.label}Policies`, {
    authentication: 'sigv4',
    write: false,
    ...entityTarget(kind),
    async handle(input, ctx, _deps, loaded) {
      const after = decodeMarker(input.marker);
      const owner = requireTarget(kind, loaded);
      const rows = await listAttached(ctx.db, owner.id, { pathPrefix: input.pathPrefix, after, limit: limitOf(input) + 1 });
      const page = pageOf(rows, input, listSortKey);
      return pageResult('attachedPolicies', { ...page, items: page.items.map((p) => ({ policyName: p.name, policyArn: p.arn })) });
    },
  });
}

/* ListEntitiesForPolicy ----------------------------------------------------------------------- */

/** Which entity types a filter asks for. The two policy types name no user, group or role. */
const FILTER_TYPES: Record<EntityType, readonly OwnerType[]> = {
  User: ['user'],
  Group: ['group'],
  Role: ['role'],
  LocalManagedPolicy: [],
  AWSManagedPolicy: [],
};

export const listEntitiesForPolicyOp = defineOperation('ListEntitiesForPolicy', {
  authentication: 'sigv4',
  write: false,
  ...policyTarget,
  async handle(input, ctx, _deps, target) {
    const after = decodeMarker(input.marker);
    // Our marker is `TYPE:name` (groups, users, roles, each by name): one page can span all three.
    if (after !== undefined && !/^[0-2]:/.test(after)) throw new AwsError('InvalidInput', 'Invalid Marker.');
    const policy = requireTarget(POLICY, target);
    const rows = await listEntitiesForPolicy(ctx.db, policy.id, {
      accountId: ctx.accountId,
      types: input.entityFilter ? FILTER_TYPES[input.entityFilter] : ['group', 'user', 'role'],
      usage: input.policyUsageFilter,
      pathPrefix: input.pathPrefix,
      after,
      limit: limitOf(input) + 1,
    });
    const page = pageOf(rows, input, (e) => e.sortKey);
    const of = (type: OwnerType) => page.items.filter((e) => e.type === type);
    return {
      policyGroups: of('group').map((e) => ({ groupName: e.name, groupId: e.id })),
      policyUsers: of('user').map((e) => ({ userName: e.name, userId: e.id })),
      policyRoles: of('role').map((e) => ({ roleName: e.name, roleId: e.id })),
      isTruncated: page.isTruncated,
      ...(page.marker ? { marker: page.marker } : {}),
    };
  },
});

export const attachmentOperations: readonly DefinedOperation[] = [
  ...[attachOperation(USER), detachOperation(USER), listAttachedOperation(USER)],
  ...[attachOperation(GROUP), detachOperation(GROUP), listAttachedOperation(GROUP)],
  ...[attachOperation(ROLE), detachOperation(ROLE), listAttachedOperation(ROLE)],
  listEntitiesForPolicyOp,
];
