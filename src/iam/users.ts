/** Users: CreateUser, GetUser, ListUsers (the rest of the user operations live beside these). */
import { AwsError } from '../errors.js';
import { defineOperation, type OperationDef, type ResourceContext } from '../operation.js';
import { countRows } from '../store/count.js';
import { listTags, putTags } from '../store/tags.js';
import { findUser, insertUser, listUsers, type UserRow } from '../store/users.js';
import { entityArn, rootArn } from './arns.js';
import { newUniqueId } from './ids.js';
import { pathOr } from './names.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { resolveBoundary } from './boundary.js';
import { checkTags, requestTagContext, type Tag } from './tags.js';

/** IAM's default quota of users per account. */
export const MAX_USERS = 5000;

export function userArn(accountId: string, user: { path: string; name: string }): string {
  return entityArn(accountId, 'user', user.path, user.name);
}

/** The ARN AWS authorizes a call on user `name` against: the real path if the user exists. */
export async function userResource(ctx: ResourceContext, name: string | undefined): Promise<string> {
  if (name === undefined) return '*';
  const user = await findUser(ctx.db, ctx.accountId, name);
  return userArn(ctx.accountId, { path: user?.path ?? '/', name: user?.name ?? name });
}

export function noSuchUser(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`);
}

export async function requireUser(ctx: ResourceContext, name: string): Promise<UserRow> {
  const user = await findUser(ctx.db, ctx.accountId, name);
  if (!user) throw noSuchUser(name);
  return user;
}

/** A user as IAM's `User` shape. */
export function userResult(user: UserRow, tags?: readonly Tag[]) {
  return {
    path: user.path,
    userName: user.name,
    userId: user.id,
    arn: userArn(user.accountId, user),
    createDate: user.createdAt,
    ...(user.boundaryArn ? { permissionsBoundary: { permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: user.boundaryArn } } : {}),
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
}

interface CreateUserInput {
  userName: string;
  path?: string;
  permissionsBoundary?: string;
  tags?: Tag[];
}

export const createUser = defineOperation({
  name: 'CreateUser',
  action: 'iam:CreateUser',
  write: true,
  resource: (input: CreateUserInput, ctx) => userArn(ctx.accountId, { path: pathOr(input.path), name: input.userName }),
  context: (input) => ({
    ...requestTagContext(input.tags),
    ...(input.permissionsBoundary ? { 'iam:PermissionsBoundary': input.permissionsBoundary } : {}),
  }),
  async handle(input, ctx) {
    const tags = checkTags(input.tags);
    if (await findUser(ctx.db, ctx.accountId, input.userName)) {
      throw new AwsError('EntityAlreadyExists', `User with name ${input.userName} already exists.`);
    }
    if ((await countRows(ctx.db, 'users', ctx.accountId)) >= MAX_USERS) {
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

export const getUser = defineOperation({
  name: 'GetUser',
  action: 'iam:GetUser',
  write: false,
  // Without UserName, GetUser describes the caller (AWS: "defaults to the user making the request").
  resource: (input: { userName?: string }, ctx) => userResource(ctx, input.userName),
  async handle(input, ctx) {
    const name = input.userName ?? ctx.caller.user?.name;
    if (name === undefined) {
      // The root user: AWS answers with the account id and the root ARN.
      return { user: { userId: ctx.accountId, arn: rootArn(ctx.accountId), createDate: ctx.now } };
    }
    const user = await requireUser(ctx, name);
    return { user: userResult(user, await listTags(ctx.db, user.id)) };
  },
});

export const listUsersOp = defineOperation({
  name: 'ListUsers',
  action: 'iam:ListUsers',
  write: false,
  resource: () => '*',
  async handle(input: { pathPrefix?: string; marker?: string; maxItems?: number }, ctx) {
    const rows = await listUsers(ctx.db, ctx.accountId, { pathPrefix: input.pathPrefix, after: decodeMarker(input.marker), limit: limitOf(input) + 1 });
    const page = pageOf(rows, input, (u) => u.nameLower);
    return pageResult('users', { ...page, items: page.items.map((u) => userResult(u)) });
  },
});

export const userOperations: readonly OperationDef[] = [createUser, getUser, listUsersOp];
