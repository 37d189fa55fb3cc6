/**
 * Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups and membership
 * (AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser). GROUP is the kind inline policies,
 * attachments and GetAccountSummary know groups by.
 */
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import { lockQuota } from '../store/accounts.js';
import {
  addMember,
  countGroups,
  countGroupsOfUser,
  countMembers,
  deleteGroupRow,
  findGroup,
  insertGroup,
  isMember,
  listGroups,
  listGroupsOfUser,
  listMembers,
  removeMember,
  renameGroup,
  type GroupRow,
  type MemberPosition,
} from '../store/groups.js';
import { ownedPolicies } from '../store/policies/attachments.js';
import { groupArn } from '../arn.js';
import { newUniqueId } from './ids.js';
import { pathOr } from './names.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { entityTarget, pathArn, requireEntity, requireTarget, type EntityKind } from './entities.js';
import { USER, userListItem } from './users.js';

/** IAM's default quotas: groups per account, and groups a user may belong to. */
export const MAX_GROUPS = 300;
export const MAX_GROUPS_PER_USER = 10;

export function noSuchGroup(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The group with name ${name} cannot be found.`);
}

/** IAM groups as an entity kind: untagged and unbounded (IAM has neither for groups), counted as `Groups`. */
export const GROUP: EntityKind<GroupRow, 'groupName', 'group'> = {
  type: 'group',
  label: 'Group',
  key: 'groupName',
  find: findGroup,
  arn: pathArn('group'),
  notFound: noSuchGroup,
  summary: { usage: 'Groups', quota: ['GroupsQuota', MAX_GROUPS], count: countGroups },
};

/** Operations on an existing group read it once (load) and are authorized on its ARN; the writes read it again in their transaction. */
const groupTarget = entityTarget(GROUP);

/** A group as IAM's `Group` shape. */
export function groupResult(group: GroupRow) {
  return { path: group.path, groupName: group.name, groupId: group.id, arn: groupArn(group.accountId, group), createDate: group.createdAt };
}

/* Membership listings page by (time added, id); the marker carries both. */

function positionKey(row: { addedAt: Date; id: string }): string {
  return `${row.addedAt.toISOString()}|${row.id}`;
}

function decodePosition(marker: string | undefined): MemberPosition | undefined {
  const key = decodeMarker(marker);
  if (key === undefined) return undefined;
  const bar = key.indexOf('|');
  const addedAt = new Date(key.slice(0, bar));
  if (bar < 0 || Number.isNaN(addedAt.getTime())) throw new AwsError('InvalidInput', 'Invalid Marker.');
  return { addedAt, id: key.slice(bar + 1) };
}

export const createGroup = defineOperation('CreateGroup', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => groupArn(ctx.accountId, { path: pathOr(input.path), name: input.groupName }),
  async handle(input, ctx) {
    await lockQuota(ctx.db, 'GroupsPerAccount', ctx.accountId);
    if (await findGroup(ctx.db, ctx.accountId, input.groupName)) {
      throw new AwsError('EntityAlreadyExists', `Group with name ${input.groupName} already exists.`);
    }
    if ((await countGroups(ctx.db, ctx.accountId)) >= MAX_GROUPS) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for GroupsPerAccount: ${MAX_GROUPS}`);
    }
    const group: GroupRow = { id: newUniqueId('group'), accountId: ctx.accountId, name: input.groupName, path: pathOr(input.path), createdAt: ctx.now };
    await insertGroup(ctx.db, group);
    return { group: groupResult(group) };
  },
});

export const getGroup = defineOperation('GetGroup', {
  authentication: 'sigv4',
  write: false,
  ...groupTarget,
  async handle(input, ctx, _deps, target) {
    const group = requireTarget(GROUP, target);
    const rows = await listMembers(ctx.db, group.id, { after: decodePosition(input.marker), limit: limitOf(input) + 1 });
    const page = pageOf(rows, input, positionKey);
    return { group: groupResult(group), ...pageResult('users', { ...page, items: page.items.map(userListItem) }) };
  },
});

