import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { tags as tagsTable } from '../../src/store/schema.js';
import { allow, notAuthorized, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const denied = (user: string, action: string, resource: string) => notAuthorized(acct, user, action, resource);

describe('users', () => {
  test('CreateUser returns AWS shapes; GetUser and ListUsers see it', async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'Alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'core' }] }));
    expect(User?.Arn).toBe(`arn:aws:iam::${acct}:user/eng/Alice`);
    expect(User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    const got = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    expect(got.User?.UserName).toBe('Alice');
    expect(got.User?.Tags).toEqual([{ Key: 'team', Value: 'core' }]);
    const list = await iam.send(new ListUsersCommand({}));
    const listed = list.Users?.find((u) => u.UserName === 'Alice');
    // List operations leave out Tags (and PermissionsBoundary), as AWS's do.
    expect(listed).toBeDefined();
    expect(listed?.Tags).toBeUndefined();
  });

  test('names are unique case-insensitively', async () => {
    await expect(iam.send(new CreateUserCommand({ UserName: 'ALICE' }))).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });
  });

  test('ListUsers paginates with MaxItems and Marker', async () => {
    for (const n of ['p1', 'p2', 'p3']) await iam.send(new CreateUserCommand({ UserName: n, Path: '/page/' }));
    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/page/', MaxItems: 2 }));
    expect(first.Users?.map((u) => u.UserName)).toEqual(['p1', 'p2']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListUsersCommand({ PathPrefix: '/page/', MaxItems: 2, Marker: first.Marker }));
    expect(second.Users?.map((u) => u.UserName)).toEqual(['p3']);
    expect(second.IsTruncated).toBe(false);
  });
});

describe('UpdateUser', () => {
  test('renames and moves a user, keeping its id and tags', async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'bob', Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new UpdateUserCommand({ UserName: 'bob', NewUserName: 'robert', NewPath: '/ops/' }));
    const got = await iam.send(new GetUserCommand({ UserName: 'robert' }));
    expect(got.User).toMatchObject({ UserId: User?.UserId, Path: '/ops/', Arn: `arn:aws:iam::${acct}:user/ops/robert`, Tags: [{ Key: 'k', Value: 'v' }] });
    await expect(iam.send(new GetUserCommand({ UserName: 'bob' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name bob cannot be found.',
    });
  });

  test('a change of case only is a rename of the same user', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    await iam.send(new UpdateUserCommand({ UserName: 'carol', NewUserName: 'Carol' }));
    expect((await iam.send(new GetUserCommand({ UserName: 'carol' }))).User?.UserName).toBe('Carol');
  });

  test.each([
    { name: 'a name another user has', input: { UserName: 'Carol', NewUserName: 'ALICE' }, error: 'EntityAlreadyExistsException', message: 'User with name ALICE already exists.' },
    { name: 'a user that does not exist', input: { UserName: 'nobody', NewUserName: 'x' }, error: 'NoSuchEntityException', message: 'The user with name nobody cannot be found.' },
    { name: 'an invalid new name', input: { UserName: 'Carol', NewUserName: 'a b' }, error: 'ValidationError', message: undefined },
    { name: 'an invalid new path', input: { UserName: 'Carol', NewPath: 'nope' }, error: 'ValidationError', message: undefined },
  ])('refuses $name', async ({ input, error, message }) => {
    await expect(iam.send(new UpdateUserCommand(input))).rejects.toMatchObject({ name: error, ...(message ? { message } : {}) });
  });

  test('renaming needs the permission on the new name too', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'dave' }));
    const creds = await svc.userWithPolicy('renamer', allow('iam:UpdateUser', `arn:aws:iam::${acct}:user/dave`));
    const as = svc.iam(creds);
    await expect(as.send(new UpdateUserCommand({ UserName: 'dave', NewUserName: 'david' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('renamer', 'iam:UpdateUser', `arn:aws:iam::${acct}:user/david`),
    });
    expect((await iam.send(new GetUserCommand({ UserName: 'dave' }))).User?.UserName).toBe('dave');
  });
});

