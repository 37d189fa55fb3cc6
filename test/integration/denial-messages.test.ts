/**
 * Every kind of IAM and STS denial, through the real HTTP service with the AWS SDK, compared whole
 * with AWS's text, under the default AUTHORIZATION_FAILURE_MESSAGES (plain): AWS's IAM and STS
 * denials carry no "Encoded authorization failure message", so a script that matches AWS's text
 * must match ours. Sources: IAM User Guide, "Troubleshoot access denied error messages" (the policy
 * types and their phrases); AWS's recorded answers for AssumeRole ("User: … is not authorized to
 * perform: sts:AssumeRole on resource: arn:aws:iam::…:role/…", no reason) and for
 * DecodeAuthorizationMessage ("… is not authorized to perform: sts:DecodeAuthorizationMessage
 * because no identity-based policy allows the sts:DecodeAuthorizationMessage action", no resource).
 */
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetRoleCommand,
  type IAMClient,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  DecodeAuthorizationMessageCommand,
  GetAccessKeyInfoCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
} from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { allow, type Credentials, credentialsOf, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const userArn = (name: string) => `arn:aws:iam::${acct}:user/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
const sessionArn = (role: string, session: string) => `arn:aws:sts::${acct}:assumed-role/${role}/${session}`;

/** The error a call fails with: its code and its whole message. */
async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('the call succeeded');
  return { name: err.name, message: err.message };
}

const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const trusting = (principal: string) => JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: principal }, Action: ['sts:AssumeRole', 'sts:TagSession'] }));

async function createRole(name: string, trustPolicy: string): Promise<string> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy }));
  if (!Role?.Arn) throw new Error('CreateRole returned no ARN');
  return Role.Arn;
}

async function createPolicy(name: string, document: object): Promise<string> {
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(document) }));
  if (!Policy?.Arn) throw new Error('CreatePolicy returned no ARN');
  return Policy.Arn;
}

describe('identity-based policies', () => {
  test('no identity-based policy allows the action', async () => {
    const alice = await svc.userWithPolicy('deny-alice');
    expect(await refusal(svc.iam(alice).send(new CreateUserCommand({ UserName: 'deny-bob' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-alice')} is not authorized to perform: iam:CreateUser on resource: ${userArn('deny-bob')} because no identity-based policy allows the iam:CreateUser action`,
    });
  });

  test('an explicit deny in an identity-based policy', async () => {
    const carol = await svc.userWithPolicy('deny-carol', policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }));
    expect(await refusal(svc.iam(carol).send(new CreateUserCommand({ UserName: 'deny-dan' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-carol')} is not authorized to perform: iam:CreateUser on resource: ${userArn('deny-dan')} with an explicit deny in an identity-based policy`,
    });
  });

  test("IAM's account-level actions name the resource `*`", async () => {
    const erin = await svc.userWithPolicy('deny-erin');
    expect(await refusal(svc.iam(erin).send(new ListUsersCommand({})))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-erin')} is not authorized to perform: iam:ListUsers on resource: * because no identity-based policy allows the iam:ListUsers action`,
    });
  });

  test('a role session is named by its assumed-role ARN', async () => {
    await createRole('DenyReader', trusting(acct));
    const assumer = await svc.userWithPolicy('deny-assumer', allow('sts:AssumeRole', roleArn('DenyReader')));
    const out = await svc.sts(assumer).send(new AssumeRoleCommand({ RoleArn: roleArn('DenyReader'), RoleSessionName: 'reading' }));
    expect(await refusal(svc.iam(credentialsOf(out.Credentials)).send(new GetRoleCommand({ RoleName: 'DenyReader' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${sessionArn('DenyReader', 'reading')} is not authorized to perform: iam:GetRole on resource: ${roleArn('DenyReader')} because no identity-based policy allows the iam:GetRole action`,
    });
  });
});

describe('permissions boundaries', () => {
  test('no permissions boundary allows the action', async () => {
    const boundary = await createPolicy('DenyReadOnlyBoundary', allow(['iam:Get*', 'iam:List*']));
    const bounded = await svc.userWithPolicy('deny-bounded', allow('iam:*'));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'deny-bounded', PermissionsBoundary: boundary }));
    expect(await refusal(svc.iam(bounded).send(new CreateUserCommand({ UserName: 'deny-by-bounded' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-bounded')} is not authorized to perform: iam:CreateUser on resource: ${userArn('deny-by-bounded')} because no permissions boundary allows the iam:CreateUser action`,
    });
  });

  test('an explicit deny in a permissions boundary', async () => {
    const boundary = await createPolicy('DenyNoCreateBoundary', policy({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }));
    const fenced = await svc.userWithPolicy('deny-fenced', allow('iam:*'));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'deny-fenced', PermissionsBoundary: boundary }));
    expect(await refusal(svc.iam(fenced).send(new CreateUserCommand({ UserName: 'deny-by-fenced' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-fenced')} is not authorized to perform: iam:CreateUser on resource: ${userArn('deny-by-fenced')} with an explicit deny in a permissions boundary`,
    });
  });
});

describe('session policies', () => {
  /** A session of a role that may do anything in IAM, narrowed by `sessionPolicy`. */
  async function narrowed(role: string, sessionPolicy: object): Promise<Credentials> {
    await createRole(role, trusting(acct));
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'all-iam', PolicyDocument: JSON.stringify(allow('iam:*')) }));
    const assumer = await svc.userWithPolicy(`${role}-assumer`, allow('sts:AssumeRole', roleArn(role)));
    const out = await svc.sts(assumer).send(new AssumeRoleCommand({ RoleArn: roleArn(role), RoleSessionName: 'narrow', Policy: JSON.stringify(sessionPolicy) }));
    return credentialsOf(out.Credentials);
  }

  test('no session policy allows the action', async () => {
    const session = await narrowed('DenyNarrow', allow('iam:ListUsers'));
    expect(await refusal(svc.iam(session).send(new GetRoleCommand({ RoleName: 'DenyNarrow' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${sessionArn('DenyNarrow', 'narrow')} is not authorized to perform: iam:GetRole on resource: ${roleArn('DenyNarrow')} because no session policy allows the iam:GetRole action`,
    });
  });

  test('an explicit deny in a session policy', async () => {
    const session = await narrowed('DenyFenced', policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:ListRoles', Resource: '*' }));
    expect(await refusal(svc.iam(session).send(new ListRolesCommand({})))).toEqual({
      name: 'AccessDenied',
      message: `User: ${sessionArn('DenyFenced', 'narrow')} is not authorized to perform: iam:ListRoles on resource: * with an explicit deny in a session policy`,
    });
  });
});

describe('AssumeRole: AWS names no reason, whichever side refused', () => {
  test('the trust policy does not name the caller', async () => {
    const arn = await createRole('DenyNotYou', trusting(userArn('deny-alice')));
    const outsider = await svc.userWithPolicy('deny-outsider', allow('sts:AssumeRole'));
    expect(await refusal(svc.sts(outsider).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'denied-session' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-outsider')} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    });
  });

  test('an explicit deny in the trust policy', async () => {
    // A trust policy may name only a principal that exists.
    const shunned = await svc.userWithPolicy('deny-shunned', allow('sts:AssumeRole'));
    const trust = JSON.stringify(
      policy(
        { Effect: 'Allow', Principal: { AWS: acct }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: userArn('deny-shunned') }, Action: 'sts:AssumeRole' },
      ),
    );
    const arn = await createRole('DenyShuns', trust);
    expect(await refusal(svc.sts(shunned).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'denied-session' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-shunned')} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    });
  });

  test("the trust policy names the account, and the caller's identity policy does not allow it", async () => {
    const arn = await createRole('DenyAccountTrust', trusting(acct));
    const unpermitted = await svc.userWithPolicy('deny-unpermitted');
    expect(await refusal(svc.sts(unpermitted).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'denied-session' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-unpermitted')} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    });
  });

  test('a role that does not exist reads the same', async () => {
    const seeker = await svc.userWithPolicy('deny-seeker', allow('sts:AssumeRole'));
    expect(await refusal(svc.sts(seeker).send(new AssumeRoleCommand({ RoleArn: roleArn('DenyNowhere'), RoleSessionName: 'denied-session' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-seeker')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('DenyNowhere')}`,
    });
  });

  test('session tags the trust policy does not allow: sts:TagSession, no reason', async () => {
    const arn = await createRole('DenyNoTags', JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: acct }, Action: 'sts:AssumeRole' })));
    const tagger = await svc.userWithPolicy('deny-tagger', allow(['sts:AssumeRole', 'sts:TagSession']));
    const call = svc.sts(tagger).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'denied-session', Tags: [{ Key: 'team', Value: 'blue' }] }));
    expect(await refusal(call)).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-tagger')} is not authorized to perform: sts:TagSession on resource: ${arn}`,
    });
  });

  test('root may not assume a role', async () => {
    const arn = await createRole('DenyRootless', trusting(acct));
    expect(await refusal(svc.sts().send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'denied-session' })))).toEqual({
      name: 'AccessDenied',
      message: 'Roles may not be assumed by root accounts.',
    });
  });
});

