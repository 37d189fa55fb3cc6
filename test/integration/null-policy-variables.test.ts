/**
 * Policy variables with no value, end to end through the HTTP service with the real SDKs (IAM User
 * Guide, "Policy variables with no value"): a variable whose key the request lacks is effectively
 * null, so a Deny with `StringNotEquals` against `${aws:PrincipalTag/Team}` denies a caller
 * without a Team tag (AWS's own example, here on `iam:ResourceTag/Team` of a role), in an
 * identity policy, a permissions boundary, a session policy and a trust policy; and a Resource
 * entry holding a null variable matches nothing while the statement's other entries still allow.
 */
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, test } from 'vitest';
import { type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const TEAM = '${aws:PrincipalTag/Team}';

/** AWS's example statement, on a role's tag: "Access is explicitly denied when aws:principaltag/Team is not set." */
function denyOtherTeams(resource: string): Record<string, unknown> {
  return { Sid: 'DenyOtherTeams', Effect: 'Deny', Action: 'iam:GetRole', Resource: resource, Condition: { StringNotEquals: { 'iam:ResourceTag/Team': TEAM } } };
}

const doc = (...statements: Record<string, unknown>[]) => ({ Version: '2012-10-17', Statement: statements });
const roleArn = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
const userArn = (name: string) => `arn:aws:iam::${acct}:user/${name}`;

/** The identity policy every test user gets: AWS's example, and a Resource list with a variable. */
function teamPolicy() {
  return doc(
    { Sid: 'Read', Effect: 'Allow', Action: ['iam:GetRole', 'sts:AssumeRole', 'sts:TagSession'], Resource: '*' },
    denyOtherTeams(`arn:aws:iam::${acct}:role/*`),
    { Sid: 'TeamUsersAndShared', Effect: 'Allow', Action: 'iam:GetUser', Resource: [`arn:aws:iam::${acct}:user/${TEAM}-*`, `arn:aws:iam::${acct}:user/shared`] },
  );
}

/** A user with the given tags, an inline policy and an access key. */
async function user(name: string, policy: object, tags: Record<string, string> = {}): Promise<Credentials> {
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  await iam.send(new CreateUserCommand({ UserName: name, ...(Tags.length > 0 ? { Tags } : {}) }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'team', PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

/** AWS's AccessDenied for an explicit deny (the text before any encoded message). */
function explicitDeny(who: string, action: string, resource: string, where: string) {
  return { name: 'AccessDenied', message: expect.stringContaining(`User: ${who} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in ${where}`) };
}

function implicitDeny(who: string, action: string, resource: string) {
  return { name: 'AccessDenied', message: expect.stringContaining(`User: ${who} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`) };
}

const ACCOUNT_TRUST = () => ({ Sid: 'Account', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] });

let untagged: Credentials;
let red: Credentials;
let blue: Credentials;

beforeAll(async () => {
  // The red team's role the users read, and the users they look up (`-ops` is what an empty
  // string in place of the null variable would let through).
  await iam.send(new CreateRoleCommand({ RoleName: 'red-role', AssumeRolePolicyDocument: JSON.stringify(doc(ACCOUNT_TRUST())), Tags: [{ Key: 'Team', Value: 'red' }] }));
  for (const name of ['shared', 'red-ops', '-ops']) await iam.send(new CreateUserCommand({ UserName: name }));
  untagged = await user('untagged', teamPolicy());
  red = await user('red-user', teamPolicy(), { Team: 'red' });
  blue = await user('blue-user', teamPolicy(), { Team: 'blue' });
});

describe("AWS's example: Deny with StringNotEquals against ${aws:PrincipalTag/Team}", () => {
  test('a user without a Team tag is denied by the identity policy', async () => {
    await expect(svc.iam(untagged).send(new GetRoleCommand({ RoleName: 'red-role' }))).rejects.toMatchObject(
      explicitDeny(userArn('untagged'), 'iam:GetRole', roleArn('red-role'), 'an identity-based policy'),
    );
  });

  test('a user whose Team tag matches the role is allowed', async () => {
    const { Role } = await svc.iam(red).send(new GetRoleCommand({ RoleName: 'red-role' }));
    expect(Role?.Arn).toBe(roleArn('red-role'));
  });

  test('a user of another team is denied', async () => {
    await expect(svc.iam(blue).send(new GetRoleCommand({ RoleName: 'red-role' }))).rejects.toMatchObject(
      explicitDeny(userArn('blue-user'), 'iam:GetRole', roleArn('red-role'), 'an identity-based policy'),
    );
  });

  test('a user without a Team tag is denied by a permissions boundary holding the Deny', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({
      PolicyName: 'TeamBoundary',
      PolicyDocument: JSON.stringify(doc({ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }, denyOtherTeams('*'))),
    }));
    if (!Policy?.Arn) throw new Error('CreatePolicy returned no ARN');
    const allowRead = doc({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' });
    const bounded = await user('bounded', allowRead);
    const boundedRed = await user('bounded-red', allowRead, { Team: 'red' });
    for (const name of ['bounded', 'bounded-red']) await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: name, PermissionsBoundary: Policy.Arn }));
    await expect(svc.iam(bounded).send(new GetRoleCommand({ RoleName: 'red-role' }))).rejects.toMatchObject(
      explicitDeny(userArn('bounded'), 'iam:GetRole', roleArn('red-role'), 'a permissions boundary'),
    );
    const { Role } = await svc.iam(boundedRed).send(new GetRoleCommand({ RoleName: 'red-role' }));
    expect(Role?.RoleName).toBe('red-role');
  });

  test('a role session without a Team tag is denied by its session policy; with the tag it is allowed', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: JSON.stringify(doc(ACCOUNT_TRUST())) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'read', PolicyDocument: JSON.stringify(doc({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' })) }));
    const sessionPolicy = JSON.stringify(doc({ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }, denyOtherTeams('*')));
    const session = async (extra: Partial<AssumeRoleCommandInput>): Promise<Credentials> => {
      const out = await svc.sts(untagged).send(new AssumeRoleCommand({ RoleArn: roleArn('reader'), RoleSessionName: 'team-session', Policy: sessionPolicy, ...extra }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    };
    const plain = await session({});
    await expect(svc.iam(plain).send(new GetRoleCommand({ RoleName: 'red-role' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`User: arn:aws:sts::${acct}:assumed-role/reader/team-session is not authorized to perform: iam:GetRole on resource: ${roleArn('red-role')} with an explicit deny in a session policy`),
    });
    const tagged = await session({ Tags: [{ Key: 'Team', Value: 'red' }] });
    const { Role } = await svc.iam(tagged).send(new GetRoleCommand({ RoleName: 'red-role' }));
    expect(Role?.RoleName).toBe('red-role');
  });

  test("a trust policy's Deny keeps a caller without a Team tag from assuming the role", async () => {
    const trust = doc(ACCOUNT_TRUST(), {
      Sid: 'DenyOtherTeams',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      Condition: { StringNotEquals: { 'aws:ResourceTag/Team': TEAM } },
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'red-team', AssumeRolePolicyDocument: JSON.stringify(trust), Tags: [{ Key: 'Team', Value: 'red' }] }));
    await expect(svc.sts(untagged).send(new AssumeRoleCommand({ RoleArn: roleArn('red-team'), RoleSessionName: 'team-session' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      // AWS's AssumeRole denials name no reason (test/integration/denial-messages.test.ts); the
      // tagged caller below, with the same permissions, is what shows the Deny decided.
      message: `User: ${userArn('untagged')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('red-team')}`,
    });
    const out = await svc.sts(red).send(new AssumeRoleCommand({ RoleArn: roleArn('red-team'), RoleSessionName: 'team-session' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/red-team/team-session`);
  });
});

describe('a Resource entry holding a variable with no value', () => {
  test("matches nothing, while the statement's other entry still allows", async () => {
    const client = svc.iam(untagged);
    const { User } = await client.send(new GetUserCommand({ UserName: 'shared' }));
    expect(User?.UserName).toBe('shared');
    // The null entry is not `user/-*`: a variable with no value is not the empty string.
    await expect(client.send(new GetUserCommand({ UserName: '-ops' }))).rejects.toMatchObject(implicitDeny(userArn('untagged'), 'iam:GetUser', userArn('-ops')));
    await expect(client.send(new GetUserCommand({ UserName: 'red-ops' }))).rejects.toMatchObject(implicitDeny(userArn('untagged'), 'iam:GetUser', userArn('red-ops')));
  });

  test('with the tag set, the entry matches the team\'s users', async () => {
    const client = svc.iam(red);
    expect((await client.send(new GetUserCommand({ UserName: 'red-ops' }))).User?.UserName).toBe('red-ops');
    expect((await client.send(new GetUserCommand({ UserName: 'shared' }))).User?.UserName).toBe('shared');
    await expect(client.send(new GetUserCommand({ UserName: '-ops' }))).rejects.toMatchObject(implicitDeny(userArn('red-user'), 'iam:GetUser', userArn('-ops')));
  });
});

describe('the simulator reads a variable with no value the same way', () => {
  const example = () => JSON.stringify(doc(
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' },
    { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*', Condition: { StringNotEquals: { 's3:ExistingObjectTag/Team': TEAM } } },
  ));
  const objectTag = { ContextKeyName: 's3:ExistingObjectTag/Team', ContextKeyType: 'string' as const, ContextKeyValues: ['red'] };

  test("SimulateCustomPolicy: AWS's example is an explicit deny without the tag, and lists the variable's key as missing", async () => {
    const out = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [example()],
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::amzn-s3-demo-bucket/plan.txt'],
      ContextEntries: [objectTag],
    }));
    expect(out.EvaluationResults?.[0]).toMatchObject({
      EvalDecision: 'explicitDeny',
      ResourceSpecificResults: [{ EvalResourceDecision: 'explicitDeny', MissingContextValues: ['aws:PrincipalTag/Team'] }],
    });
    const withTag = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [example()],
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::amzn-s3-demo-bucket/plan.txt'],
      ContextEntries: [objectTag, { ContextKeyName: 'aws:PrincipalTag/Team', ContextKeyType: 'string', ContextKeyValues: ['red'] }],
    }));
    expect(withTag.EvaluationResults?.[0]).toMatchObject({
      EvalDecision: 'allowed',
      ResourceSpecificResults: [{ EvalResourceDecision: 'allowed', MissingContextValues: [] }],
    });
  });

  test('SimulatePrincipalPolicy: the stored Deny applies to a role when the Team tag is not supplied', async () => {
    const out = await iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: userArn('untagged'),
      ActionNames: ['iam:GetRole'],
      ResourceArns: [roleArn('red-role')],
      ContextEntries: [{ ContextKeyName: 'iam:ResourceTag/Team', ContextKeyType: 'string', ContextKeyValues: ['red'] }],
    }));
    expect(out.EvaluationResults?.[0]).toMatchObject({
      EvalDecision: 'explicitDeny',
      MatchedStatements: [{ SourcePolicyId: 'team', SourcePolicyType: 'user' }],
      ResourceSpecificResults: [{ EvalResourceDecision: 'explicitDeny', MissingContextValues: ['aws:PrincipalTag/Team'] }],
    });
  });
});
