import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, test } from 'vitest';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const doc = (action = 's3:GetObject') => JSON.stringify(allow(action));
const arnOf = (name: string, path = '/') => `arn:aws:iam::${acct}:policy${path}${name}`;

async function createPolicy(name: string, extra: { path?: string; document?: string } = {}): Promise<string> {
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: extra.document ?? doc(), ...(extra.path ? { Path: extra.path } : {}) }));
  if (!Policy?.Arn) throw new Error('CreatePolicy returned no ARN');
  return Policy.Arn;
}

/** A user whose permissions are one attached managed policy, with an access key. */
async function userWithManagedPolicy(name: string, policy: object): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const arn = await createPolicy(`${name}-policy`, { document: JSON.stringify(policy) });
  await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

describe('CreatePolicy and GetPolicy', () => {
  test('CreatePolicy returns the AWS Policy shape; GetPolicy adds description and tags', async () => {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'Reader', Path: '/team/', PolicyDocument: doc(), Description: 'reads things', Tags: [{ Key: 'env', Value: 'prod' }] }),
    );
    expect(Policy).toMatchObject({
      PolicyName: 'Reader',
      Path: '/team/',
      Arn: arnOf('Reader', '/team/'),
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
    });
    expect(Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(Policy?.CreateDate).toBeInstanceOf(Date);
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: arnOf('Reader', '/team/') }));
    expect(got.Policy).toMatchObject({ PolicyId: Policy?.PolicyId, Description: 'reads things', Tags: [{ Key: 'env', Value: 'prod' }], DefaultVersionId: 'v1' });
    expect(got.Policy?.UpdateDate?.getTime()).toBe(got.Policy?.CreateDate?.getTime());
  });

  test.each([
    ['a duplicate name, in any case', { PolicyName: 'READER', PolicyDocument: doc() }, 'EntityAlreadyExistsException', 'A policy called READER already exists. Duplicate names are not allowed.'],
    ['a document that is not JSON', { PolicyName: 'bad-json', PolicyDocument: '{"Version":' }, 'MalformedPolicyDocumentException', undefined],
    ['a document without statements', { PolicyName: 'no-stmt', PolicyDocument: '{"Version":"2012-10-17"}' }, 'MalformedPolicyDocumentException', undefined],
    [
      'a document over 6,144 non-whitespace characters',
      { PolicyName: 'too-big', PolicyDocument: JSON.stringify(allow(Array.from({ length: 400 }, (_, i) => `s3:GetObject${i}`))) },
      'LimitExceededException',
      'Cannot exceed quota for PolicySize: 6144',
    ],
    ['a reserved tag key', { PolicyName: 'aws-tag', PolicyDocument: doc(), Tags: [{ Key: 'aws:x', Value: 'y' }] }, 'InvalidInputException', undefined],
    ['an invalid name', { PolicyName: 'has space', PolicyDocument: doc() }, 'ValidationError', undefined],
  ])('CreatePolicy refuses %s', async (_, input, name, message) => {
    const err = await iam.send(new CreatePolicyCommand(input)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name });
    if (message) expect((err as Error).message).toBe(message);
  });

  test('concurrent CreatePolicy calls with one name: one wins, the others are EntityAlreadyExists', async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => iam.send(new CreatePolicyCommand({ PolicyName: i % 2 ? 'Racer' : 'racer', PolicyDocument: doc() }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'EntityAlreadyExistsException' });
  });

  test('whitespace does not count towards the size quota', async () => {
    const padded = JSON.stringify(allow('s3:GetObject'), null, 2) + ' '.repeat(7000);
    await expect(createPolicy('padded', { document: padded })).resolves.toBe(arnOf('padded'));
  });

  test.each([
    ['an unknown policy', () => arnOf('Nope'), 'NoSuchEntityException', () => `Policy ${arnOf('Nope')} does not exist or is not attachable.`],
    ['a path that does not match', () => arnOf('Reader', '/other/'), 'NoSuchEntityException', undefined],
    ['an ARN that is not a policy ARN', () => `arn:aws:iam::${acct}:user/Reader`, 'InvalidInputException', () => `ARN arn:aws:iam::${acct}:user/Reader is not valid.`],
  ])('GetPolicy of %s', async (_, arn, name, message) => {
    const err = await iam.send(new GetPolicyCommand({ PolicyArn: arn() })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name });
    if (message) expect((err as Error).message).toBe(message());
  });

  test("another account's policy is not reachable", async () => {
    const other = await svc.newAccount();
    const err = await svc
      .iam({ accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey })
      .send(new GetPolicyCommand({ PolicyArn: arnOf('Reader', '/team/') }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('ListPolicies', () => {
  beforeAll(async () => {
    for (const n of ['lp-a', 'lp-b', 'lp-c', 'lp-d']) await createPolicy(n, { path: '/list/' });
    await iam.send(new CreateUserCommand({ UserName: 'lp-user', PermissionsBoundary: arnOf('lp-c', '/list/') }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'lp-user', PolicyArn: arnOf('lp-b', '/list/') }));
  });

  const names = async (input: ConstructorParameters<typeof ListPoliciesCommand>[0]) =>
    (await iam.send(new ListPoliciesCommand({ PathPrefix: '/list/', ...input }))).Policies?.map((p) => p.PolicyName);

  test.each([
    ['no filter', {}, ['lp-a', 'lp-b', 'lp-c', 'lp-d']],
    ['Scope=Local', { Scope: 'Local' as const }, ['lp-a', 'lp-b', 'lp-c', 'lp-d']],
    ['Scope=All', { Scope: 'All' as const }, ['lp-a', 'lp-b', 'lp-c', 'lp-d']],
    ['Scope=AWS (no AWS managed policy lives under /list/)', { Scope: 'AWS' as const }, []],
    ['OnlyAttached', { OnlyAttached: true }, ['lp-b']],
    ['PolicyUsageFilter=PermissionsBoundary', { PolicyUsageFilter: 'PermissionsBoundary' as const }, ['lp-c']],
    ['PolicyUsageFilter=PermissionsPolicy', { PolicyUsageFilter: 'PermissionsPolicy' as const }, ['lp-a', 'lp-b', 'lp-c', 'lp-d']],
    ['PolicyUsageFilter=PermissionsPolicy with OnlyAttached', { PolicyUsageFilter: 'PermissionsPolicy' as const, OnlyAttached: true }, ['lp-b']],
  ])('%s', async (_, input, expected) => {
    expect(await names(input)).toEqual(expected);
  });

  test('PathPrefix filters by path; results omit tags and description', async () => {
    const all = await iam.send(new ListPoliciesCommand({}));
    expect(all.Policies?.map((p) => p.PolicyName)).toEqual(expect.arrayContaining(['Reader', 'lp-a']));
    const team = await iam.send(new ListPoliciesCommand({ PathPrefix: '/team/' }));
    expect(team.Policies?.map((p) => p.PolicyName)).toEqual(['Reader']);
    expect(team.Policies?.[0]?.Tags).toBeUndefined();
    expect(team.Policies?.[0]?.Description).toBeUndefined();
  });

  test('counts attachments and boundary uses', async () => {
    const list = await iam.send(new ListPoliciesCommand({ PathPrefix: '/list/' }));
    const byName = new Map(list.Policies?.map((p) => [p.PolicyName, p]));
    expect(byName.get('lp-b')).toMatchObject({ AttachmentCount: 1, PermissionsBoundaryUsageCount: 0 });
    expect(byName.get('lp-c')).toMatchObject({ AttachmentCount: 0, PermissionsBoundaryUsageCount: 1 });
  });

  test('paginates with MaxItems and Marker', async () => {
    const first = await iam.send(new ListPoliciesCommand({ PathPrefix: '/list/', MaxItems: 3 }));
    expect(first.Policies?.map((p) => p.PolicyName)).toEqual(['lp-a', 'lp-b', 'lp-c']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListPoliciesCommand({ PathPrefix: '/list/', MaxItems: 3, Marker: first.Marker }));
    expect(second.Policies?.map((p) => p.PolicyName)).toEqual(['lp-d']);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
  });

  test('a marker we did not issue is InvalidInput', async () => {
    await expect(iam.send(new ListPoliciesCommand({ Marker: 'bogus' }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('DeletePolicy', () => {
  test('deletes an unused policy; its name can be used again', async () => {
    const arn = await createPolicy('short-lived', { path: '/del/' });
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await createPolicy('short-lived', { path: '/del/' });
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags).toEqual([]);
  });

  test('refuses while attached, then succeeds once detached', async () => {
    const arn = await createPolicy('attached-del');
    await iam.send(new CreateUserCommand({ UserName: 'del-user' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'del-user', PolicyArn: arn }));
    const err = await iam.send(new DeletePolicyCommand({ PolicyArn: arn })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DeleteConflictException', message: 'Cannot delete a policy attached to entities.' });
    await iam.send(new DetachUserPolicyCommand({ UserName: 'del-user', PolicyArn: arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  });

  test('refuses while it is a permissions boundary', async () => {
    const arn = await createPolicy('boundary-del');
    await iam.send(new CreateUserCommand({ UserName: 'bounded-del', PermissionsBoundary: arn }));
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete a policy attached to entities.',
    });
  });

  test('refuses while it has versions besides the default', async () => {
    const arn = await createPolicy('versioned-del');
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:PutObject') }));
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  });

  test('of an unknown policy is NoSuchEntity, in AWS\'s own wording for DeletePolicy', async () => {
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arnOf('never-was') }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `Policy ${arnOf('never-was')} was not found.`,
    });
  });
});

describe('policy tags', () => {
  test('TagPolicy adds and overwrites case-insensitively, UntagPolicy removes, ListPolicyTags pages', async () => {
    const arn = await createPolicy('tagged', { document: doc() });
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'b', Value: '1' }, { Key: 'a', Value: '2' }, { Key: 'c', Value: '3' }] }));
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'B', Value: 'again' }] }));
    const first = await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn, MaxItems: 2 }));
    expect(first.Tags).toEqual([{ Key: 'a', Value: '2' }, { Key: 'B', Value: 'again' }]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn, MaxItems: 2, Marker: first.Marker }));
    expect(second.Tags).toEqual([{ Key: 'c', Value: '3' }]);
    await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ['A', 'missing'] }));
    const after = await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }));
    expect(after.Tags?.map((t) => t.Key)).toEqual(['B', 'c']);
  });

  test('more than 50 tags in all is LimitExceeded', async () => {
    const arn = await createPolicy('many-tags');
    const tags = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: tags(0, 40) }));
    await expect(iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: tags(40, 11) }))).rejects.toMatchObject({ name: 'LimitExceededException' });
    // The failed call changed nothing (one transaction).
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags).toHaveLength(40);
  });

  test.each([
    ['TagPolicy', () => new TagPolicyCommand({ PolicyArn: arnOf('untagged-nope'), Tags: [{ Key: 'a', Value: 'b' }] })],
    ['UntagPolicy', () => new UntagPolicyCommand({ PolicyArn: arnOf('untagged-nope'), TagKeys: ['a'] })],
    ['ListPolicyTags', () => new ListPolicyTagsCommand({ PolicyArn: arnOf('untagged-nope') })],
  ])('%s of an unknown policy is NoSuchEntity', async (_, command) => {
    await expect(iam.send(command() as TagPolicyCommand)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('authorization', () => {
  test('a user allowed GetPolicy on one policy may read it and is denied another', async () => {
    const mine = await createPolicy('readable');
    const creds = await userWithManagedPolicy('policy-reader', allow('iam:GetPolicy', mine));
    const client = svc.iam(creds);
    expect((await client.send(new GetPolicyCommand({ PolicyArn: mine }))).Policy?.PolicyName).toBe('readable');
    const other = arnOf('Reader', '/team/');
    await expect(client.send(new GetPolicyCommand({ PolicyArn: other }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/policy-reader is not authorized to perform: iam:GetPolicy on resource: ${other} because no identity-based policy allows the iam:GetPolicy action`,
    });
  });

  test('CreatePolicy is authorized on the new ARN with the request tags', async () => {
    const creds = await userWithManagedPolicy('policy-maker', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:CreatePolicy', Resource: `arn:aws:iam::${acct}:policy/made/*`, Condition: { StringEquals: { 'aws:RequestTag/team': 'core' } } }],
    });
    const client = svc.iam(creds);
    const ok = await client.send(new CreatePolicyCommand({ PolicyName: 'made1', Path: '/made/', PolicyDocument: doc(), Tags: [{ Key: 'team', Value: 'core' }] }));
    expect(ok.Policy?.Arn).toBe(arnOf('made1', '/made/'));
    await expect(client.send(new CreatePolicyCommand({ PolicyName: 'made2', Path: '/made/', PolicyDocument: doc() }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/policy-maker is not authorized to perform: iam:CreatePolicy on resource: ${arnOf('made2', '/made/')} because no identity-based policy allows the iam:CreatePolicy action`,
    });
  });

  test('an IAM user allowed iam:GetPolicy reads an AWS managed policy; one AWS does not have is NoSuchEntity', async () => {
    const creds = await userWithManagedPolicy('aws-policy-reader', allow('iam:GetPolicy'));
    const { Policy } = await svc.iam(creds).send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    expect(Policy).toMatchObject({ PolicyName: 'ReadOnlyAccess', Path: '/', IsAttachable: true });
    await expect(svc.iam(creds).send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NoSuchAwsPolicy' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'Policy arn:aws:iam::aws:policy/NoSuchAwsPolicy does not exist or is not attachable.',
    });
  });

  test('ListPolicies is authorized on *', async () => {
    const creds = await userWithManagedPolicy('policy-lister', allow('iam:GetPolicy'));
    await expect(svc.iam(creds).send(new ListPoliciesCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/policy-lister is not authorized to perform: iam:ListPolicies on resource: * because no identity-based policy allows the iam:ListPolicies action`,
    });
  });
});

describe('aws:ResourceTag: the policy’s own tags', () => {
  // AWS's `policy` resource type has aws:ResourceTag/${TagKey} (not iam:ResourceTag, which only
  // users and roles have): a policy can allow reading or tagging only policies tagged team=x.
  const teamX = (actions: string[], key = 'aws:ResourceTag/team') => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: '*', Condition: { StringEquals: { [key]: 'x' } } }],
  });
  const deniedOn = (user: string, action: string, resource: string) =>
    `User: arn:aws:iam::${acct}:user/${user} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

  test('reads of a policy tagged team=x are allowed; of one tagged team=y denied with AWS message', async () => {
    const reads = ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyTags', 'iam:ListEntitiesForPolicy'];
    const client = svc.iam(await userWithManagedPolicy('prt-reader', teamX(reads)));
    const x = await createPolicy('prt-x');
    await iam.send(new TagPolicyCommand({ PolicyArn: x, Tags: [{ Key: 'team', Value: 'x' }] }));
    const y = await createPolicy('prt-y');
    await iam.send(new TagPolicyCommand({ PolicyArn: y, Tags: [{ Key: 'team', Value: 'y' }] }));
    expect((await client.send(new GetPolicyCommand({ PolicyArn: x }))).Policy?.PolicyName).toBe('prt-x');
    expect((await client.send(new GetPolicyVersionCommand({ PolicyArn: x, VersionId: 'v1' }))).PolicyVersion?.VersionId).toBe('v1');
    expect((await client.send(new ListPolicyTagsCommand({ PolicyArn: x }))).Tags).toEqual([{ Key: 'team', Value: 'x' }]);
    expect((await client.send(new ListEntitiesForPolicyCommand({ PolicyArn: x }))).PolicyUsers).toEqual([]);
    await expect(client.send(new GetPolicyCommand({ PolicyArn: y }))).rejects.toMatchObject({ name: 'AccessDenied', message: deniedOn('prt-reader', 'iam:GetPolicy', y) });
    await expect(client.send(new ListPolicyTagsCommand({ PolicyArn: y }))).rejects.toMatchObject({ name: 'AccessDenied', message: deniedOn('prt-reader', 'iam:ListPolicyTags', y) });
    // A policy that does not exist has no tags: the caller is denied before NoSuchEntity.
    await expect(client.send(new GetPolicyCommand({ PolicyArn: arnOf('prt-none') }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('only aws:ResourceTag, not iam:ResourceTag, describes a policy', async () => {
    const client = svc.iam(await userWithManagedPolicy('prt-iam-key', teamX(['iam:GetPolicy'], 'iam:ResourceTag/team')));
    const x = await createPolicy('prt-iam-x');
    await iam.send(new TagPolicyCommand({ PolicyArn: x, Tags: [{ Key: 'team', Value: 'x' }] }));
    await expect(client.send(new GetPolicyCommand({ PolicyArn: x }))).rejects.toMatchObject({ name: 'AccessDenied', message: deniedOn('prt-iam-key', 'iam:GetPolicy', x) });
  });

  test('TagPolicy, UntagPolicy and DeletePolicy are judged on the tags the policy has before the call', async () => {
    const client = svc.iam(await userWithManagedPolicy('prt-tagger', teamX(['iam:TagPolicy', 'iam:UntagPolicy', 'iam:DeletePolicy'])));
    const moving = await createPolicy('prt-moving');
    await iam.send(new TagPolicyCommand({ PolicyArn: moving, Tags: [{ Key: 'team', Value: 'x' }] }));
    await client.send(new UntagPolicyCommand({ PolicyArn: moving, TagKeys: ['other'] }));
    // Team x may give its policy away (the new value is aws:RequestTag), and has then lost it.
    await client.send(new TagPolicyCommand({ PolicyArn: moving, Tags: [{ Key: 'team', Value: 'y' }] }));
    await expect(client.send(new TagPolicyCommand({ PolicyArn: moving, Tags: [{ Key: 'team', Value: 'x' }] }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: deniedOn('prt-tagger', 'iam:TagPolicy', moving),
    });
    await expect(client.send(new UntagPolicyCommand({ PolicyArn: moving, TagKeys: ['team'] }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(client.send(new DeletePolicyCommand({ PolicyArn: moving }))).rejects.toMatchObject({ name: 'AccessDenied', message: deniedOn('prt-tagger', 'iam:DeletePolicy', moving) });
    const mine = await createPolicy('prt-mine');
    await iam.send(new TagPolicyCommand({ PolicyArn: mine, Tags: [{ Key: 'team', Value: 'x' }] }));
    await client.send(new DeletePolicyCommand({ PolicyArn: mine }));
  });
});
