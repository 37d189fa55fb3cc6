/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy through the real SDK: decisions, the
 * statements that decided them (with their place in the document), permissions boundaries,
 * missing context values, every ContextKeyType, resource policies, pagination, AWS's errors, and
 * authorization of the caller.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type SimulateCustomPolicyCommandInput,
  type SimulatePrincipalPolicyCommandInput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;

async function putInline(kind: 'user' | 'group' | 'role', owner: string, name: string, document: string): Promise<void> {
  if (kind === 'user') await iam.send(new PutUserPolicyCommand({ UserName: owner, PolicyName: name, PolicyDocument: document }));
  if (kind === 'group') await iam.send(new PutGroupPolicyCommand({ GroupName: owner, PolicyName: name, PolicyDocument: document }));
  if (kind === 'role') await iam.send(new PutRolePolicyCommand({ RoleName: owner, PolicyName: name, PolicyDocument: document }));
}

async function createUser(name: string, path = '/'): Promise<string> {
  const { User } = await iam.send(new CreateUserCommand({ UserName: name, Path: path }));
  if (!User?.Arn) throw new Error('CreateUser returned no user');
  return User.Arn;
}

async function createPolicy(name: string, document: string): Promise<string> {
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }));
  if (!Policy?.Arn) throw new Error('CreatePolicy returned no policy');
  return Policy.Arn;
}

async function keyFor(user: string): Promise<Credentials> {
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

/** Alice's inline policy, pretty-printed so that statement positions span lines. */
const ALICE_DOC = [
  '{',
  '  "Version": "2012-10-17",',
  '  "Statement": [',
  '    {',
  '      "Sid": "Read",',
  '      "Effect": "Allow",',
  '      "Action": "s3:GetObject",',
  '      "Resource": "arn:aws:s3:::bucket/*"',
  '    },',
  '    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}',
  '  ]',
  '}',
].join('\n');

const LOGS_DOC = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } }],
});
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let aliceArn: string;
let boundedArn: string;
let simulator: Credentials;
let nobody: Credentials;
let nobodyArn: string;

useService(async (s) => {
  ({ svc, iam, acct } = s);

  aliceArn = await createUser('alice', '/eng/');
  await putInline('user', 'alice', 'AliceInline', ALICE_DOC);
  await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
  await putInline('group', 'devs', 'DevsRead', JSON.stringify(allow('dynamodb:GetItem')));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'alice' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: await createPolicy('LogsAfter2020', LOGS_DOC) }));

  await iam.send(new CreateRoleCommand({ RoleName: 'app', Path: '/svc/', AssumeRolePolicyDocument: TRUST }));
  await putInline('role', 'app', 'AppInline', JSON.stringify(allow('sqs:SendMessage')));

  boundedArn = await createUser('bounded');
  await putInline('user', 'bounded', 'Broad', JSON.stringify(allow(['s3:*', 'ec2:*'])));
  const s3Only = await createPolicy('S3Only', JSON.stringify(allow('s3:*')));
  await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: s3Only }));

  await createUser('simulator');
  await putInline(
    'user',
    'simulator',
    'CanSimulate',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: aliceArn },
        { Effect: 'Allow', Action: 'iam:SimulateCustomPolicy', Resource: '*' },
      ],
    }),
  );
  simulator = await keyFor('simulator');
  nobodyArn = await createUser('nobody');
  nobody = await keyFor('nobody');
});

const principal = (input: SimulatePrincipalPolicyCommandInput, client = iam) => client.send(new SimulatePrincipalPolicyCommand(input));
const custom = (input: SimulateCustomPolicyCommandInput, client = iam) => client.send(new SimulateCustomPolicyCommand(input));

