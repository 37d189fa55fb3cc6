/**
 * Result shapes and error texts as AWS recorded them. The expectations come from LocalStack's
 * AWS-validated snapshot files (tests/aws/services/iam/test_iam.snapshot.json and
 * tests/aws/services/sts/test_sts.snapshot.json), which are recordings of real AWS answers; each
 * test names the recording it follows.
 */
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeleteUserPermissionsBoundaryCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, test } from 'vitest';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';
import { failure } from '../helpers/outcome.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const LIST_FUNCTIONS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['lambda:ListFunctions'], Resource: ['*'] }] });


/** A user allowed sts:AssumeRole (root may not assume roles), made once. */
let assumer: Credentials | undefined;
async function assumerCredentials(): Promise<Credentials> {
  assumer ??= await svc.userWithPolicy('rec-assumer', allow('sts:AssumeRole'));
  return assumer;
}

/** A session of a role any principal of this account may assume, with `policy` inline. */
async function roleSession(roleName: string, policy: object): Promise<Credentials> {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
  const { Credentials: c } = await svc.sts(await assumerCredentials()).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/${roleName}`, RoleSessionName: 'rec-session' }));
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

describe('roles (test_create_describe_role, test_role_with_tags, test_list_roles_with_permission_boundary)', () => {
  test("CreateRole's result has no MaxSessionDuration; GetRole and ListRoles have it", async () => {
    const created = await iam.send(new CreateRoleCommand({ RoleName: 'Recorded', Path: '/rec/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'test', Value: 'value' }] }));
    expect(Object.keys(created.Role ?? {}).sort()).toEqual(['Arn', 'AssumeRolePolicyDocument', 'CreateDate', 'Path', 'RoleId', 'RoleName', 'Tags']);

    const got = await iam.send(new GetRoleCommand({ RoleName: 'Recorded' }));
    expect(Object.keys(got.Role ?? {}).sort()).toEqual(['Arn', 'AssumeRolePolicyDocument', 'CreateDate', 'MaxSessionDuration', 'Path', 'RoleId', 'RoleLastUsed', 'RoleName', 'Tags']);
    expect(got.Role?.MaxSessionDuration).toBe(3600);
    expect(got.Role?.RoleLastUsed).toEqual({});

    // ListRoles: no Tags, no RoleLastUsed, and no PermissionsBoundary even when the role has one.
    const boundary = await iam.send(new CreatePolicyCommand({ PolicyName: 'rec-boundary', PolicyDocument: LIST_FUNCTIONS }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Recorded', PermissionsBoundary: boundary.Policy?.Arn }));
    const listed = await iam.send(new ListRolesCommand({ PathPrefix: '/rec/' }));
    expect(listed.IsTruncated).toBe(false);
    expect(Object.keys(listed.Roles?.[0] ?? {}).sort()).toEqual(['Arn', 'AssumeRolePolicyDocument', 'CreateDate', 'MaxSessionDuration', 'Path', 'RoleId', 'RoleName']);
  });

  test('a trust policy that is not JSON is MalformedPolicyDocument "This policy contains invalid Json" (test_create_role_with_malformed_assume_role_policy_document)', async () => {
    // The recording's document: a trailing comma after "Effect": "Allow".
    const trailingComma = '\n{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Action": "sts:AssumeRole",\n      "Principal": "*",\n      "Effect": "Allow",\n    }\n  ]\n}\n';
    for (const text of [trailingComma, '{"Version": "2012-10-17", "Statement": [']) {
      expect(await failure(iam.send(new CreateRoleCommand({ RoleName: 'NotJson', AssumeRolePolicyDocument: text })))).toEqual({
        name: 'MalformedPolicyDocumentException',
        message: 'This policy contains invalid Json',
        status: 400,
      });
    }
    // A JSON document with a grammar error keeps the engine's precise message.
    const grammar = await failure(iam.send(new CreateRoleCommand({ RoleName: 'NotJson', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}' })));
    expect(grammar.name).toBe('MalformedPolicyDocumentException');
    expect(grammar.message).not.toBe('This policy contains invalid Json');
  });
});

describe('permissions boundaries (test_create_user_with_permission_boundary, test_create_user_add_permission_boundary_afterwards)', () => {
  test('CreateUser and GetUser show PermissionsBoundaryType "Policy"; after DeleteUserPermissionsBoundary there is none', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'rec-pb', PolicyDocument: JSON.stringify(allow('iam:GetUser')) }));
    const arn = Policy?.Arn ?? '';
    const created = await iam.send(new CreateUserCommand({ UserName: 'rec-pb-user', PermissionsBoundary: arn }));
    expect(created.User?.PermissionsBoundary).toEqual({ PermissionsBoundaryArn: arn, PermissionsBoundaryType: 'Policy' });
    expect((await iam.send(new GetUserCommand({ UserName: 'rec-pb-user' }))).User?.PermissionsBoundary).toEqual({ PermissionsBoundaryArn: arn, PermissionsBoundaryType: 'Policy' });
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'rec-pb-user' }));
    expect((await iam.send(new GetUserCommand({ UserName: 'rec-pb-user' }))).User).not.toHaveProperty('PermissionsBoundary');
  });

  test('GetRole shows PermissionsBoundaryType "Policy"', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'rec-pb-role', PolicyDocument: LIST_FUNCTIONS }));
    await iam.send(new CreateRoleCommand({ RoleName: 'rec-pb-role', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: Policy?.Arn }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'rec-pb-role' }))).Role?.PermissionsBoundary).toEqual({ PermissionsBoundaryArn: Policy?.Arn, PermissionsBoundaryType: 'Policy' });
  });
});

describe('managed policies (test_user_attach_policy, test_role_attach_policy, test_delete_non_existent_policy_returns_no_such_entity)', () => {
  let policyArn: string;
  beforeAll(async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'rec-policy', PolicyDocument: LIST_FUNCTIONS }));
    policyArn = Policy?.Arn ?? '';
    await iam.send(new CreateUserCommand({ UserName: 'rec-user' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'rec-group' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'rec-role', AssumeRolePolicyDocument: TRUST }));
  });

  test('CreatePolicy answers the recorded Policy shape', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'rec-shape', PolicyDocument: LIST_FUNCTIONS }));
    expect(Object.keys(Policy ?? {}).sort()).toEqual([
      'Arn',
      'AttachmentCount',
      'CreateDate',
      'DefaultVersionId',
      'IsAttachable',
      'Path',
      'PermissionsBoundaryUsageCount',
      'PolicyId',
      'PolicyName',
      'UpdateDate',
    ]);
    expect(Policy).toMatchObject({ AttachmentCount: 0, DefaultVersionId: 'v1', IsAttachable: true, Path: '/', PermissionsBoundaryUsageCount: 0 });
  });

  const attachers = [
    ['AttachUserPolicy', (arn: string) => iam.send(new AttachUserPolicyCommand({ UserName: 'rec-user', PolicyArn: arn }))],
    ['AttachGroupPolicy', (arn: string) => iam.send(new AttachGroupPolicyCommand({ GroupName: 'rec-group', PolicyArn: arn }))],
    ['AttachRolePolicy', (arn: string) => iam.send(new AttachRolePolicyCommand({ RoleName: 'rec-role', PolicyArn: arn }))],
    ['DetachUserPolicy', (arn: string) => iam.send(new DetachUserPolicyCommand({ UserName: 'rec-user', PolicyArn: arn }))],
    ['GetPolicy', (arn: string) => iam.send(new GetPolicyCommand({ PolicyArn: arn }))],
  ] as const;

  test.each(attachers)('%s of something that is no ARN is ValidationError "Invalid ARN:  Could not be parsed!"', async (_, call) => {
    for (const notAnArn of ['longpolicynamebutnoarn', 'rec-policy-name-with-20-chars']) {
      expect(await failure(call(notAnArn))).toEqual({ name: 'ValidationError', message: 'Invalid ARN:  Could not be parsed!', status: 400 });
    }
  });

  test('attaching a well-formed ARN that names no policy is NoSuchEntity 404; the real one attaches', async () => {
    expect(await failure(iam.send(new AttachUserPolicyCommand({ UserName: 'rec-user', PolicyArn: `${policyArn}123` })))).toEqual({
      name: 'NoSuchEntityException',
      message: `Policy ${policyArn}123 does not exist or is not attachable.`,
      status: 404,
    });
    const ok = await iam.send(new AttachUserPolicyCommand({ UserName: 'rec-user', PolicyArn: policyArn }));
    expect(ok.$metadata.httpStatusCode).toBe(200);
  });

  test('DeletePolicy of a missing policy is NoSuchEntity "Policy ARN was not found."', async () => {
    const missing = `arn:aws:iam::${acct}:policy/non-existent-policy`;
    expect(await failure(iam.send(new DeletePolicyCommand({ PolicyArn: missing })))).toEqual({
      name: 'NoSuchEntityException',
      message: `Policy ${missing} was not found.`,
      status: 404,
    });
  });
});

describe('policy documents keep percent-encoded text (test_put_user_policy_encoding, test_put_role_policy_encoding)', () => {
  test('an ARN with %3A in an inline policy and in a trust policy comes back exactly as written', async () => {
    const target = encodeURIComponent('arn:aws:apigateway:us-east-1::/restapis/aaeeieije');
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['apigatway:PUT'], Resource: [`arn:aws:apigateway:us-east-1::/tags/${target}`] }] });
    await iam.send(new CreateUserCommand({ UserName: 'rec-encoding' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'rec-encoding', PolicyName: 'p', PolicyDocument: document }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'rec-encoding', PolicyName: 'p' }));
    expect(decodeURIComponent(got.PolicyDocument ?? '')).toBe(document);
    expect(got).toMatchObject({ UserName: 'rec-encoding', PolicyName: 'p' });

    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceArn': target } } }],
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'rec-encoding', Path: '/enc/', AssumeRolePolicyDocument: trust }));
    expect(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'rec-encoding' }))).Role?.AssumeRolePolicyDocument ?? '')).toBe(trust);
  });
});

describe('SimulatePrincipalPolicy (test_simulate_principle_policy[user|group|role])', () => {
  // Python's json.dumps spacing and a lone statement object, as the recording's request had them.
  const DOCUMENT = '{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}';
  const matched = [{ SourcePolicyId: 'rec-sim', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 41 }, EndPosition: { Line: 1, Column: 113 } }];
  let arns: Record<'user' | 'group' | 'role', string>;
  beforeAll(async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'rec-sim', PolicyDocument: DOCUMENT }));
    const policyArn = Policy?.Arn;
    const user = await iam.send(new CreateUserCommand({ UserName: 'rec-sim-user' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'rec-sim-user', PolicyArn: policyArn }));
    const group = await iam.send(new CreateGroupCommand({ GroupName: 'rec-sim-group' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'rec-sim-group', PolicyArn: policyArn }));
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'rec-sim-role', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'rec-sim-role', PolicyArn: policyArn }));
    arns = { user: user.User?.Arn ?? '', group: group.Group?.Arn ?? '', role: role.Role?.Arn ?? '' };
  });

  test.each(['user', 'group', 'role'] as const)('for a %s: the recorded results, positions and source type', async (kind) => {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: arns[kind], ActionNames: ['s3:PutObject', 's3:GetObjectVersion'], ResourceArns: ['arn:aws:s3:::bucket'] }),
    );
    expect(out.IsTruncated).toBe(false);
    const result = (action: string, decision: string, statements: typeof matched | []) => ({
      EvalActionName: action,
      EvalDecision: decision,
      EvalDecisionDetails: {},
      EvalResourceName: 'arn:aws:s3:::bucket',
      MatchedStatements: statements,
      MissingContextValues: [],
      ResourceSpecificResults: [{ EvalResourceDecision: decision, EvalResourceName: 'arn:aws:s3:::bucket', MatchedStatements: statements, MissingContextValues: [] }],
    });
    expect(out.EvaluationResults).toMatchObject([result('s3:PutObject', 'allowed', matched), result('s3:GetObjectVersion', 'implicitDeny', [])]);
  });
});

describe('GetUser without UserName (test_get_user_without_username_as_user, _as_role)', () => {
  const GET_USER = allow('iam:GetUser');

  test('as an IAM user: that user', async () => {
    const creds = await svc.userWithPolicy('rec-caller', GET_USER);
    const { User } = await svc.iam(creds).send(new GetUserCommand({}));
    expect(User).toMatchObject({ UserName: 'rec-caller', Arn: `arn:aws:iam::${acct}:user/rec-caller` });
  });

  test('as a role session: ValidationError "Must specify userName when calling with non-User credentials"', async () => {
    const session = await roleSession('rec-getuser', GET_USER);
    expect(await failure(svc.iam(session).send(new GetUserCommand({})))).toEqual({
      name: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
      status: 400,
    });
    // Naming the user works as ever.
    await iam.send(new CreateUserCommand({ UserName: 'rec-named' }));
    const { User } = await svc.iam(session).send(new GetUserCommand({ UserName: 'rec-named' }));
    expect(User?.UserName).toBe('rec-named');
  });

  test('as root: the root user, with the account id as UserId and no UserName', async () => {
    const { User } = await iam.send(new GetUserCommand({}));
    expect(User?.UserId).toBe(acct);
    expect(User?.Arn).toBe(`arn:aws:iam::${acct}:root`);
    expect(User?.UserName).toBeUndefined();
    expect(User?.CreateDate).toBeInstanceOf(Date);
  });

  test('a role session cannot mint root access keys by leaving UserName out (security)', async () => {
    const session = await roleSession('rec-admin', allow('iam:*'));
    const before = (await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata ?? [];
    expect(await failure(svc.iam(session).send(new CreateAccessKeyCommand({})))).toEqual({
      name: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
      status: 400,
    });
    expect(await failure(svc.iam(session).send(new ListAccessKeysCommand({})))).toMatchObject({ name: 'ValidationError', status: 400 });
    const after = (await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata ?? [];
    expect(after.map((k) => k.AccessKeyId)).toEqual(before.map((k) => k.AccessKeyId));
  });
});

describe('STS (test_sts_invalid_parameters, test_get_federation_token)', () => {
  test.each(['nothing-valid-in-here', 'arn::b:::something/test-role', 'arn:a::::something/test-role', 'arn:a:::something/test-role', 'arn:a:a::aaaaaaaaaa:'])(
    'AssumeRole with RoleArn %s is ValidationError "… is invalid"',
    async (roleArn) => {
      expect(await failure(svc.sts(await assumerCredentials()).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'Session1' })))).toEqual({
        name: 'ValidationError',
        message: `${roleArn} is invalid`,
        status: 400,
      });
    },
  );

  test('GetFederationToken without policies: the recorded shape, PackedPolicySize 0', async () => {
    const creds = await svc.userWithPolicy('rec-broker', allow('sts:GetFederationToken'));
    const out = await svc.sts(creds).send(new GetFederationTokenCommand({ Name: 'TestName1', DurationSeconds: 900 }));
    expect(out.PackedPolicySize).toBe(0);
    expect(out.FederatedUser).toEqual({ Arn: `arn:aws:sts::${acct}:federated-user/TestName1`, FederatedUserId: `${acct}:TestName1` });
    expect(Object.keys(out.Credentials ?? {}).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken']);
  });
});
