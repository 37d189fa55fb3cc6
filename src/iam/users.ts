/**
 * Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and user tags (TagUser, UntagUser,
 * ListUserTags, from the tag family). USER is the kind the families (tags, boundaries, inline
 * policies, attachments) and GetAccountSummary know users by.
 */
import type { Caller } from '../auth/caller.js';
import { AwsError } from '../errors.js';
import { defineOperation, type ContextValues, type DefinedOperation, type ResourceContext } from '../operation.js';
import { countAccessKeysOf } from '../store/access-keys.js';
import { findAccount, lockQuota } from '../store/accounts.js';
import { countGroupsOfUser } from '../store/groups.js';
import { deletePasswordHistory, hasLoginProfile } from '../store/login-profiles.js';
import { countMfaDevicesOf } from '../store/mfa-devices.js';
import { ownedPolicies } from '../store/policies/attachments.js';
import { deleteAllTags, listTags, putTags } from '../store/tags.js';
import { countUsers, deleteUserRow, findUser, insertUser, listUsers, renameUser, type UserRow } from '../store/users.js';
import { rootArn, userArn } from '../arn.js';
import { newUniqueId } from './ids.js';
import { pathOr } from './names.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { PERMISSIONS_BOUNDARY_TYPE, resolveBoundary } from './boundary.js';
import { entityTarget, loadTarget, pathArn, requireEntity, requireTarget, resourceTagContext, resourceTagValues, type EntityKind, type Target } from './entities.js';
import { checkTags, requestTagContext, tagOperations, type Tag } from './tags.js';

/** IAM's default quota of users per account. */
export const MAX_USERS = 5000;

export function noSuchUser(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`);
}

/** IAM users as an entity kind: tagged (aws: and iam:ResourceTag), bounded, counted as `Users`. */
export const USER: EntityKind<UserRow, 'userName', 'user'> = {
  type: 'user',
  label: 'User',
  key: 'userName',
  find: findUser,
  arn: pathArn('user'),
  notFound: noSuchUser,
  resourceTags: ['aws', 'iam'],
  summary: { usage: 'Users', quota: ['UsersQuota', MAX_USERS], count: countUsers },
};

/**
 * Who a call without UserName is about (GetUser, the access-key operations): the calling IAM user,
 * or the root user. A role session or a federated user is neither, and AWS refuses it
 * (ValidationError "Must specify userName when calling with non-User credentials", recorded against
 * AWS in LocalStack's test_get_user_without_username_as_role) rather than falling through to root,
 * which for CreateAccessKey would mint root keys for a role.
 */
export function callerAsUser(caller: Caller): { readonly user?: { readonly id: string; readonly name: string } } {
  if (caller.kind === 'user' && caller.user) return { user: caller.user };
  if (caller.kind === 'root') return {};
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

/**
 * The target of an operation whose UserName defaults to the caller (GetUser, the access-key
 * operations, ListGroupsForUser): the user named, or else the calling IAM user (a session's
 * parent user is not its own target, see callerAsUser); undefined for root and sessions. Without
 * a UserName AWS authorizes against the caller's own ARN (the root ARN for root), so a policy on
 * `user/${aws:username}` covers "my own keys"; the user's tags are its aws:ResourceTag/… and
 * iam:ResourceTag/… keys (a policy can then allow GetUser or DeleteUser only on users tagged team=x).
 */
export const userOrCaller = {
  load(input: { readonly userName?: string }, ctx: ResourceContext): Promise<Target<UserRow> | undefined> {
    const name = input.userName ?? (ctx.caller?.kind === 'user' ? ctx.caller.user?.name : undefined);
    return name === undefined ? Promise.resolve(undefined) : loadTarget(USER, ctx, name);
  },
  resource(input: { readonly userName?: string }, ctx: ResourceContext, target: Target<UserRow> | undefined): string {
    if (input.userName === undefined || target === undefined) return ctx.caller?.arn ?? '*';
    return USER.arn(ctx.accountId, target.name, target.row);
  },
  context(_input: { readonly userName?: string }, _ctx: ResourceContext, target: Target<UserRow> | undefined): ContextValues {
    return target ? resourceTagContext(USER, target) : {};
  },
};

/** A user as IAM's `User` shape. */
export function userResult(user: UserRow, tags?: readonly Tag[]) {
  return {
    path: user.path,
    userName: user.name,
    userId: user.id,
    arn: userArn(user.accountId, user),
    createDate: user.createdAt,
    ...(user.passwordLastUsedAt ? { passwordLastUsed: user.passwordLastUsedAt } : {}),
    ...(user.boundaryArn ? { permissionsBoundary: { permissionsBoundaryType: PERMISSIONS_BOUNDARY_TYPE, permissionsBoundaryArn: user.boundaryArn } } : {}),
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
}

/**
 * A user in a listing (ListUsers, GetGroup): AWS's list operations "return a subset of the
 * available attributes" and leave out PermissionsBoundary and Tags (ListUsers API reference).
 */
export function userListItem(user: UserRow) {
  return userResult({ ...user, boundaryArn: null });
}

export const createUser = defineOperation('CreateUser', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => userArn(ctx.accountId, { path: pathOr(input.path), name: input.userName }),
  context: (input) => ({
    ...requestTagContext(input.tags),
    ...(input.permissionsBoundary ? { 'iam:PermissionsBoundary': input.permissionsBoundary } : {}),
  }),
  async handle(input, ctx) {
    const tags = checkTags(input.tags);
    await lockQuota(ctx.db, 'UsersPerAccount', ctx.accountId);
    if (await findUser(ctx.db, ctx.accountId, input.userName)) {
      throw new AwsError('EntityAlreadyExists', `User with name ${input.userName} already exists.`);
    }
    if ((await countUsers(ctx.db, ctx.accountId)) >= MAX_USERS) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for UsersPerAccount: ${MAX_USERS}`);
    }
    const boundary = input.permissionsBoundary ? await resolveBoundary(ctx, input.permissionsBoundary) : undefined;
    const user = {
      id: newUniqueId('user'),
      accountId: ctx.accountId,
      name: input.userName,
      path: pathOr(input.path),
      createdAt: ctx.now,
      boundaryPolicyId: boundary?.id ?? null,
    };
    await insertUser(ctx.db, user);
    await putTags(ctx.db, user.id, tags);
    return { user: userResult({ ...user, boundaryArn: boundary?.arn ?? null }, tags) };
  },
});

