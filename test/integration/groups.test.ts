import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  GetUserCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, test } from 'vitest';
import { newUniqueId } from '../../src/iam/ids.js';
import { groups as groupsTable } from '../../src/store/schema.js';
import { allow, notAuthorized, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const denied = (user: string, action: string, resource: string) => notAuthorized(acct, user, action, resource);

async function users(...names: string[]): Promise<void> {
  for (const n of names) await iam.send(new CreateUserCommand({ UserName: n }));
}

describe('CreateGroup, GetGroup, ListGroups', () => {
  test('CreateGroup returns the Group shape; GetGroup sees it, with no users yet', async () => {
    const { Group } = await iam.send(new CreateGroupCommand({ GroupName: 'Admins', Path: '/eng/' }));
    expect(Group).toMatchObject({ GroupName: 'Admins', Path: '/eng/', Arn: `arn:aws:iam::${acct}:group/eng/Admins` });
    expect(Group?.GroupId).toMatch(/^AGPA[A-Z2-7]{17}$/);
    expect(Group?.CreateDate).toBeInstanceOf(Date);
    const got = await iam.send(new GetGroupCommand({ GroupName: 'admins' }));
    expect(got.Group).toEqual(Group);
    expect(got.Users).toEqual([]);
    expect(got.IsTruncated).toBe(false);
  });

  test.each([
    { name: 'a name taken in another case', input: { GroupName: 'ADMINS' }, error: 'EntityAlreadyExistsException', message: 'Group with name ADMINS already exists.' },
    { name: 'an invalid name', input: { GroupName: 'a/b' }, error: 'ValidationError', message: undefined },
    { name: 'an invalid path', input: { GroupName: 'ok', Path: 'eng' }, error: 'ValidationError', message: undefined },
  ])('CreateGroup refuses $name', async ({ input, error, message }) => {
    await expect(iam.send(new CreateGroupCommand(input))).rejects.toMatchObject({ name: error, ...(message ? { message } : {}) });
  });

  test('GetGroup of a group that does not exist', async () => {
    await expect(iam.send(new GetGroupCommand({ GroupName: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The group with name nope cannot be found.',
    });
  });

  test('ListGroups filters by PathPrefix and paginates by name', async () => {
    for (const n of ['g-c', 'g-a', 'G-b']) await iam.send(new CreateGroupCommand({ GroupName: n, Path: '/list/' }));
    const first = await iam.send(new ListGroupsCommand({ PathPrefix: '/list/', MaxItems: 2 }));
    expect(first.Groups?.map((g) => g.GroupName)).toEqual(['g-a', 'G-b']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListGroupsCommand({ PathPrefix: '/list/', MaxItems: 2, Marker: first.Marker }));
    expect(second.Groups?.map((g) => g.GroupName)).toEqual(['g-c']);
    expect(second.IsTruncated).toBe(false);
    const all = await iam.send(new ListGroupsCommand({}));
    expect(all.Groups?.map((g) => g.GroupName)).toEqual(expect.arrayContaining(['Admins', 'g-a']));
  });

  test('the account may have at most 300 groups', async () => {
    const other = await svc.newAccount();
    const rows = Array.from({ length: 300 }, (_, i) => {
      const name = `bulk${i}`;
      return { id: newUniqueId('group'), accountId: other.accountId, name, nameLower: name, path: '/', createdAt: new Date() };
    });
    await svc.store.db.insert(groupsTable).values(rows);
    const root = svc.iam({ accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    await expect(root.send(new CreateGroupCommand({ GroupName: 'one-more' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for GroupsPerAccount: 300',
    });
  });
});

describe('membership', () => {
  beforeAll(async () => {
    await users('m1', 'm2', 'm3');
    await iam.send(new CreateGroupCommand({ GroupName: 'team' }));
  });

  test('AddUserToGroup adds (idempotently); GetGroup lists members in the order they joined, paginated', async () => {
    for (const u of ['m2', 'm1', 'm3', 'M2']) await iam.send(new AddUserToGroupCommand({ GroupName: 'TEAM', UserName: u }));
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new GetGroupCommand({ GroupName: 'team', MaxItems: 2, Marker: marker }));
      expect(page.Group?.GroupName).toBe('team');
      seen.push(...(page.Users ?? []).map((u) => u.UserName ?? ''));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(seen).toEqual(['m2', 'm1', 'm3']);
  });

  test('ListGroupsForUser lists the groups a user joined, paginated', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'team2' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'team3' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'team3', UserName: 'm1' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'team2', UserName: 'm1' }));
    const first = await iam.send(new ListGroupsForUserCommand({ UserName: 'm1', MaxItems: 2 }));
    expect(first.Groups?.map((g) => g.GroupName)).toEqual(['team', 'team3']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListGroupsForUserCommand({ UserName: 'm1', MaxItems: 2, Marker: first.Marker }));
    expect(second.Groups?.map((g) => g.GroupName)).toEqual(['team2']);
    expect(second.IsTruncated).toBe(false);
  });

  test('RemoveUserFromGroup removes a member', async () => {
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'team', UserName: 'm3' }));
    expect((await iam.send(new GetGroupCommand({ GroupName: 'team' }))).Users?.map((u) => u.UserName)).toEqual(['m2', 'm1']);
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: 'm3' }))).Groups).toEqual([]);
  });

  test.each([
    { name: 'AddUserToGroup with an unknown group', send: () => iam.send(new AddUserToGroupCommand({ GroupName: 'nope', UserName: 'm1' })), message: 'The group with name nope cannot be found.' },
    { name: 'AddUserToGroup with an unknown user', send: () => iam.send(new AddUserToGroupCommand({ GroupName: 'team', UserName: 'ghost' })), message: 'The user with name ghost cannot be found.' },
    { name: 'RemoveUserFromGroup with an unknown group', send: () => iam.send(new RemoveUserFromGroupCommand({ GroupName: 'nope', UserName: 'm1' })), message: 'The group with name nope cannot be found.' },
    { name: 'RemoveUserFromGroup of a user not in the group', send: () => iam.send(new RemoveUserFromGroupCommand({ GroupName: 'team', UserName: 'm3' })), message: 'The user with name m3 cannot be found.' },
    { name: 'ListGroupsForUser of an unknown user', send: () => iam.send(new ListGroupsForUserCommand({ UserName: 'ghost' })), message: 'The user with name ghost cannot be found.' },
  ])('$name: NoSuchEntity', async ({ send, message }) => {
    await expect(send()).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
  });

  test('a marker we did not issue is refused', async () => {
    await expect(iam.send(new GetGroupCommand({ GroupName: 'team', Marker: 'bogus' }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('a user can be in at most 10 groups', async () => {
    await users('joiner');
    for (let i = 0; i < 10; i++) {
      await iam.send(new CreateGroupCommand({ GroupName: `ten${i}` }));
      await iam.send(new AddUserToGroupCommand({ GroupName: `ten${i}`, UserName: 'joiner' }));
    }
    await expect(iam.send(new AddUserToGroupCommand({ GroupName: 'team', UserName: 'joiner' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for GroupsPerUser: 10',
    });
    // Adding again to a group it is already in is still fine.
    await iam.send(new AddUserToGroupCommand({ GroupName: 'ten0', UserName: 'joiner' }));
  });

  test("joining a group grants its policies on the very next request, leaving revokes them", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'readers' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'readers', PolicyName: 'read', PolicyDocument: JSON.stringify(allow('iam:GetGroup')) }));
    const creds = await svc.userWithPolicy('reader');
    const as = svc.iam(creds);
    await expect(as.send(new GetGroupCommand({ GroupName: 'readers' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'reader' }));
    expect((await as.send(new GetGroupCommand({ GroupName: 'readers' }))).Users?.map((u) => u.UserName)).toEqual(['reader']);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'readers', UserName: 'reader' }));
    await expect(as.send(new GetGroupCommand({ GroupName: 'readers' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('UpdateGroup', () => {
  test('renames and moves a group, keeping its id and members', async () => {
    await users('u-upd');
    const { Group } = await iam.send(new CreateGroupCommand({ GroupName: 'old-name' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'old-name', UserName: 'u-upd' }));
    await iam.send(new UpdateGroupCommand({ GroupName: 'old-name', NewGroupName: 'new-name', NewPath: '/moved/' }));
    const got = await iam.send(new GetGroupCommand({ GroupName: 'new-name' }));
    expect(got.Group).toMatchObject({ GroupId: Group?.GroupId, Path: '/moved/', Arn: `arn:aws:iam::${acct}:group/moved/new-name` });
    expect(got.Users?.map((u) => u.UserName)).toEqual(['u-upd']);
    await expect(iam.send(new GetGroupCommand({ GroupName: 'old-name' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test.each([
    { name: 'a name another group has', input: { GroupName: 'new-name', NewGroupName: 'Admins' }, error: 'EntityAlreadyExistsException', message: 'Group with name Admins already exists.' },
    { name: 'a group that does not exist', input: { GroupName: 'nope', NewGroupName: 'x' }, error: 'NoSuchEntityException', message: 'The group with name nope cannot be found.' },
  ])('refuses $name', async ({ input, error, message }) => {
    await expect(iam.send(new UpdateGroupCommand(input))).rejects.toMatchObject({ name: error, message });
  });
});

describe('DeleteGroup', () => {
  test('refuses while the group has members, inline or attached policies, each in turn', async () => {
    await users('dg-user');
    await iam.send(new CreateGroupCommand({ GroupName: 'doomed' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'doomed', UserName: 'dg-user' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'doomed', PolicyName: 'p', PolicyDocument: JSON.stringify(allow('iam:GetUser')) }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'doomed-managed', PolicyDocument: JSON.stringify(allow('iam:GetUser')) }));
    const policyArn = Policy?.Arn ?? '';
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'doomed', PolicyArn: policyArn }));
    const steps = [
      { message: 'Cannot delete entity, must remove users from group first.', clear: () => iam.send(new RemoveUserFromGroupCommand({ GroupName: 'doomed', UserName: 'dg-user' })) },
      { message: 'Cannot delete entity, must delete policies first.', clear: () => iam.send(new DeleteGroupPolicyCommand({ GroupName: 'doomed', PolicyName: 'p' })) },
      { message: 'Cannot delete entity, must detach all policies first.', clear: () => iam.send(new DetachGroupPolicyCommand({ GroupName: 'doomed', PolicyArn: policyArn })) },
    ];
    for (const step of steps) {
      await expect(iam.send(new DeleteGroupCommand({ GroupName: 'doomed' }))).rejects.toMatchObject({ name: 'DeleteConflictException', message: step.message });
      await step.clear();
    }
    await iam.send(new DeleteGroupCommand({ GroupName: 'DOOMED' }));
    await expect(iam.send(new GetGroupCommand({ GroupName: 'doomed' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    // The user is untouched.
    expect((await iam.send(new GetUserCommand({ UserName: 'dg-user' }))).User?.UserName).toBe('dg-user');
  });

  test('a group that does not exist', async () => {
    await expect(iam.send(new DeleteGroupCommand({ GroupName: 'nope' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('authorization', () => {
  test('group operations are authorized against the group ARN (with its path); ListGroups against *', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'guarded', Path: '/sec/' }));
    await users('guest');
    const policy = allow(['iam:GetGroup', 'iam:AddUserToGroup'], `arn:aws:iam::${acct}:group/sec/*`);
    const as = svc.iam(await svc.userWithPolicy('group-admin', policy));
    await as.send(new AddUserToGroupCommand({ GroupName: 'guarded', UserName: 'guest' }));
    expect((await as.send(new GetGroupCommand({ GroupName: 'guarded' }))).Users?.map((u) => u.UserName)).toEqual(['guest']);
    await expect(as.send(new RemoveUserFromGroupCommand({ GroupName: 'guarded', UserName: 'guest' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('group-admin', 'iam:RemoveUserFromGroup', `arn:aws:iam::${acct}:group/sec/guarded`),
    });
    await expect(as.send(new ListGroupsCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('group-admin', 'iam:ListGroups', '*'),
    });
    await expect(as.send(new CreateGroupCommand({ GroupName: 'other', Path: '/open/' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('group-admin', 'iam:CreateGroup', `arn:aws:iam::${acct}:group/open/other`),
    });
  });

  test('UpdateGroup needs the permission on the new name too', async () => {
    const as = svc.iam(await svc.userWithPolicy('group-renamer', allow('iam:UpdateGroup', `arn:aws:iam::${acct}:group/sec/guarded`)));
    await expect(as.send(new UpdateGroupCommand({ GroupName: 'guarded', NewGroupName: 'renamed' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('group-renamer', 'iam:UpdateGroup', `arn:aws:iam::${acct}:group/sec/renamed`),
    });
  });
});

describe('iam:ResourceTag: ListGroupsForUser is judged on the user’s tags', () => {
  test('allowed for a user tagged team=x, denied with AWS message for team=y', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'gx', Tags: [{ Key: 'team', Value: 'x' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'gy', Path: '/t/', Tags: [{ Key: 'team', Value: 'y' }] }));
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:ListGroupsForUser', Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/team': 'x' } } }],
    };
    const as = svc.iam(await svc.userWithPolicy('gfu-reader', policy));
    expect((await as.send(new ListGroupsForUserCommand({ UserName: 'gx' }))).Groups).toEqual([]);
    await expect(as.send(new ListGroupsForUserCommand({ UserName: 'gy' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('gfu-reader', 'iam:ListGroupsForUser', `arn:aws:iam::${acct}:user/t/gy`),
    });
  });
});