describe('DeleteUser', () => {
  test('deletes a user and its tags', async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'gone', Tags: [{ Key: 'a', Value: 'b' }] }));
    await iam.send(new DeleteUserCommand({ UserName: 'GONE' }));
    await expect(iam.send(new GetUserCommand({ UserName: 'gone' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const left = await svc.store.db.select().from(tagsTable).where(eq(tagsTable.ownerId, User?.UserId ?? ''));
    expect(left).toEqual([]);
  });

  test('a user that does not exist', async () => {
    await expect(iam.send(new DeleteUserCommand({ UserName: 'never' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name never cannot be found.',
    });
  });

  test('refuses while the user has access keys, groups, inline or attached policies, each in turn', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'busy' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'busy' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'busy-group' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'busy-group', UserName: 'busy' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'busy', PolicyName: 'inline', PolicyDocument: JSON.stringify(allow('iam:GetUser')) }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'busy-managed', PolicyDocument: JSON.stringify(allow('iam:GetUser')) }));
    const policyArn = Policy?.Arn ?? '';
    await iam.send(new AttachUserPolicyCommand({ UserName: 'busy', PolicyArn: policyArn }));

    const steps = [
      { message: 'Cannot delete entity, must delete access keys first.', clear: () => iam.send(new DeleteAccessKeyCommand({ UserName: 'busy', AccessKeyId: AccessKey?.AccessKeyId ?? '' })) },
      { message: 'Cannot delete entity, must remove users from group first.', clear: () => iam.send(new RemoveUserFromGroupCommand({ GroupName: 'busy-group', UserName: 'busy' })) },
      { message: 'Cannot delete entity, must delete policies first.', clear: () => iam.send(new DeleteUserPolicyCommand({ UserName: 'busy', PolicyName: 'inline' })) },
      { message: 'Cannot delete entity, must detach all policies first.', clear: () => iam.send(new DetachUserPolicyCommand({ UserName: 'busy', PolicyArn: policyArn })) },
    ];
    for (const step of steps) {
      await expect(iam.send(new DeleteUserCommand({ UserName: 'busy' }))).rejects.toMatchObject({ name: 'DeleteConflictException', message: step.message });
      await step.clear();
    }
    await iam.send(new DeleteUserCommand({ UserName: 'busy' }));
  });
});

describe('user tags', () => {
  beforeAll(async () => {
    await iam.send(new CreateUserCommand({ UserName: 'tagged' }));
  });

  test('TagUser adds and overwrites (keys compare case-insensitively); ListUserTags lists them', async () => {
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'Env', Value: 'dev' }, { Key: 'team', Value: 'a' }] }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'env', Value: 'prod' }] }));
    const { Tags, IsTruncated } = await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }));
    expect(Tags).toEqual([{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'a' }]);
    expect(IsTruncated).toBe(false);
  });

  test('UntagUser removes keys (in any case) and ignores keys the user does not have', async () => {
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['ENV', 'missing'] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags).toEqual([{ Key: 'team', Value: 'a' }]);
  });

  test('ListUserTags paginates', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'many-tags', Tags: ['c', 'a', 'B', 'd'].map((k) => ({ Key: k, Value: k })) }));
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListUserTagsCommand({ UserName: 'many-tags', MaxItems: 3, Marker: marker }));
      seen.push(...(page.Tags ?? []).map((t) => t.Key ?? ''));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(seen).toEqual(['a', 'B', 'c', 'd']);
  });

  test('the limit of 50 tags counts the tags the user already has', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'full', Tags: Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: '' })) }));
    // Overwriting an existing key does not add one.
    await iam.send(new TagUserCommand({ UserName: 'full', Tags: [{ Key: 'K0', Value: 'x' }, { Key: 'new', Value: 'y' }] }));
    await expect(iam.send(new TagUserCommand({ UserName: 'full', Tags: [{ Key: 'one-too-many', Value: '' }] }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'full' }))).Tags).toHaveLength(50);
  });

  test.each([
    { name: 'an unknown user (TagUser)', send: () => iam.send(new TagUserCommand({ UserName: 'nobody', Tags: [{ Key: 'a', Value: 'b' }] })), error: 'NoSuchEntityException' },
    { name: 'an unknown user (UntagUser)', send: () => iam.send(new UntagUserCommand({ UserName: 'nobody', TagKeys: ['a'] })), error: 'NoSuchEntityException' },
    { name: 'an unknown user (ListUserTags)', send: () => iam.send(new ListUserTagsCommand({ UserName: 'nobody' })), error: 'NoSuchEntityException' },
    { name: 'a reserved aws: key', send: () => iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'aws:x', Value: 'b' }] })), error: 'InvalidInputException' },
    { name: 'duplicate keys', send: () => iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })), error: 'InvalidInputException' },
    { name: 'a marker we did not issue', send: () => iam.send(new ListUserTagsCommand({ UserName: 'tagged', Marker: 'bogus' })), error: 'InvalidInputException' },
  ])('refuses $name', async ({ send, error }) => {
    await expect(send()).rejects.toMatchObject({ name: error });
  });

  test('authorization: aws:RequestTag conditions govern TagUser; UntagUser needs its own allow', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:TagUser', Resource: `arn:aws:iam::${acct}:user/tagged`, Condition: { StringEquals: { 'aws:RequestTag/team': 'a' } } },
        { Effect: 'Allow', Action: 'iam:ListUserTags', Resource: '*' },
      ],
    };
    const as = svc.iam(await svc.userWithPolicy('tagger', policy));
    await as.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'team', Value: 'a' }] }));
    expect((await as.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    await expect(as.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'team', Value: 'b' }] }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(as.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['team'] }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('tagger', 'iam:UntagUser', `arn:aws:iam::${acct}:user/tagged`),
    });
  });
});