describe('SimulatePrincipalPolicy', () => {
  test('allowed, explicitDeny and implicitDeny, with the deciding statements and their positions', async () => {
    const out = await principal({ PolicySourceArn: aliceArn, ActionNames: ['s3:GetObject', 's3:DeleteObject', 'iam:CreateUser'], ResourceArns: ['arn:aws:s3:::bucket/key'] });
    expect(out.IsTruncated).toBe(false);
    const [get, del, create] = out.EvaluationResults ?? [];
    expect(get).toMatchObject({
      EvalActionName: 's3:GetObject',
      EvalResourceName: 'arn:aws:s3:::bucket/key',
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'AliceInline', SourcePolicyType: 'user', StartPosition: { Line: 4, Column: 5 }, EndPosition: { Line: 9, Column: 5 } }],
      MissingContextValues: [],
      // Same account with a named resource: present and empty.
      EvalDecisionDetails: {},
      ResourceSpecificResults: [{ EvalResourceName: 'arn:aws:s3:::bucket/key', EvalResourceDecision: 'allowed', MissingContextValues: [] }],
    });
    expect(del).toMatchObject({
      EvalDecision: 'explicitDeny',
      MatchedStatements: [{ SourcePolicyId: 'AliceInline', SourcePolicyType: 'user', StartPosition: { Line: 10, Column: 5 }, EndPosition: { Line: 10, Column: 87 } }],
    });
    expect(create).toMatchObject({ EvalDecision: 'implicitDeny', MatchedStatements: [] });
    expect(get?.PermissionsBoundaryDecisionDetail).toBeUndefined();
    expect(get?.OrganizationsDecisionDetail).toBeUndefined();
  });

  test("a user's group policies and attached managed policies are simulated too", async () => {
    const out = await principal({
      PolicySourceArn: aliceArn,
      ActionNames: ['dynamodb:GetItem', 'logs:GetLogEvents'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyType: 'date', ContextKeyValues: ['2024-06-01T00:00:00Z'] }],
    });
    const [dynamo, logs] = out.EvaluationResults ?? [];
    expect(dynamo).toMatchObject({ EvalDecision: 'allowed', EvalResourceName: '*', MatchedStatements: [{ SourcePolicyId: 'DevsRead', SourcePolicyType: 'group' }] });
    expect(logs).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'LogsAfter2020', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 } }] });
    // With all resources (`*`), AWS returns no EvalDecisionDetails and no ResourceSpecificResults.
    expect(dynamo?.EvalDecisionDetails).toBeUndefined();
    expect(dynamo?.ResourceSpecificResults).toBeUndefined();
  });

  test('global context keys are not filled in: a condition on one the caller did not supply is reported missing', async () => {
    const star = await principal({ PolicySourceArn: aliceArn, ActionNames: ['logs:GetLogEvents'] });
    expect(star.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'implicitDeny', MissingContextValues: ['aws:CurrentTime'] });
    // With named resources AWS reports the missing keys in ResourceSpecificResults instead.
    const named = await principal({ PolicySourceArn: aliceArn, ActionNames: ['logs:GetLogEvents'], ResourceArns: ['arn:aws:logs:us-east-1:111122223333:log-group:g'] });
    expect(named.EvaluationResults?.[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      MissingContextValues: [],
      ResourceSpecificResults: [{ EvalResourceDecision: 'implicitDeny', MissingContextValues: ['aws:CurrentTime'] }],
    });
  });

  test('PolicyInputList adds policies to the principal\'s own', async () => {
    const extra = JSON.stringify(allow('iam:CreateUser'));
    const out = await principal({ PolicySourceArn: aliceArn, ActionNames: ['iam:CreateUser', 's3:DeleteObject'], PolicyInputList: [extra, JSON.stringify(allow('s3:*'))] });
    const [create, del] = out.EvaluationResults ?? [];
    expect(create).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none', StartPosition: { Line: 1, Column: 38 } }] });
    // Alice's own Deny still wins over an allow given as input.
    expect(del).toMatchObject({ EvalDecision: 'explicitDeny', MatchedStatements: [{ SourcePolicyId: 'AliceInline' }] });
  });

  test('a permissions boundary limits the result and is reported in PermissionsBoundaryDecisionDetail', async () => {
    const out = await principal({ PolicySourceArn: boundedArn, ActionNames: ['s3:GetObject', 'ec2:RunInstances'] });
    const [s3, ec2] = out.EvaluationResults ?? [];
    expect(s3).toMatchObject({ EvalDecision: 'allowed', PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true } });
    expect(s3?.MatchedStatements?.map((m) => m.SourcePolicyId).sort()).toEqual(['Broad', 'S3Only']);
    expect(ec2).toMatchObject({ EvalDecision: 'implicitDeny', PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false } });
  });

  test('PermissionsBoundaryPolicyInputList replaces the stored boundary; only one may be given', async () => {
    const out = await principal({ PolicySourceArn: boundedArn, ActionNames: ['s3:GetObject', 'ec2:RunInstances'], PermissionsBoundaryPolicyInputList: [JSON.stringify(allow('ec2:*'))] });
    expect(out.EvaluationResults?.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary])).toEqual([
      ['implicitDeny', false],
      ['allowed', true],
    ]);
    expect(out.EvaluationResults?.[1]?.MatchedStatements).toContainEqual(expect.objectContaining({ SourcePolicyId: 'PermissionsBoundaryPolicyInputList.1' }));
    await expect(
      principal({ PolicySourceArn: boundedArn, ActionNames: ['s3:GetObject'], PermissionsBoundaryPolicyInputList: [JSON.stringify(allow('s3:*')), JSON.stringify(allow('ec2:*'))] }),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('a group or a role can be the policy source', async () => {
    const group = await principal({ PolicySourceArn: `arn:aws:iam::${acct}:group/devs`, ActionNames: ['dynamodb:GetItem', 's3:GetObject'] });
    expect(group.EvaluationResults?.map((r) => r.EvalDecision)).toEqual(['allowed', 'implicitDeny']);
    const role = await principal({ PolicySourceArn: `arn:aws:iam::${acct}:role/svc/app`, ActionNames: ['sqs:SendMessage'] });
    expect(role.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'AppInline', SourcePolicyType: 'role' }] });
  });

  test('MaxItems and Marker page through ActionNames × ResourceArns', async () => {
    const input = { PolicySourceArn: aliceArn, ActionNames: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], ResourceArns: ['arn:aws:s3:::bucket/a', 'arn:aws:s3:::other/b'] };
    const first = await principal({ ...input, MaxItems: 4 });
    expect(first.IsTruncated).toBe(true);
    expect(first.EvaluationResults?.map((r) => `${r.EvalActionName} ${r.EvalResourceName}`)).toEqual([
      's3:GetObject arn:aws:s3:::bucket/a',
      's3:GetObject arn:aws:s3:::other/b',
      's3:PutObject arn:aws:s3:::bucket/a',
      's3:PutObject arn:aws:s3:::other/b',
    ]);
    const second = await principal({ ...input, MaxItems: 4, Marker: first.Marker });
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
    expect(second.EvaluationResults?.map((r) => [r.EvalResourceName, r.EvalDecision])).toEqual([
      ['arn:aws:s3:::bucket/a', 'explicitDeny'],
      ['arn:aws:s3:::other/b', 'explicitDeny'],
    ]);
    await expect(principal({ ...input, Marker: 'not-ours' })).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test.each([
    ['a user that does not exist', () => `arn:aws:iam::${acct}:user/ghost`, 'NoSuchEntityException', 'The user with name ghost cannot be found.'],
    ['a role that does not exist', () => `arn:aws:iam::${acct}:role/ghost`, 'NoSuchEntityException', 'The role with name ghost cannot be found.'],
    ['a group that does not exist', () => `arn:aws:iam::${acct}:group/ghost`, 'NoSuchEntityException', 'The group with name ghost cannot be found.'],
    ['the right name with the wrong path', () => `arn:aws:iam::${acct}:user/alice`, 'NoSuchEntityException', 'The user with name alice cannot be found.'],
    ['a policy ARN', () => `arn:aws:iam::${acct}:policy/S3Only`, 'InvalidInputException', undefined],
    ['not an ARN', () => 'this-is-not-an-arn-at-all', 'InvalidInputException', undefined],
  ])('PolicySourceArn naming %s is refused', async (_, arn, name, message) => {
    const err = await principal({ PolicySourceArn: arn(), ActionNames: ['s3:GetObject'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name, ...(message ? { message } : {}) });
  });

  test.each([
    ['a malformed document in PolicyInputList', { PolicyInputList: ['{"Version":"2012-10-17","Statement":['] }],
    ['a resource-based policy in PolicyInputList', { PolicyInputList: [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] })] }],
    ['an action without a service', { ActionNames: ['GetObject'] }],
    ['a CallerArn that is not a user', { CallerArn: `arn:aws:iam::${'1'.repeat(12)}:role/r` }],
    ['a ResourceOwner that is not an account', { ResourceOwner: 'someone' }],
    ['a string context entry with two values', { ContextEntries: [{ ContextKeyName: 'aws:username', ContextKeyType: 'string', ContextKeyValues: ['a', 'b'] }] }],
  ] satisfies [string, Partial<SimulatePrincipalPolicyCommandInput>][])('%s is InvalidInput', async (_, extra) => {
    await expect(principal({ PolicySourceArn: aliceArn, ActionNames: ['s3:GetObject'], ...extra })).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('an IAM user needs iam:SimulatePrincipalPolicy on the policy source', async () => {
    const allowed = await principal({ PolicySourceArn: aliceArn, ActionNames: ['dynamodb:GetItem'] }, svc.iam(simulator));
    expect(allowed.EvaluationResults?.[0]?.EvalDecision).toBe('allowed');
    const err = await principal({ PolicySourceArn: aliceArn, ActionNames: ['s3:GetObject'] }, svc.iam(nobody)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message: `User: ${nobodyArn} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${aliceArn} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
    });
    // The simulator user may simulate alice, not bounded.
    await expect(principal({ PolicySourceArn: boundedArn, ActionNames: ['s3:GetObject'] }, svc.iam(simulator))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('SimulateCustomPolicy', () => {
  /** AWS's published example: a DynamoDB policy that applies only after a date. */
  const DATED = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
  const at = (date: string): ContextEntry[] => [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: [date], ContextKeyType: 'date' }];

  test("AWS's example: allowed after the date, implicitly denied before it", async () => {
    const after = await custom({ PolicyInputList: [DATED], ActionNames: ['dynamodb:CreateBackup'], ContextEntries: at('2019-04-25T11:00:00Z') });
    expect(after.EvaluationResults).toEqual([
      {
        EvalActionName: 'dynamodb:CreateBackup',
        EvalResourceName: '*',
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none', StartPosition: { Line: 1, Column: 37 }, EndPosition: { Line: 1, Column: 166 } }],
        MissingContextValues: [],
      },
    ]);
    const before = await custom({ PolicyInputList: [DATED], ActionNames: ['dynamodb:CreateBackup'], ContextEntries: at('2014-04-25T11:00:00Z') });
    expect(before.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'implicitDeny', MatchedStatements: [], MissingContextValues: [] });
  });

  const cond = (operator: string, key: string, value: string | string[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { [operator]: { [key]: value } } }] });

  test.each([
    { type: 'string', operator: 'StringEquals', policy: 'alice', yes: ['alice'], no: ['bob'] },
    { type: 'stringList', operator: 'ForAnyValue:StringEquals', policy: 'b', yes: ['a', 'b'], no: ['a', 'c'] },
    { type: 'numeric', operator: 'NumericLessThan', policy: '10', yes: ['9.5'], no: ['10'] },
    { type: 'numericList', operator: 'ForAllValues:NumericLessThan', policy: '10', yes: ['1', '2'], no: ['1', '20'] },
    { type: 'boolean', operator: 'Bool', policy: 'true', yes: ['TRUE'], no: ['false'] },
    { type: 'booleanList', operator: 'ForAnyValue:Bool', policy: 'true', yes: ['false', 'true'], no: ['false'] },
    { type: 'ip', operator: 'IpAddress', policy: '203.0.113.0/24', yes: ['203.0.113.7'], no: ['198.51.100.7'] },
    { type: 'ipList', operator: 'ForAnyValue:IpAddress', policy: '2001:db8::/32', yes: ['198.51.100.7', '2001:db8::1'], no: ['198.51.100.7'] },
    { type: 'binary', operator: 'BinaryEquals', policy: 'QmluYXJ5', yes: ['QmluYXJ5'], no: ['T3RoZXI='] },
    { type: 'binaryList', operator: 'ForAnyValue:BinaryEquals', policy: 'QmluYXJ5', yes: ['T3RoZXI=', 'QmluYXJ5'], no: ['T3RoZXI='] },
    { type: 'date', operator: 'DateGreaterThan', policy: '2020-01-01T00:00:00Z', yes: ['2021-01-01T00:00:00Z'], no: ['1577836000'] },
    { type: 'dateList', operator: 'ForAllValues:DateGreaterThan', policy: '2020-01-01T00:00:00Z', yes: ['2021-01-01T00:00:00Z', '1700000000'], no: ['2021-01-01T00:00:00Z', '2019-01-01T00:00:00Z'] },
  ])('ContextKeyType $type reaches the condition as the engine expects it', async ({ type, operator, policy, yes, no }) => {
    const decide = async (values: string[]) => {
      const out = await custom({
        PolicyInputList: [cond(operator, 'test:key', policy)],
        ActionNames: ['s3:GetObject'],
        ContextEntries: [{ ContextKeyName: 'test:key', ContextKeyType: type as ContextEntry['ContextKeyType'], ContextKeyValues: values }],
      });
      return out.EvaluationResults?.[0]?.EvalDecision;
    };
    expect(await decide(yes)).toBe('allowed');
    expect(await decide(no)).toBe('implicitDeny');
  });

  test.each([
    ['numeric', 'ten'],
    ['boolean', 'yes'],
    ['ip', '300.1.1.1'],
    ['binary', 'not base64!'],
    ['date', 'yesterday'],
  ])('a %s context value %j that is not of its type is InvalidInput', async (type, value) => {
    await expect(
      custom({
        PolicyInputList: [JSON.stringify(allow('s3:GetObject'))],
        ActionNames: ['s3:GetObject'],
        ContextEntries: [{ ContextKeyName: 'test:key', ContextKeyType: type as ContextEntry['ContextKeyType'], ContextKeyValues: [value] }],
      }),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('a resource policy naming the simulated caller allows without any identity policy; another account is cross-account', async () => {
    const caller = `arn:aws:iam::${acct}:user/eng/alice`;
    const bucketPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: caller }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }] });
    const none = JSON.stringify(allow('sqs:SendMessage'));
    const same = await custom({ PolicyInputList: [none], ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::shared/k'], ResourcePolicy: bucketPolicy, CallerArn: caller });
    expect(same.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'allowed', EvalDecisionDetails: {}, MatchedStatements: [{ SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' }] });
    // Owned by another account: both sides must allow, and AWS summarises each side.
    const cross = await custom({
      PolicyInputList: [none],
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::shared/k'],
      ResourcePolicy: bucketPolicy,
      CallerArn: caller,
      ResourceOwner: 'arn:aws:iam::111122223333:root',
    });
    expect(cross.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'implicitDeny', EvalDecisionDetails: { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' } });
    // CallerArn is required with a ResourcePolicy, so that its Principal has someone to match.
    await expect(custom({ PolicyInputList: [none], ActionNames: ['s3:GetObject'], ResourcePolicy: bucketPolicy })).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('wildcards in action names are refused', async () => {
    await expect(custom({ PolicyInputList: [JSON.stringify(allow('s3:*'))], ActionNames: ['s3:*'] })).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('a malformed policy document is InvalidInput naming where it came from', async () => {
    const err = await custom({ PolicyInputList: [JSON.stringify(allow('s3:GetObject')), '{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}'], ActionNames: ['s3:GetObject'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'InvalidInputException', message: expect.stringMatching(/^PolicyInputList\.2 /) });
  });

  test('an IAM user needs iam:SimulateCustomPolicy on *', async () => {
    const input = { PolicyInputList: [JSON.stringify(allow('s3:GetObject'))], ActionNames: ['s3:GetObject'] };
    expect((await custom(input, svc.iam(simulator))).EvaluationResults?.[0]?.EvalDecision).toBe('allowed');
    const err = await custom(input, svc.iam(nobody)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message: `User: ${nobodyArn} is not authorized to perform: iam:SimulateCustomPolicy on resource: * because no identity-based policy allows the iam:SimulateCustomPolicy action`,
    });
  });
});
