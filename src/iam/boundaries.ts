/**
 * Permissions boundaries of users and roles: Put/Delete{User,Role}PermissionsBoundary. The
 * boundary is a managed policy of the account, named by ARN (resolveBoundary answers
 * NoSuchEntity for any other). The pipeline drops the account's compiled policies after each
 * write, so the user's next call is already held to the new boundary.
 *
 * The condition key `iam:PermissionsBoundary` is what lets an administrator delegate user and
 * role management safely ("Permissions boundaries for IAM entities", the
 * CreateOrChangeOnlyWithBoundary example). IAM sets it for CreateUser, CreateRole and
 * Put{User,Role}PermissionsBoundary to the boundary the request sets, and for
 * Put/Delete{User,Role}Policy, Attach/Detach{User,Role}Policy and
 * Delete{User,Role}PermissionsBoundary to the boundary the user or role already has (Service
 * Authorization Reference, IAM actions table). existingBoundaryContext gives the latter.
 */
import { defineOperation, type ContextValues, type DefinedOperation, type ResourceContext } from '../operation.js';
import { setRoleBoundary, setUserBoundary } from '../store/policies/attachments.js';
import { findRole } from '../store/roles.js';
import { findUser } from '../store/users.js';
import { resolveBoundary } from './boundary.js';
import { resourceTagContext, type TaggedEntityKind } from './resource-tags.js';
import { requireRole, roleResource } from './roles.js';
import { requireUser, userResource } from './users.js';

/** `iam:PermissionsBoundary` for a boundary ARN; no key at all when there is none. */
export function boundaryContextValue(arn: string | null | undefined): ContextValues {
  return arn ? { 'iam:PermissionsBoundary': arn } : {};
}

/**
 * `iam:PermissionsBoundary` set to the boundary user or role `name` already has. A user or role
 * without a boundary (or that does not exist) gives no key, so a condition such as
 * `StringEquals: {iam:PermissionsBoundary: X}` does not match and the delegated administrator is
 * refused, as AWS refuses it. For the `context()` of Put/Delete{User,Role}Policy,
 * Attach/Detach{User,Role}Policy and Delete{User,Role}PermissionsBoundary.
 */
export async function existingBoundaryContext(ctx: ResourceContext, kind: TaggedEntityKind, name: string): Promise<ContextValues> {
  const row = kind === 'user' ? await findUser(ctx.db, ctx.accountId, name) : await findRole(ctx.db, ctx.accountId, name);
  return boundaryContextValue(row?.boundaryArn);
}

/** The existing boundary and the target's tags: the keys of Delete{User,Role}PermissionsBoundary. */
async function existingEntityContext(ctx: ResourceContext, kind: TaggedEntityKind, name: string): Promise<ContextValues> {
  const [boundary, tags] = await Promise.all([existingBoundaryContext(ctx, kind, name), resourceTagContext(ctx, kind, name)]);
  return { ...boundary, ...tags };
}

export const putUserPermissionsBoundary = defineOperation('PutUserPermissionsBoundary', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => userResource(ctx, input.userName),
  // IAM lets policies restrict which boundary may be set (condition key iam:PermissionsBoundary).
  context: async (input, ctx) => ({ ...(await resourceTagContext(ctx, 'user', input.userName)), 'iam:PermissionsBoundary': input.permissionsBoundary }),
  async handle(input, ctx) {
    const user = await requireUser(ctx, input.userName);
    const boundary = await resolveBoundary(ctx, input.permissionsBoundary);
    await setUserBoundary(ctx.db, user.id, boundary.id);
    return {};
  },
});

export const deleteUserPermissionsBoundary = defineOperation('DeleteUserPermissionsBoundary', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => userResource(ctx, input.userName),
  context: (input, ctx) => existingEntityContext(ctx, 'user', input.userName),
  async handle(input, ctx) {
    const user = await requireUser(ctx, input.userName);
    // A user without a boundary is left as it is (the call succeeds, as AWS's does).
    await setUserBoundary(ctx.db, user.id, null);
    return {};
  },
});

export const putRolePermissionsBoundary = defineOperation('PutRolePermissionsBoundary', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => roleResource(ctx, input.roleName),
  context: async (input, ctx) => ({ ...(await resourceTagContext(ctx, 'role', input.roleName)), 'iam:PermissionsBoundary': input.permissionsBoundary }),
  async handle(input, ctx) {
    const role = await requireRole(ctx, input.roleName);
    const boundary = await resolveBoundary(ctx, input.permissionsBoundary);
    await setRoleBoundary(ctx.db, role.id, boundary.id);
    return {};
  },
});

export const deleteRolePermissionsBoundary = defineOperation('DeleteRolePermissionsBoundary', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => roleResource(ctx, input.roleName),
  context: (input, ctx) => existingEntityContext(ctx, 'role', input.roleName),
  async handle(input, ctx) {
    const role = await requireRole(ctx, input.roleName);
    await setRoleBoundary(ctx.db, role.id, null);
    return {};
  },
});

export const boundaryOperations: readonly DefinedOperation[] = [
  putUserPermissionsBoundary,
  deleteUserPermissionsBoundary,
  putRolePermissionsBoundary,
  deleteRolePermissionsBoundary,
];