describe('STS actions without a resource type name no resource', () => {
  test('DecodeAuthorizationMessage', async () => {
    const nosy = await svc.userWithPolicy('deny-nosy', allow('iam:*'));
    expect(await refusal(svc.sts(nosy).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-nosy')} is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action`,
    });
  });

  test('GetAccessKeyInfo, explicitly denied', async () => {
    const denied = await svc.userWithPolicy('deny-keyinfo', policy({ Effect: 'Allow', Action: 'sts:*', Resource: '*' }, { Effect: 'Deny', Action: 'sts:GetAccessKeyInfo', Resource: '*' }));
    expect(await refusal(svc.sts(denied).send(new GetAccessKeyInfoCommand({ AccessKeyId: denied.accessKeyId })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-keyinfo')} is not authorized to perform: sts:GetAccessKeyInfo with an explicit deny in an identity-based policy`,
    });
  });

  test('GetFederationToken has a resource, the federated user, and names it', async () => {
    const plain = await svc.userWithPolicy('deny-federator');
    expect(await refusal(svc.sts(plain).send(new GetFederationTokenCommand({ Name: 'deny-fed' })))).toEqual({
      name: 'AccessDenied',
      message: `User: ${userArn('deny-federator')} is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${acct}:federated-user/deny-fed because no identity-based policy allows the sts:GetFederationToken action`,
    });
  });
});

describe('root and another account', () => {
  test("root refused another account's resource: no resource-based policy allows it", async () => {
    const theirs = await svc.newAccount();
    const arn = `arn:aws:iam::${theirs.accountId}:policy/theirs`;
    expect(await refusal(svc.iam().send(new GetPolicyCommand({ PolicyArn: arn })))).toEqual({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:root is not authorized to perform: iam:GetPolicy on resource: ${arn} because no resource-based policy allows the iam:GetPolicy action`,
    });
    // And the other way round, the same words.
    expect(await refusal(svc.iam(rootCredentials(theirs)).send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${acct}:policy/ours` })))).toEqual({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${theirs.accountId}:root is not authorized to perform: iam:GetPolicy on resource: arn:aws:iam::${acct}:policy/ours because no resource-based policy allows the iam:GetPolicy action`,
    });
  });
});

describe('credential types (AWS: "Comparing the AWS STS API operations")', () => {
  const INVALID_TOKEN = 'The security token included in the request is invalid.';

  test('GetSessionToken credentials without MFA: IAM answers as for an invalid token, STS refuses another session token', async () => {
    const user = await svc.userWithPolicy('deny-session-user', allow('*'));
    const session = credentialsOf((await svc.sts(user).send(new GetSessionTokenCommand({}))).Credentials);
    expect(await refusal(svc.iam(session).send(new ListUsersCommand({})))).toEqual({ name: 'InvalidClientTokenId', message: INVALID_TOKEN });
    expect(await refusal(svc.sts(session).send(new GetSessionTokenCommand({})))).toEqual({ name: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
  });

  test('federated users: no IAM at all, and no STS but GetCallerIdentity', async () => {
    const user = await svc.userWithPolicy('deny-fed-parent', allow('*'));
    const fed = credentialsOf((await svc.sts(user).send(new GetFederationTokenCommand({ Name: 'deny-fed-user', Policy: JSON.stringify(allow('*')) }))).Credentials);
    expect(await refusal(svc.iam(fed).send(new ListUsersCommand({})))).toEqual({ name: 'InvalidClientTokenId', message: INVALID_TOKEN });
    expect(await refusal(svc.sts(fed).send(new GetFederationTokenCommand({ Name: 'again' })))).toEqual({ name: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' });
    expect(await refusal(svc.sts(fed).send(new AssumeRoleCommand({ RoleArn: roleArn('DenyReader'), RoleSessionName: 'denied-session' })))).toEqual({
      name: 'AccessDenied',
      message: 'Cannot call AssumeRole with session credentials',
    });
  });

  test('role sessions may not call GetSessionToken or GetFederationToken', async () => {
    const arn = await createRole('DenyChain', trusting(acct));
    const assumer = await svc.userWithPolicy('deny-chain-user', allow('sts:AssumeRole', arn));
    const session = credentialsOf((await svc.sts(assumer).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'denied-session' }))).Credentials);
    expect(await refusal(svc.sts(session).send(new GetSessionTokenCommand({})))).toEqual({ name: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
    expect(await refusal(svc.sts(session).send(new GetFederationTokenCommand({ Name: 'x' })))).toEqual({ name: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' });
  });
});