describe('iam:ResourceTag and aws:ResourceTag: the user’s own tags', () => {
  const teamX = (actions: string[], key = 'iam:ResourceTag/team') => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: '*', Condition: { StringEquals: { [key]: 'x' } } }],
  });
  let admin: IAMClient;
  beforeAll(async () => {
    await iam.send(new CreateUserCommand({ UserName: 'rt-x', Path: '/rt/', Tags: [{ Key: 'team', Value: 'x' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'rt-y', Path: '/rt/', Tags: [{ Key: 'team', Value: 'y' }] }));
    admin = svc.iam(await svc.userWithPolicy('rt-admin', teamX(['iam:GetUser', 'iam:UpdateUser', 'iam:ListUserTags', 'iam:DeleteUser'])));
  });

  test('operations on a user tagged team=x are allowed; on team=y denied with AWS message', async () => {
    expect((await admin.send(new GetUserCommand({ UserName: 'rt-x' }))).User?.UserName).toBe('rt-x');
    expect((await admin.send(new ListUserTagsCommand({ UserName: 'rt-x' }))).Tags).toEqual([{ Key: 'team', Value: 'x' }]);
    for (const [action, call] of [
      ['iam:GetUser', () => admin.send(new GetUserCommand({ UserName: 'rt-y' }))],
      ['iam:ListUserTags', () => admin.send(new ListUserTagsCommand({ UserName: 'rt-y' }))],
      ['iam:UpdateUser', () => admin.send(new UpdateUserCommand({ UserName: 'rt-y', NewPath: '/moved/' }))],
      ['iam:DeleteUser', () => admin.send(new DeleteUserCommand({ UserName: 'rt-y' }))],
    ] as const) {
      await expect(call()).rejects.toMatchObject({ name: 'AccessDenied', message: denied('rt-admin', action, `arn:aws:iam::${acct}:user/rt/rt-y`) });
    }
    await iam.send(new CreateUserCommand({ UserName: 'rt-x2', Tags: [{ Key: 'team', Value: 'x' }] }));
    await admin.send(new DeleteUserCommand({ UserName: 'rt-x2' }));
    // A rename is also authorized on the new ARN, and the user keeps its tags there.
    await admin.send(new UpdateUserCommand({ UserName: 'rt-x', NewUserName: 'rt-x-renamed', NewPath: '/rt2/' }));
    expect((await admin.send(new GetUserCommand({ UserName: 'rt-x-renamed' }))).User?.Arn).toBe(`arn:aws:iam::${acct}:user/rt2/rt-x-renamed`);
  });

  test('GetUser without a UserName is judged on the caller’s own tags', async () => {
    await expect(admin.send(new GetUserCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('rt-admin', 'iam:GetUser', `arn:aws:iam::${acct}:user/rt-admin`),
    });
    await iam.send(new TagUserCommand({ UserName: 'rt-admin', Tags: [{ Key: 'team', Value: 'x' }] }));
    expect((await admin.send(new GetUserCommand({}))).User?.UserName).toBe('rt-admin');
  });

  test('TagUser and UntagUser are judged on the tags the user has before the call', async () => {
    const tagger = svc.iam(await svc.userWithPolicy('rt-tagger', teamX(['iam:TagUser', 'iam:UntagUser'], 'aws:ResourceTag/team')));
    await iam.send(new CreateUserCommand({ UserName: 'rt-moving', Tags: [{ Key: 'team', Value: 'x' }] }));
    await tagger.send(new UntagUserCommand({ UserName: 'rt-moving', TagKeys: ['other'] }));
    // Team x may give its user away (the new value is aws:RequestTag), and has then lost it.
    await tagger.send(new TagUserCommand({ UserName: 'rt-moving', Tags: [{ Key: 'team', Value: 'y' }] }));
    await expect(tagger.send(new TagUserCommand({ UserName: 'rt-moving', Tags: [{ Key: 'team', Value: 'x' }] }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('rt-tagger', 'iam:TagUser', `arn:aws:iam::${acct}:user/rt-moving`),
    });
    await expect(tagger.send(new UntagUserCommand({ UserName: 'rt-moving', TagKeys: ['team'] }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
