import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListUsersCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, test } from 'vitest';
import { existingBoundaryContext } from '../../src/iam/boundaries.js';
import { loadTarget, type EntityKind } from '../../src/iam/entities.js';
import { ROLE } from '../../src/iam/roles.js';
import { USER } from '../../src/iam/users.js';
import { allow, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
/** A boundary that allows only reading IAM. */
let readOnly: string;
/** Another managed policy of the account. */
let other: string;

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

async function createPolicy(client: IAMClient, name: string, document: object): Promise<string> {
  const { Policy } = await client.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(document) }));
  if (!Policy?.Arn) throw new Error('CreatePolicy returned no ARN');
  return Policy.Arn;
}

useService(async (s) => {
  ({ svc, iam, acct } = s);
  readOnly = await createPolicy(iam, 'ReadOnlyBoundary', allow(['iam:Get*', 'iam:List*']));
  other = await createPolicy(iam, 'OtherPolicy', allow('s3:*'));
});

describe('user permissions boundaries', () => {
  beforeAll(async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bounded' }));
  });

  test('Put sets the boundary GetUser shows; Delete removes it, and may be repeated', async () => {
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: readOnly }));
    let { User } = await iam.send(new GetUserCommand({ UserName: 'bounded' }));
    expect(User?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: readOnly });
    // Put again replaces it.
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'BOUNDED', PermissionsBoundary: other }));
    ({ User } = await iam.send(new GetUserCommand({ UserName: 'bounded' })));
    expect(User?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(other);
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
    ({ User } = await iam.send(new GetUserCommand({ UserName: 'bounded' })));
    expect(User?.PermissionsBoundary).toBeUndefined();
    // Deleting a boundary that is not there is not an error (Terraform deletes it unconditionally).
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
  });

  test('Put and Delete on an unknown user are NoSuchEntity', async () => {
    const message = 'The user with name Ghost cannot be found.';
    await expect(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'Ghost', PermissionsBoundary: readOnly }))).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
    await expect(iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'Ghost' }))).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
  });
});

describe('role permissions boundaries', () => {
  test('CreateRole with a boundary; GetRole shows it; Delete and Put change it', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'BoundedRole', Path: '/b/', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: readOnly }));
    let { Role } = await iam.send(new GetRoleCommand({ RoleName: 'BoundedRole' }));
    expect(Role?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: readOnly });
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'BoundedRole' }));
    ({ Role } = await iam.send(new GetRoleCommand({ RoleName: 'BoundedRole' })));
    expect(Role?.PermissionsBoundary).toBeUndefined();
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'BoundedRole' }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'boundedrole', PermissionsBoundary: other }));
    ({ Role } = await iam.send(new GetRoleCommand({ RoleName: 'BoundedRole' })));
    expect(Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(other);
  });

  test('Put and Delete on an unknown role are NoSuchEntity', async () => {
    const message = 'The role with name Ghost cannot be found.';
    await expect(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'Ghost', PermissionsBoundary: readOnly }))).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
    await expect(iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'Ghost' }))).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
  });
});

