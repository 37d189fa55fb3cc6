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
 * Authorization Reference, IAM actions table). existingBoundaryContext gives the latter. The four
 * operations are one family (boundaryFamily) built for each kind that has a boundary.
 */
import { defineFamilyOperation, type ContextValues, type DefinedOperation } from '../operation.js';
import type { Db } from '../store/db.js';
import { setRoleBoundary, setUserBoundary } from '../store/policies/attachments.js';
import { resolveBoundary } from './boundary.js';
import { boundaryContextValue, entityTarget, requireEntity, type EntityKind, type EntityRow, type Named, type Target } from './entities.js';
import { ROLE } from './roles.js';
import { USER } from './users.js';

/**
 * `iam:PermissionsBoundary` set to the boundary the target already has. A user or role without a
 * boundary (or that does not exist) gives no key, so a condition such as
 * `StringEquals: {iam:PermissionsBoundary: X}` does not match and the delegated administrator is
 * refused, as AWS refuses it. For the `context()` of Put/Delete{User,Role}Policy,
 * Attach/Detach{User,Role}Policy and Delete{User,Role}PermissionsBoundary.
 */
export function existingBoundaryContext(target: Target<EntityRow>): ContextValues {
  return boundaryContextValue(target.row?.boundaryArn);
}

/**
 * Put{Label}PermissionsBoundary and Delete{Label}PermissionsBoundary for a kind that has a
 * boundary, stored by `set`. Both are authorized on the entity with its tags; Put adds the
 * boundary it sets, Delete the one it has. Each reads the entity again in its transaction.
 */
function boundaryFamily<R extends EntityRow, K extends string>(kind: EntityKind<R, K>, set: (db: Db, id: string, policyId: string | null) => Promise<void>): DefinedOperation[] {
  const target = entityTarget(kind);
  const put = defineFamilyOperation<Named<K> & { readonly permissionsBoundary: string }, unknown, Target<R>>(`Put${kind.label}PermissionsBoundary`, {
    authentication: 'sigv4',
    write: true,
    load: target.load,
    resource: target.resource,
    // IAM lets policies restrict which boundary may be set (condition key iam:PermissionsBoundary).
    context: (input, ctx, loaded) => ({
      ...target.context(input, ctx, loaded),
      'iam:PermissionsBoundary': input.permissionsBoundary,
    }),
    async handle(input, ctx) {
      const row = await requireEntity(kind, ctx, input[kind.key]);
      const boundary = await resolveBoundary(ctx, input.permissionsBoundary);
      await set(ctx.db, row.id, boundary.id);
      return {};
    },
  });
  const del = defineFamilyOperation<Named<K>, unknown, Target<R>>(`Delete${kind.label}PermissionsBoundary`, {
    authentication: 'sigv4',
    write: true,
    load: target.load,
    resource: target.resource,
    context: (input, ctx, loaded) => ({ ...existingBoundaryContext(loaded), ...target.context(input, ctx, loaded) }),
    async handle(input, ctx) {
      const row = await requireEntity(kind, ctx, input[kind.key]);
      // An entity without a boundary is left as it is (the call succeeds, as AWS's does).
      await set(ctx.db, row.id, null);
      return {};
    },
  });
  return [put, del];
}

export const boundaryOperations: readonly DefinedOperation[] = [...boundaryFamily(USER, setUserBoundary), ...boundaryFamily(ROLE, setRoleBoundary)];
