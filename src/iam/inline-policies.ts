/**
 * Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy /
 * Policies. The twelve operations are the same four on three kinds of owner, so they are built
 * from one table (OWNERS below) rather than written out twelve times.
 *
 * AWS's quota is on the owner's inline policies taken together: at most 2,048 (user), 5,120
 * (group) or 10,240 (role) characters, whitespace not counted ("IAM and AWS STS quotas").
 *
 * Condition keys: for a user or role owner, its tags (aws:ResourceTag/…, iam:ResourceTag/…) on all
 * four operations, and for Put and Delete the boundary it already has (iam:PermissionsBoundary),
 * so an administrator can be allowed to manage the policies only of users bounded by a given
 * policy (the delegation pattern of "Permissions boundaries for IAM entities"). Groups have
 * neither tags nor boundaries.
 */
import { AwsError } from '../errors.js';
import { defineOperation, type ContextValues, type DefinedOperation, type ResourceContext } from '../operation.js';
import { nonWhitespaceLength } from '../policy/index.js';
import { findGroupByName } from '../store/groups.js';
import { deleteInlinePolicy, findInlinePolicy, listInlinePolicies, lockOwnerPolicies, putInlinePolicy, type OwnerType } from '../store/policies/inline.js';
import { findRole } from '../store/roles.js';
import { listTags } from '../store/tags.js';
import { findUser } from '../store/users.js';
import { entityArn, groupArn, roleArn, userArn } from '../arn.js';
import { boundaryContextValue } from './boundaries.js';
import { DOCUMENT_LIMITS, encodeDocument, validateDocument } from './documents.js';
import { pageResult } from './pagination.js';
import { resourceTagValues } from './resource-tags.js';
import { pageInMemory } from './memory-page.js';

/** The owner of inline policies, as these operations need it. */
interface Owner {
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  /** The owner's permissions boundary (users and roles only). */
  readonly boundaryArn: string | null;
  /** Whether the owner can carry tags (users and roles; IAM groups cannot be tagged). */
  readonly tagged: boolean;
}

/** The input and output member naming the owner. */
type NameKey = 'userName' | 'groupName' | 'roleName';

interface OwnerKind {
  readonly type: OwnerType;
  /** The middle of the operation names (which the model types then know). */
  readonly label: 'User' | 'Group' | 'Role';
  readonly nameKey: NameKey;
  /** The owner's aggregate quota of inline policy characters. */
  readonly limit: number;
  find(ctx: ResourceContext, name: string): Promise<Owner | undefined>;
}

async function findUserOwner(ctx: ResourceContext, name: string): Promise<Owner | undefined> {
  const user = await findUser(ctx.db, ctx.accountId, name);
  return user && { id: user.id, name: user.name, arn: userArn(ctx.accountId, user), boundaryArn: user.boundaryArn, tagged: true };
}

async function findGroupOwner(ctx: ResourceContext, name: string): Promise<Owner | undefined> {
  const group = await findGroupByName(ctx.db, ctx.accountId, name);
  return group && { id: group.id, name: group.name, arn: groupArn(ctx.accountId, group), boundaryArn: null, tagged: false };
}

async function findRoleOwner(ctx: ResourceContext, name: string): Promise<Owner | undefined> {
  const role = await findRole(ctx.db, ctx.accountId, name);
  return role && { id: role.id, name: role.name, arn: roleArn(ctx.accountId, role), boundaryArn: role.boundaryArn, tagged: true };
}

const USER: OwnerKind = { type: 'user', label: 'User', nameKey: 'userName', limit: DOCUMENT_LIMITS.inlineUser, find: findUserOwner };
const GROUP: OwnerKind = { type: 'group', label: 'Group', nameKey: 'groupName', limit: DOCUMENT_LIMITS.inlineGroup, find: findGroupOwner };
const ROLE: OwnerKind = { type: 'role', label: 'Role', nameKey: 'roleName', limit: DOCUMENT_LIMITS.inlineRole, find: findRoleOwner };

async function requireOwner(kind: OwnerKind, ctx: ResourceContext, name: string): Promise<Owner> {
  const owner = await kind.find(ctx, name);
  if (!owner) throw new AwsError('NoSuchEntity', `The ${kind.type} with name ${name} cannot be found.`);
  return owner;
}

/** The owner's ARN with its real path, or with `/` when it does not exist (the call then fails with NoSuchEntity). */
async function ownerResource(kind: OwnerKind, ctx: ResourceContext, name: string): Promise<string> {
  const owner = await kind.find(ctx, name);
  return owner?.arn ?? entityArn(ctx.accountId, kind.type, '/', name);
}