export const updateGroup = defineOperation('UpdateGroup', {
  authentication: 'sigv4',
  write: true,
  ...groupTarget,
  async handle(input, ctx) {
    const group = await requireEntity(GROUP, ctx, input.groupName);
    const to = { name: input.newGroupName ?? group.name, path: input.newPath ?? group.path };
    if (to.name === group.name && to.path === group.path) return {};
    // As for users: renaming needs the permission on the source and on the target (UpdateGroup API reference).
    await ctx.authorize('iam:UpdateGroup', groupArn(ctx.accountId, to));
    const clash = await findGroup(ctx.db, ctx.accountId, to.name);
    if (clash && clash.id !== group.id) throw new AwsError('EntityAlreadyExists', `Group with name ${to.name} already exists.`);
    await renameGroup(ctx.db, group.id, to);
    return {};
  },
});

export const deleteGroup = defineOperation('DeleteGroup', {
  authentication: 'sigv4',
  write: true,
  ...groupTarget,
  async handle(input, ctx) {
    const group = await requireEntity(GROUP, ctx, input.groupName);
    // "The group must not contain any users or have any attached policies" (DeleteGroup API reference).
    const conflict = (what: string) => new AwsError('DeleteConflict', `Cannot delete entity, must ${what} first.`);
    if ((await countMembers(ctx.db, group.id)) > 0) throw conflict('remove users from group');
    const owned = await ownedPolicies(ctx.db, group.id);
    if (owned.inline > 0) throw conflict('delete policies');
    if (owned.attached > 0) throw conflict('detach all policies');
    await deleteGroupRow(ctx.db, group.id);
    return {};
  },
});

export const listGroupsOp = defineOperation('ListGroups', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(input, ctx) {
    const rows = await listGroups(ctx.db, ctx.accountId, { pathPrefix: input.pathPrefix, after: decodeMarker(input.marker), limit: limitOf(input) + 1 });
    const page = pageOf(rows, input, (g) => g.nameLower);
    return pageResult('groups', { ...page, items: page.items.map(groupResult) });
  },
});

export const addUserToGroup = defineOperation('AddUserToGroup', {
  authentication: 'sigv4',
  write: true,
  ...groupTarget,
  async handle(input, ctx) {
    const group = await requireEntity(GROUP, ctx, input.groupName);
    const user = await requireEntity(USER, ctx, input.userName);
    await lockQuota(ctx.db, 'GroupsPerUser', user.id);
    // Adding a member again succeeds and changes nothing, as in AWS.
    if (await isMember(ctx.db, group.id, user.id)) return {};
    if ((await countGroupsOfUser(ctx.db, user.id)) >= MAX_GROUPS_PER_USER) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
    }
    await addMember(ctx.db, group.id, user.id, ctx.now);
    return {};
  },
});

export const removeUserFromGroup = defineOperation('RemoveUserFromGroup', {
  authentication: 'sigv4',
  write: true,
  ...groupTarget,
  async handle(input, ctx) {
    const group = await requireEntity(GROUP, ctx, input.groupName);
    const user = await requireEntity(USER, ctx, input.userName);
    if (!(await removeMember(ctx.db, group.id, user.id))) {
      // Not a member: AWS answers NoSuchEntity, as for a user that does not exist.
      throw new AwsError('NoSuchEntity', `The user with name ${input.userName} cannot be found.`);
    }
    return {};
  },
});

export const listGroupsForUser = defineOperation('ListGroupsForUser', {
  authentication: 'sigv4',
  write: false,
  // Authorized on the user, so the user's tags are its aws:ResourceTag/… and iam:ResourceTag/… keys.
  ...entityTarget(USER),
  async handle(input, ctx, _deps, target) {
    const user = requireTarget(USER, target);
    const rows = await listGroupsOfUser(ctx.db, user.id, { after: decodePosition(input.marker), limit: limitOf(input) + 1 });
    const page = pageOf(rows, input, positionKey);
    return pageResult('groups', { ...page, items: page.items.map(groupResult) });
  },
});

export const groupOperations: readonly DefinedOperation[] = [
  createGroup,
  getGroup,
  updateGroup,
  deleteGroup,
  listGroupsOp,
  addUserToGroup,
  removeUserFromGroup,
  listGroupsForUser,
];
