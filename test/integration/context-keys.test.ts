/**
 * GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy through the real SDK: every
 * condition key and policy variable the documents use, once each, and AWS's errors.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForPrincipalPolicy.html
 */
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  PutGroupPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;

async function putInline(kind: 'user' | 'group', owner: string, name: string, document: string): Promise<void> {
  if (kind === 'user') await iam.send(new PutUserPolicyCommand({ UserName: owner, PolicyName: name, PolicyDocument: document }));
  else await iam.send(new PutGroupPolicyCommand({ GroupName: owner, PolicyName: name, PolicyDocument: document }));
}

async function createUser(name: string): Promise<string> {
  const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
  if (!User?.Arn) throw new Error('CreateUser returned no user');
  return User.Arn;
}

async function keyFor(user: string): Promise<Credentials> {
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** Home-folder access: a variable in Resource and in a condition value, and a date condition. */
const HOME = policy(
  { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' },
  { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::home', Condition: { StringLike: { 's3:prefix': '${aws:username}/*' } } },
  { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } },
);

let saanviArn: string;
let nobody: Credentials;
let nobodyArn: string;

useService(async (s) => {
  ({ svc, iam, acct } = s);

  saanviArn = await createUser('saanvi');
  await putInline('user', 'saanvi', 'Home', HOME);
  await iam.send(new CreateGroupCommand({ GroupName: 'secure' }));
  await putInline('group', 'secure', 'NeedsMfa', policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'secure', UserName: 'saanvi' }));
  const { Policy } = await iam.send(
    new CreatePolicyCommand({ PolicyName: 'OfficeOnly', PolicyDocument: policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }) }),
  );
  await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'saanvi', PermissionsBoundary: Policy?.Arn ?? '' }));

  nobodyArn = await createUser('nobody');
  nobody = await keyFor('nobody');
});

describe('GetContextKeysForCustomPolicy', () => {
  test.each([
    { name: 'variables in Resource and condition values, and condition keys, once each', docs: [HOME], keys: ['aws:username', 's3:prefix', 'aws:CurrentTime'] },
    {
      name: 'keys are case-insensitive: the first spelling is kept, across documents',
      docs: [HOME, policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'AWS:UserName': 'x', 'aws:PrincipalTag/team': 'core' } } })],
      keys: ['aws:username', 's3:prefix', 'aws:CurrentTime', 'aws:PrincipalTag/team'],
    },
    {
      name: 'a variable fallback and a Null condition still name their keys',
      docs: [policy({ Effect: 'Allow', Action: '*', Resource: "arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}", Condition: { Null: { 'aws:TokenIssueTime': 'true' } } })],
      keys: ['aws:PrincipalTag/team', 'aws:TokenIssueTime'],
    },
    {
      name: 'in a 2008-10-17 document ${…} is literal text, not a variable',
      docs: [JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:username}' }] })],
      keys: [],
    },
    { name: 'escapes are not variables', docs: [policy({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${*}' })], keys: [] },
    {
      name: 'a resource-based policy is read too',
      docs: [policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } })],
      keys: ['aws:SourceVpce'],
    },
  ])('$name', async ({ docs, keys }) => {
    const out = await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: docs }));
    expect(out.ContextKeyNames ?? []).toEqual(keys);
  });

  test('a malformed document is InvalidInput', async () => {
    const err = await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [HOME, '{"Statement":'] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidInputException', message: expect.stringMatching(/^PolicyInputList\.2 /) });
  });

  test('an IAM user needs iam:GetContextKeysForCustomPolicy on *', async () => {
    const err = await svc.iam(nobody).send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [HOME] })).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message: `User: ${nobodyArn} is not authorized to perform: iam:GetContextKeysForCustomPolicy on resource: * because no identity-based policy allows the iam:GetContextKeysForCustomPolicy action`,
    });
  });
});

describe('GetContextKeysForPrincipalPolicy', () => {
  test("a user's own, group and boundary policies, then those given as input", async () => {
    const out = await iam.send(
      new GetContextKeysForPrincipalPolicyCommand({
        PolicySourceArn: saanviArn,
        PolicyInputList: [policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1', 'aws:username': 'x' } } })],
      }),
    );
    expect(out.ContextKeyNames).toEqual(['aws:username', 's3:prefix', 'aws:CurrentTime', 'aws:MultiFactorAuthPresent', 'aws:SourceIp', 'aws:RequestedRegion']);
  });

  test('a group is a policy source too', async () => {
    const out = await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${acct}:group/secure` }));
    expect(out.ContextKeyNames).toEqual(['aws:MultiFactorAuthPresent']);
  });

  test.each([
    ['an unknown user', () => `arn:aws:iam::${acct}:user/ghost`, 'NoSuchEntityException', 'The user with name ghost cannot be found.'],
    // Root may act on its own account's resources only: the pipeline refuses before the lookup.
    ['a user of another account', () => 'arn:aws:iam::111122223333:user/saanvi', 'AccessDenied', undefined],
    ['a policy ARN', () => `arn:aws:iam::${acct}:policy/OfficeOnly`, 'InvalidInputException', undefined],
  ])('PolicySourceArn naming %s is refused', async (_, arn, name, message) => {
    const err = await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: arn() })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name, ...(message ? { message } : {}) });
  });

  test('a malformed input document is InvalidInput', async () => {
    await expect(iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: saanviArn, PolicyInputList: ['nope'] }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
  });

  test('an IAM user needs iam:GetContextKeysForPrincipalPolicy on the policy source', async () => {
    const err = await svc.iam(nobody).send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: saanviArn })).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message: `User: ${nobodyArn} is not authorized to perform: iam:GetContextKeysForPrincipalPolicy on resource: ${saanviArn} because no identity-based policy allows the iam:GetContextKeysForPrincipalPolicy action`,
    });
    await putInline('user', 'nobody', 'MayList', JSON.stringify(allow('iam:GetContextKeysForPrincipalPolicy', saanviArn)));
    const out = await svc.iam(nobody).send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: saanviArn }));
    expect(out.ContextKeyNames).toContain('aws:SourceIp');
  });
});