/**
 * The owner's condition keys: its tags, and with `boundary` the boundary it already has. An owner
 * that does not exist gives none (the call fails with NoSuchEntity once authorized).
 */
async function ownerContext(kind: OwnerKind, ctx: ResourceContext, name: string, boundary: boolean): Promise<ContextValues> {
  const owner = await kind.find(ctx, name);
  if (!owner) return {};
  return {
    ...(owner.tagged ? resourceTagValues(await listTags(ctx.db, owner.id)) : {}),
    ...(boundary ? boundaryContextValue(owner.boundaryArn) : {}),
  };
}

function noSuchPolicy(kind: OwnerKind, policyName: string): AwsError {
  return new AwsError('NoSuchEntity', `The ${kind.type} policy with name ${policyName} cannot be found.`);
}

type OwnerInput = Partial<Record<NameKey, string>>;

/** The owner an input names (the model requires the member, so validation has refused a request without it). */
function ownerName(kind: OwnerKind, input: OwnerInput): string {
  const name = input[kind.nameKey];
  if (name === undefined) throw new AwsError('ValidationError', `1 validation error detected: Value null at '${kind.nameKey}' failed to satisfy constraint: Member must not be null`);
  return name;
}

/** The owner's name as its result member (`userName`, `groupName` or `roleName`). */
function ownerMember(kind: OwnerKind, name: string): { readonly userName: string } | { readonly groupName: string } | { readonly roleName: string } {
  switch (kind.nameKey) {
    case 'userName':
      return { userName: name };
    case 'groupName':
      return { groupName: name };
    case 'roleName':
      return { roleName: name };
  }
}

function operationsFor(kind: OwnerKind): DefinedOperation[] {
  const resource = (input: OwnerInput, ctx: ResourceContext) => ownerResource(kind, ctx, ownerName(kind, input));
  const readContext = (input: OwnerInput, ctx: ResourceContext) => ownerContext(kind, ctx, ownerName(kind, input), false);
  const writeContext = (input: OwnerInput, ctx: ResourceContext) => ownerContext(kind, ctx, ownerName(kind, input), true);

  const put = defineOperation(`Put${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    resource,
    context: writeContext,
    async handle(input, ctx, deps) {
      const owner = await requireOwner(kind, ctx, ownerName(kind, input));
      await lockOwnerPolicies(ctx.db, owner.id);
      // The quota counts every inline policy of the owner, the new document in place of any
      // policy it replaces (AWS: "Maximum policy size of N bytes exceeded for user NAME").
      const others = (await listInlinePolicies(ctx.db, owner.id)).filter((p) => p.name !== input.policyName);
      const total = others.reduce((n, p) => n + nonWhitespaceLength(p.document), nonWhitespaceLength(input.policyDocument));
      if (total > kind.limit) {
        throw new AwsError('LimitExceeded', `Maximum policy size of ${kind.limit} bytes exceeded for ${kind.type} ${owner.name}`);
      }
      validateDocument(deps.policyCache, input.policyDocument, 'identity', kind.limit);
      await putInlinePolicy(ctx.db, { ownerId: owner.id, accountId: ctx.accountId, ownerType: kind.type, name: input.policyName, document: input.policyDocument });
      return {};
    },
  });

  const get = defineOperation(`Get${kind.label}Policy`, {
    authentication: 'sigv4',
    write: false,
    resource,
    context: readContext,
    async handle(input, ctx) {
      const owner = await requireOwner(kind, ctx, ownerName(kind, input));
      const policy = await findInlinePolicy(ctx.db, owner.id, input.policyName);
      if (!policy) throw noSuchPolicy(kind, input.policyName);
      return { ...ownerMember(kind, owner.name), policyName: policy.name, policyDocument: encodeDocument(policy.document) };
    },
  });

  const del = defineOperation(`Delete${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    resource,
    context: writeContext,
    async handle(input, ctx) {
      const owner = await requireOwner(kind, ctx, ownerName(kind, input));
      if (!(await deleteInlinePolicy(ctx.db, owner.id, input.policyName))) throw noSuchPolicy(kind, input.policyName);
      return {};
    },
  });

  const list = defineOperation(`List${kind.label}Policies`, {
    authentication: 'sigv4',
    write: false,
    resource,
    context: readContext,
    async handle(input, ctx) {
      const owner = await requireOwner(kind, ctx, ownerName(kind, input));
      const names = (await listInlinePolicies(ctx.db, owner.id)).map((p) => p.name);
      return pageResult('policyNames', pageInMemory(names, input, (n) => n));
    },
  });

  return [put, get, del, list];
}

export const inlinePolicyOperations: readonly DefinedOperation[] = [...operationsFor(USER), ...operationsFor(GROUP), ...operationsFor(ROLE)];
