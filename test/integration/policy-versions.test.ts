import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const doc = (action: string | string[] = 's3:GetObject') => JSON.stringify(allow(action));
const arnOf = (name: string) => `arn:aws:iam::${acct}:policy/${name}`;

async function createPolicy(name: string, document = doc()): Promise<string> {
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }));
  if (!Policy?.Arn) throw new Error('CreatePolicy returned no ARN');
  return Policy.Arn;
}

/** An IAM user with no policy yet, and an access key. */
async function userWithKey(name: string): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

const versionIds = async (arn: string) => (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions?.map((v) => v.VersionId);

describe('policy versions', () => {
  test('CreatePolicyVersion adds v2 (not default) and v3 (default); GetPolicyVersion returns the document', async () => {
    const arn = await createPolicy('versions');
    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:PutObject') }));
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    expect(v2.PolicyVersion?.Document).toBeUndefined();
    const v3 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:DeleteObject'), SetAsDefault: true }));
    expect(v3.PolicyVersion).toMatchObject({ VersionId: 'v3', IsDefaultVersion: true });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId).toBe('v3');

    const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    expect(got.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    // IAM returns documents URL-encoded (RFC 3986).
    expect(decodeURIComponent(got.PolicyVersion?.Document ?? '')).toBe(doc('s3:PutObject'));
    expect(got.PolicyVersion?.Document).not.toContain('{');
  });

  test('ListPolicyVersions lists newest first and paginates', async () => {
    const arn = await createPolicy('listed-versions');
    for (const a of ['s3:A', 's3:B']) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(a) }));
    const all = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(all.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([['v3', false], ['v2', false], ['v1', true]]);
    expect(all.Versions?.[0]?.Document).toBeUndefined();
    const first = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 2 }));
    expect(first.Versions?.map((v) => v.VersionId)).toEqual(['v3', 'v2']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 2, Marker: first.Marker }));
    expect(second.Versions?.map((v) => v.VersionId)).toEqual(['v1']);
    expect(second.IsTruncated).toBe(false);
  });

  test('at most five versions; version ids are never reused', async () => {
    const arn = await createPolicy('five');
    for (let i = 2; i <= 5; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`s3:Op${i}`) }));
    const err = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:Op6') })).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'LimitExceededException',
      message: 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    const next = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:Op6') }));
    expect(next.PolicyVersion?.VersionId).toBe('v6');
    expect(await versionIds(arn)).toEqual(['v6', 'v4', 'v3', 'v2', 'v1']);
  });

  test('concurrent CreatePolicyVersion calls still stop at five versions, with distinct ids', async () => {
    const arn = await createPolicy('racing-versions');
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`s3:Race${i}`) }))));
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.PolicyVersion?.VersionId] : []));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).name] : []));
    expect(ok.sort()).toEqual(['v2', 'v3', 'v4', 'v5']);
    expect(failed).toEqual(['LimitExceededException', 'LimitExceededException']);
  });

  test('DeletePolicyVersion refuses the default version', async () => {
    const arn = await createPolicy('keep-default');
    await expect(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete the default version of a policy.',
    });
  });

  test('SetDefaultPolicyVersion switches the default and updates UpdateDate', async () => {
    const arn = await createPolicy('switch');
    const before = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:PutObject') }));
    await new Promise((r) => setTimeout(r, 1100)); // UpdateDate has second precision on the wire
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    const after = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    expect(after?.DefaultVersionId).toBe('v2');
    expect(after?.CreateDate?.getTime()).toBe(before?.CreateDate?.getTime());
    expect(after?.UpdateDate?.getTime()).toBeGreaterThan(before?.UpdateDate?.getTime() ?? Number.POSITIVE_INFINITY);
    expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([['v2', true], ['v1', false]]);
    // The old default may go now.
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(await versionIds(arn)).toEqual(['v2']);
  });

  test.each([
    ['GetPolicyVersion', (arn: string) => new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })],
    ['DeletePolicyVersion', (arn: string) => new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })],
    ['SetDefaultPolicyVersion', (arn: string) => new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })],
  ])('%s of an unknown version is NoSuchEntity', async (_, command) => {
    const arn = arnOf('versions');
    await expect(iam.send(command(arn) as GetPolicyVersionCommand)).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `Policy ${arn} version v9 does not exist or is not attachable.`,
    });
  });

  test.each([
    ['CreatePolicyVersion', (arn: string) => new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc() })],
    ['GetPolicyVersion', (arn: string) => new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })],
    ['ListPolicyVersions', (arn: string) => new ListPolicyVersionsCommand({ PolicyArn: arn })],
    ['DeletePolicyVersion', (arn: string) => new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })],
    ['SetDefaultPolicyVersion', (arn: string) => new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })],
  ])('%s of an unknown policy is NoSuchEntity', async (_, command) => {
    const arn = arnOf('no-such-policy');
    await expect(iam.send(command(arn) as GetPolicyVersionCommand)).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `Policy ${arn} does not exist or is not attachable.`,
    });
  });

  test.each([
    ['a malformed document', '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}', 'MalformedPolicyDocumentException', undefined],
    ['an oversize document', doc(Array.from({ length: 400 }, (_, i) => `s3:GetObject${i}`)), 'LimitExceededException', 'Cannot exceed quota for PolicySize: 6144'],
  ])('CreatePolicyVersion refuses %s', async (_, document, name, message) => {
    const err = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arnOf('versions'), PolicyDocument: document })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name });
    if (message) expect((err as Error).message).toBe(message);
  });

  test('a version id outside the pattern is a ValidationError', async () => {
    await expect(iam.send(new GetPolicyVersionCommand({ PolicyArn: arnOf('versions'), VersionId: 'version1' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('authorization', () => {
  test('changing the default version changes what an attached user may do on the next request', async () => {
    const arn = await createPolicy('live', doc('iam:ListPolicies'));
    const creds = await userWithKey('live-user');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'live-user', PolicyArn: arn }));
    const user = svc.iam(creds);
    await user.send(new ListPoliciesCommand({}));

    // v2 (not default) changes nothing.
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('iam:GetPolicy') }));
    await user.send(new ListPoliciesCommand({}));
    await expect(user.send(new GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({ name: 'AccessDenied' });

    // Making v2 the default swaps the permissions at once (the compiled policies are dropped).
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    expect((await user.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId).toBe('v2');
    await expect(user.send(new ListPoliciesCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/live-user is not authorized to perform: iam:ListPolicies on resource: * because no identity-based policy allows the iam:ListPolicies action`,
    });

    // And a new default created with SetAsDefault does the same.
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(['iam:ListPolicies', 'iam:GetPolicy']), SetAsDefault: true }));
    await user.send(new ListPoliciesCommand({}));
  });

  test('version operations are authorized on the policy ARN', async () => {
    const arn = await createPolicy('guarded');
    const creds = await userWithKey('version-reader');
    const reader = await createPolicy('version-reader-policy', doc(['iam:GetPolicyVersion', 'iam:ListPolicyVersions']));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'version-reader', PolicyArn: reader }));
    const user = svc.iam(creds);
    expect((await user.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }))).PolicyVersion?.VersionId).toBe('v1');
    await expect(user.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc() }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/version-reader is not authorized to perform: iam:CreatePolicyVersion on resource: ${arn} because no identity-based policy allows the iam:CreatePolicyVersion action`,
    });
  });
});