describe('what may be a boundary', () => {
  const cases: [string, () => string][] = [
    ['a policy that does not exist', () => `arn:aws:iam::${acct}:policy/Nope`],
    ['the ARN of a user', () => `arn:aws:iam::${acct}:user/bounded`],
    ['an AWS managed policy AWS does not have', () => 'arn:aws:iam::aws:policy/NoSuchAwsPolicy'],
  ];
  test.each(cases)('%s is refused with NoSuchEntity', async (_, arn) => {
    const message = `Scope ARN: ${arn()} does not exist or is not attachable.`;
    await expect(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: arn() }))).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'Never', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: arn() }))).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
  });

  test("another account's policy is refused", async () => {
    const second = await svc.newAccount();
    const foreign = await createPolicy(svc.iam(rootCredentials(second)), 'Foreign', allow('iam:*'));
    await expect(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: foreign }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: `Scope ARN: ${foreign} does not exist or is not attachable.`,
    });
  });

  test('a value that is not an ARN at all fails validation', async () => {
    await expect(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: 'x' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('a boundary limits what an IAM user may do', () => {
  test('inline iam:* within an iam:Get*/iam:List* boundary: ListUsers yes, CreateUser no, until the boundary goes', async () => {
    const who = await svc.userWithPolicy('limited', allow('iam:*'));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'limited', PermissionsBoundary: readOnly }));
    const client = svc.iam(who);
    await client.send(new ListUsersCommand({}));
    const err = await client.send(new CreateUserCommand({ UserName: 'made-by-limited' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(`User: arn:aws:iam::${acct}:user/limited is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${acct}:user/made-by-limited because no permissions boundary allows the iam:CreateUser action`);
    // The next call sees the boundary gone (the account's caches are dropped after each write).
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'limited' }));
    await client.send(new CreateUserCommand({ UserName: 'made-by-limited' }));
  });

  test('a boundary alone grants nothing', async () => {
    const who = await svc.userWithPolicy('boundary-only');
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'boundary-only', PermissionsBoundary: readOnly }));
    await expect(svc.iam(who).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('iam:PermissionsBoundary lets a delegated admin set only a given boundary', async () => {
    const who = await svc.userWithPolicy('delegate', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['iam:CreateUser', 'iam:PutUserPermissionsBoundary', 'iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
          Resource: '*',
          Condition: { StringEquals: { 'iam:PermissionsBoundary': readOnly } },
        },
      ],
    });
    const client = svc.iam(who);
    await client.send(new CreateUserCommand({ UserName: 'delegated', PermissionsBoundary: readOnly }));
    await expect(client.send(new CreateUserCommand({ UserName: 'unbounded' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await client.send(new PutUserPermissionsBoundaryCommand({ UserName: 'delegated', PermissionsBoundary: readOnly }));
    await expect(client.send(new PutUserPermissionsBoundaryCommand({ UserName: 'delegated', PermissionsBoundary: other }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await client.send(new CreateRoleCommand({ RoleName: 'DelegatedRole', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: readOnly }));
    await expect(client.send(new CreateRoleCommand({ RoleName: 'FreeRole', AssumeRolePolicyDocument: TRUST }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(client.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'DelegatedRole', PermissionsBoundary: other }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('a user denied Delete*PermissionsBoundary gets AWS message, on the ARN with the real path', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Kept', Path: '/keep/', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: readOnly }));
    const who = await svc.userWithPolicy('no-escape', allow('iam:GetRole'));
    const err = await svc.iam(who).send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'Kept' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(`User: arn:aws:iam::${acct}:user/no-escape is not authorized to perform: iam:DeleteRolePermissionsBoundary on resource: arn:aws:iam::${acct}:role/keep/Kept because no identity-based policy allows the iam:DeleteRolePermissionsBoundary action`);
  });

  test('an inline policy put after the boundary is still held to it', async () => {
    const who = await svc.userWithPolicy('later');
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'later', PermissionsBoundary: readOnly }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'later', PolicyName: 'all', PolicyDocument: JSON.stringify(allow('iam:*')) }));
    const client = svc.iam(who);
    await client.send(new GetUserCommand({ UserName: 'later' }));
    await expect(client.send(new CreateUserCommand({ UserName: 'by-later' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

/**
 * The delegation pattern of "Permissions boundaries for IAM entities": an administrator may change
 * the policies only of users and roles that already have boundary X. For Put/Delete{User,Role}Policy
 * and Delete{User,Role}PermissionsBoundary, iam:PermissionsBoundary is the boundary the target
 * has now; a target without one has no such key, so StringEquals does not match.
 */
describe('iam:PermissionsBoundary is the boundary the user or role already has', () => {
  let admin: IAMClient;
  let adminName: string;
  const doc = JSON.stringify(allow('s3:GetObject'));

  function denial(action: string, resource: string, why = `because no identity-based policy allows the iam:${action} action`): unknown {
    return `User: arn:aws:iam::${acct}:user/${adminName} is not authorized to perform: iam:${action} on resource: arn:aws:iam::${acct}:${resource} ${why}`;
  }

  async function expectDenied(call: Promise<unknown>, message: unknown): Promise<void> {
    const err = await call.catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(message);
  }

  beforeAll(async () => {
    await iam.send(new CreateUserCommand({ UserName: 'in-x', Path: '/team/', PermissionsBoundary: readOnly }));
    await iam.send(new CreateUserCommand({ UserName: 'in-other', PermissionsBoundary: other }));
    await iam.send(new CreateUserCommand({ UserName: 'unbounded-user' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'RoleInX', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: readOnly }));
    await iam.send(new CreateRoleCommand({ RoleName: 'UnboundedRole', AssumeRolePolicyDocument: TRUST }));
    const who = await svc.userWithPolicy('boundary-admin', {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ChangeOnlyWithinBoundary',
          Effect: 'Allow',
          Action: ['iam:PutUserPolicy', 'iam:DeleteUserPolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
          Resource: '*',
          Condition: { StringEquals: { 'iam:PermissionsBoundary': readOnly } },
        },
        { Sid: 'RemoveOtherBoundaries', Effect: 'Allow', Action: ['iam:DeleteUserPermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'], Resource: '*' },
        {
          Sid: 'NeverRemoveX',
          Effect: 'Deny',
          Action: ['iam:DeleteUserPermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'],
          Resource: '*',
          Condition: { StringEquals: { 'iam:PermissionsBoundary': readOnly } },
        },
      ],
    });
    adminName = who.userName;
    admin = svc.iam(who);
  });

  test('PutUserPolicy and DeleteUserPolicy succeed on a user bounded by X', async () => {
    await admin.send(new PutUserPolicyCommand({ UserName: 'in-x', PolicyName: 'p', PolicyDocument: doc }));
    expect((await iam.send(new GetUserPolicyCommand({ UserName: 'in-x', PolicyName: 'p' }))).PolicyName).toBe('p');
    await admin.send(new DeleteUserPolicyCommand({ UserName: 'in-x', PolicyName: 'p' }));
    await expect(iam.send(new GetUserPolicyCommand({ UserName: 'in-x', PolicyName: 'p' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('PutUserPolicy on a user without a boundary, or with another, is AccessDenied', async () => {
    await expectDenied(admin.send(new PutUserPolicyCommand({ UserName: 'unbounded-user', PolicyName: 'p', PolicyDocument: doc })), denial('PutUserPolicy', 'user/unbounded-user'));
    await expectDenied(admin.send(new PutUserPolicyCommand({ UserName: 'in-other', PolicyName: 'p', PolicyDocument: doc })), denial('PutUserPolicy', 'user/in-other'));
  });

  test('DeleteUserPolicy on a user without boundary X is AccessDenied, and the policy stays', async () => {
    await iam.send(new PutUserPolicyCommand({ UserName: 'unbounded-user', PolicyName: 'kept', PolicyDocument: doc }));
    await expectDenied(admin.send(new DeleteUserPolicyCommand({ UserName: 'unbounded-user', PolicyName: 'kept' })), denial('DeleteUserPolicy', 'user/unbounded-user'));
    expect((await iam.send(new GetUserPolicyCommand({ UserName: 'unbounded-user', PolicyName: 'kept' }))).PolicyName).toBe('kept');
  });

  test('the key follows the boundary as it changes', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'moving' }));
    await expectDenied(admin.send(new PutUserPolicyCommand({ UserName: 'moving', PolicyName: 'p', PolicyDocument: doc })), denial('PutUserPolicy', 'user/moving'));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'moving', PermissionsBoundary: readOnly }));
    await admin.send(new PutUserPolicyCommand({ UserName: 'moving', PolicyName: 'p', PolicyDocument: doc }));
  });

  test('PutRolePolicy and DeleteRolePolicy: allowed on a role bounded by X, denied on one without', async () => {
    await admin.send(new PutRolePolicyCommand({ RoleName: 'RoleInX', PolicyName: 'p', PolicyDocument: doc }));
    await admin.send(new DeleteRolePolicyCommand({ RoleName: 'RoleInX', PolicyName: 'p' }));
    await expectDenied(admin.send(new PutRolePolicyCommand({ RoleName: 'UnboundedRole', PolicyName: 'p', PolicyDocument: doc })), denial('PutRolePolicy', 'role/UnboundedRole'));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'UnboundedRole', PolicyName: 'kept', PolicyDocument: doc }));
    await expectDenied(admin.send(new DeleteRolePolicyCommand({ RoleName: 'UnboundedRole', PolicyName: 'kept' })), denial('DeleteRolePolicy', 'role/UnboundedRole'));
  });

  test('Delete*PermissionsBoundary sees the boundary being removed: X may not be removed, another may', async () => {
    const explicit = 'with an explicit deny in an identity-based policy';
    await expectDenied(admin.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'in-x' })), denial('DeleteUserPermissionsBoundary', 'user/team/in-x', explicit));
    await expectDenied(admin.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'RoleInX' })), denial('DeleteRolePermissionsBoundary', 'role/RoleInX', explicit));
    expect((await iam.send(new GetUserCommand({ UserName: 'in-x' }))).User?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(readOnly);
    await admin.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'in-other' }));
    expect((await iam.send(new GetUserCommand({ UserName: 'in-other' }))).User?.PermissionsBoundary).toBeUndefined();
  });

  test('existingBoundaryContext gives the key only for a user or role that has a boundary', async () => {
    const ctx = { db: svc.store.db, accountId: acct };
    const of = async (kind: EntityKind, name: string) => existingBoundaryContext(await loadTarget(kind, ctx, name));
    expect(await of(USER, 'IN-X')).toEqual({ 'iam:PermissionsBoundary': readOnly });
    expect(await of(ROLE, 'roleinx')).toEqual({ 'iam:PermissionsBoundary': readOnly });
    expect(await of(USER, 'unbounded-user')).toEqual({});
    expect(await of(USER, 'nobody')).toEqual({});
  });
});