export const getUser = defineOperation('GetUser', {
  authentication: 'sigv4',
  write: false,
  // Without UserName, GetUser describes the caller (AWS: "defaults to the user making the request").
  ...userOrCaller,
  async handle(input, ctx, _deps, target) {
    const name = input.userName ?? callerAsUser(ctx.caller).user?.name;
    if (name === undefined) {
      // The root user: AWS answers with the account id, the root ARN and the account's creation
      // date, and no UserName or Path (the root user is no IAM user).
      const account = await findAccount(ctx.db, ctx.accountId);
      return { user: { userId: ctx.accountId, arn: rootArn(ctx.accountId), createDate: account?.createdAt ?? ctx.now } };
    }
    // load read this same name (the one given, or the calling IAM user's), so the target is there.
    if (!target) throw noSuchUser(name);
    return { user: userResult(requireTarget(USER, target), target.tags) };
  },
});

export const listUsersOp = defineOperation('ListUsers', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(input, ctx) {
    const rows = await listUsers(ctx.db, ctx.accountId, { pathPrefix: input.pathPrefix, after: decodeMarker(input.marker), limit: limitOf(input) + 1 });
    const page = pageOf(rows, input, (u) => u.nameLower);
    return pageResult('users', { ...page, items: page.items.map(userListItem) });
  },
});

export const updateUser = defineOperation('UpdateUser', {
  authentication: 'sigv4',
  write: true,
  ...entityTarget(USER),
  async handle(input, ctx) {
    const user = await requireEntity(USER, ctx, input.userName);
    const to = { name: input.newUserName ?? user.name, path: input.newPath ?? user.path };
    if (to.name === user.name && to.path === user.path) return {};
    // Renaming needs the permission on the target too: "to change Bob to Robert, the entity making
    // the request must have permission on Bob and Robert" (UpdateUser API reference). Robert is
    // the same user, with the same tags.
    await ctx.authorize('iam:UpdateUser', userArn(ctx.accountId, to), resourceTagValues(await listTags(ctx.db, user.id)));
    const clash = await findUser(ctx.db, ctx.accountId, to.name);
    if (clash && clash.id !== user.id) throw new AwsError('EntityAlreadyExists', `User with name ${to.name} already exists.`);
    await renameUser(ctx.db, user.id, to);
    return {};
  },
});

export const deleteUser = defineOperation('DeleteUser', {
  authentication: 'sigv4',
  write: true,
  ...entityTarget(USER),
  async handle(input, ctx) {
    const user = await requireEntity(USER, ctx, input.userName);
    // AWS refuses to delete a user that still has credentials, memberships or policies, and says
    // which (DeleteUser API reference: "you must delete the items attached to the user manually").
    // Tags are not dependents: they go with the user.
    const conflict = (what: string) => new AwsError('DeleteConflict', `Cannot delete entity, must ${what} first.`);
    if (await hasLoginProfile(ctx.db, user.id)) throw conflict('delete login profile');
    if ((await countAccessKeysOf(ctx.db, ctx.accountId, user.id)) > 0) throw conflict('delete access keys');
    if ((await countGroupsOfUser(ctx.db, user.id)) > 0) throw conflict('remove users from group');
    if ((await countMfaDevicesOf(ctx.db, ctx.accountId, user.id)) > 0) throw conflict('delete MFA device');
    const owned = await ownedPolicies(ctx.db, user.id);
    if (owned.inline > 0) throw conflict('delete policies');
    if (owned.attached > 0) throw conflict('detach all policies');
    await deleteAllTags(ctx.db, user.id);
    await deletePasswordHistory(ctx.db, user.id);
    await deleteUserRow(ctx.db, user.id);
    return {};
  },
});

export const userOperations: readonly DefinedOperation[] = [createUser, getUser, listUsersOp, updateUser, deleteUser, ...tagOperations(USER)];
