/**
 * Attaching customer managed policies to users, groups and roles (Attach*Policy, Detach*Policy,
 * ListAttached*Policies: the same three operations for each kind of entity, built from one
 * table), and ListEntitiesForPolicy, the reverse question.
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
import { defineOperation, type ContextValues, type DefinedOperation, type ResourceContext } from '../operation.js';
import type { EntityType } from '../protocol/models/iam.types.js';
import { attachPolicy, countAttached, detachPolicy, findGroupRef, findRoleRef, isAttached, listAttached, listEntitiesForPolicy, lockOwner, type OwnerRef, type OwnerType } from '../store/policies/attachments.js';
import { findPolicy, listSortKey } from '../store/policies/managed.js';
import { findUser } from '../store/users.js';
import { entityArn } from '../arn.js';
import { existingBoundaryContext } from './boundaries.js';
import { checkPolicyArn, policyResource, requireLockedPolicy, requirePolicy } from './managed-policies.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { resourceTagContext, type TaggedEntityKind } from './resource-tags.js';
import { noSuchUser } from './users.js';

/** IAM's default quota of managed policies attached to one user, group or role. */
export const MAX_ATTACHED = 10;

interface OwnerKind {
  readonly type: OwnerType;
  /** As in the operation names (which the model types then know). */
  readonly label: 'User' | 'Group' | 'Role';
  find(ctx: ResourceContext, name: string): Promise<OwnerRef | undefined>;
  notFound(name: string): AwsError;
  /** Users and roles: the kind whose tags and boundary go in the request context. */
  readonly tagged?: TaggedEntityKind;
}

const KINDS: readonly OwnerKind[] = [
  { type: 'user', label: 'User', find: (ctx, name) => findUser(ctx.db, ctx.accountId, name), notFound: noSuchUser, tagged: 'user' },
  {
    type: 'group',
    label: 'Group',
    find: (ctx, name) => findGroupRef(ctx.db, ctx.accountId, name),
    notFound: (name) => new AwsError('NoSuchEntity', `The group with name ${name} cannot be found.`),
  },
  {
    type: 'role',
    label: 'Role',
    find: (ctx, name) => findRoleRef(ctx.db, ctx.accountId, name),
    notFound: (name) => new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`),
    tagged: 'role',
  },
];

/** `userName`, `groupName` or `roleName`: the input member naming the entity. */
type NameKey = 'userName' | 'groupName' | 'roleName';

function nameKey(kind: OwnerKind): NameKey {
  return `${kind.type}Name` as NameKey;
}

type OwnerInput = Partial<Record<NameKey, string>>;

function ownerName(kind: OwnerKind, input: OwnerInput): string {
  const name = input[nameKey(kind)];
  // The protocol layer enforces the required member; this guards the type, not the wire.
  if (name === undefined) throw new AwsError('ValidationError', `1 validation error detected: Value null at '${nameKey(kind)}' failed to satisfy constraint: Member must not be null`);
  return name;
}

/** The entity's ARN, with its real path when it exists (the ARN AWS authorizes against). */
async function ownerResource(kind: OwnerKind, ctx: ResourceContext, name: string): Promise<string> {
  const owner = await kind.find(ctx, name);
  return entityArn(ctx.accountId, kind.type, owner?.path ?? '/', owner?.name ?? name);
}

async function requireOwner(kind: OwnerKind, ctx: ResourceContext, name: string): Promise<OwnerRef> {
  const owner = await kind.find(ctx, name);
  if (!owner) throw kind.notFound(name);
  return owner;
}

/**
 * The keys describing the user or role as it is before the call: its tags, and with `boundary`
 * the permissions boundary it already has. None for groups.
 */
async function ownerContext(kind: OwnerKind, ctx: ResourceContext, name: string, boundary: boolean): Promise<ContextValues> {
  if (kind.tagged === undefined) return {};
  const [tags, existing] = await Promise.all([
    resourceTagContext(ctx, kind.tagged, name),
    boundary ? existingBoundaryContext(ctx, kind.tagged, name) : Promise.resolve({}),
  ]);
  return { ...tags, ...existing };
}

function attachOperation(kind: OwnerKind) {
  return defineOperation(`Attach${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    resource: (input, ctx) => ownerResource(kind, ctx, ownerName(kind, input)),
    context: async (input, ctx) => ({ ...(await ownerContext(kind, ctx, ownerName(kind, input), true)), 'iam:PolicyARN': input.policyArn }),
    async handle(input, ctx) {
      const owner = await requireOwner(kind, ctx, ownerName(kind, input));
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

function detachOperation(kind: OwnerKind) {
  return defineOperation(`Detach${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    resource: (input, ctx) => ownerResource(kind, ctx, ownerName(kind, input)),
    context: async (input, ctx) => ({ ...(await ownerContext(kind, ctx, ownerName(kind, input), true)), 'iam:PolicyARN': input.policyArn }),
    async handle(input, ctx) {
      const owner = await requireOwner(kind, ctx, ownerName(kind, input));
      checkPolicyArn(input.policyArn);
      const policy = await findPolicy(ctx.db, ctx.accountId, input.policyArn);
      if (!policy || !(await detachPolicy(ctx.db, owner.id, policy.id))) {
        throw new AwsError('NoSuchEntity', `Policy ${input.policyArn} was not found.`);
      }
      return {};
    },
  });
}

function listAttachedOperation(kind: OwnerKind) {
  return defineOperation(`ListAttached${kind.label}Policies`, {
    authentication: 'sigv4',
    write: false,
    resource: (input, ctx) => ownerResource(kind, ctx, ownerName(kind, input)),
    context: (input, ctx) => ownerContext(kind, ctx, ownerName(kind, input), false),
    async handle(input, ctx) {
      const after = decodeMarker(input.marker);
      const owner = await requireOwner(kind, ctx, ownerName(kind, input));
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
  resource: (input) => policyResource(input.policyArn),
  async handle(input, ctx) {
    const after = decodeMarker(input.marker);
    // Our marker is `TYPE:name` (groups, users, roles, each by name): one page can span all three.
    if (after !== undefined && !/^[0-2]:/.test(after)) throw new AwsError('InvalidInput', 'Invalid Marker.');
    const policy = await requirePolicy(ctx, input.policyArn);
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
  ...KINDS.flatMap((kind) => [attachOperation(kind), detachOperation(kind), listAttachedOperation(kind)]),
  listEntitiesForPolicyOp,
];
