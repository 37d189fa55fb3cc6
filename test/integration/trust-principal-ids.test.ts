/**
 * Trust that dies with its principal (issue 11, item 2). IAM stores a trust policy's IAM user and
 * role principals as their unique ids when the policy is saved (IAM User Guide, "AWS JSON policy
 * elements: Principal", IAM role and IAM user principals): a principal deleted and recreated under
 * the same name is another principal and is not trusted; GetRole shows the old unique id in place
 * of the ARN once the principal is gone, and the ARN while it lives. Account, `*`, session and
 * Service principals are kept as written.
 */
import {
  CreateRoleCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleDescriptionCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { eq } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { newUniqueId } from '../../src/iam/ids.js';
import { roles } from '../../src/store/schema.js';
import { DELETED_PRINCIPAL_ID } from '../../src/store/roles.js';
import { allow, type Credentials, credentialsOf, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

function trust(aws: string | string[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole', ...extra }] });
}

function userArn(name: string, account = acct): string {
  return `arn:aws:iam::${account}:user/${name}`;
}

function roleArn(name: string, account = acct): string {
  return `arn:aws:iam::${account}:role/${name}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** AccessDenied for AssumeRole, with AWS's wording (whatever follows it). */
function deniedAssume(callerArn: string, role: string): { name: string; message: unknown } {
  return { name: 'AccessDenied', message: expect.stringMatching(new RegExp(`^User: ${escape(callerArn)} is not authorized to perform: sts:AssumeRole on resource: ${escape(role)}`)) };
}

async function assume(who: Credentials, role: string): Promise<Credentials> {
  const { Credentials } = await svc.sts(who).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'trust-test' }));
  return credentialsOf(Credentials);
}

/** The trust policy GetRole shows, decoded. */
async function shownTrust(name: string, admin: IAMClient = iam): Promise<string> {
  const { Role } = await admin.send(new GetRoleCommand({ RoleName: name }));
  return decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '');
}

async function userId(name: string, admin: IAMClient = iam): Promise<string> {
  const { User } = await admin.send(new GetUserCommand({ UserName: name }));
  if (!User?.UserId) throw new Error('GetUser returned no id');
  return User.UserId;
}

async function roleId(name: string, admin: IAMClient = iam): Promise<string> {
  const { Role } = await admin.send(new GetRoleCommand({ RoleName: name }));
  if (!Role?.RoleId) throw new Error('GetRole returned no id');
  return Role.RoleId;
}

/** Delete a user made by userWithPolicy: its key and inline policy first, as IAM requires. */
async function deleteUser(user: Credentials & { userName: string }, policy: boolean, admin: IAMClient = iam): Promise<void> {
  await admin.send(new DeleteAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId }));
  if (policy) await admin.send(new DeleteUserPolicyCommand({ UserName: user.userName, PolicyName: 'test' }));
  await admin.send(new DeleteUserCommand({ UserName: user.userName }));
}

describe('an IAM user principal', () => {
  test('deleted and recreated user cannot assume the role', async () => {
    const alice = await svc.userWithPolicy('alice');
    const role = roleArn('AliceRole');
    await iam.send(new CreateRoleCommand({ RoleName: 'AliceRole', AssumeRolePolicyDocument: trust(userArn('alice')) }));
    await assume(alice, role);

    await deleteUser(alice, false);
    const again = await svc.userWithPolicy('alice');
    await expect(assume(again, role)).rejects.toMatchObject(deniedAssume(userArn('alice'), role));
    // Not even with an identity policy of its own: the trust policy names the old alice, not the account.
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'test', PolicyDocument: JSON.stringify(allow('sts:AssumeRole', role)) }));
    await expect(assume(again, role)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('GetRole shows the ARN while the user lives and its AIDA… id once it is deleted, in ListRoles too', async () => {
    const bob = await svc.userWithPolicy('bob');
    const bobId = await userId('bob');
    const written = trust(userArn('bob'));
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'BobRole', Path: '/shown/', AssumeRolePolicyDocument: written }));
    expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toBe(written);
    expect(await shownTrust('BobRole')).toBe(written);

    await deleteUser(bob, false);
    const afterDelete = written.replace(userArn('bob'), bobId);
    expect(bobId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(await shownTrust('BobRole')).toBe(afterDelete);
    const { Roles } = await iam.send(new ListRolesCommand({ PathPrefix: '/shown/' }));
    expect(Roles?.map((r) => r.AssumeRolePolicyDocument)).toEqual([encodeURIComponent(afterDelete)]);
    const { Role: described } = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'BobRole', Description: 'd' }));
    expect(decodeURIComponent(described?.AssumeRolePolicyDocument ?? '')).toBe(afterDelete);

    // Recreated, bob has another id: the policy still shows (and names) the old one.
    await svc.userWithPolicy('bob');
    expect(await userId('bob')).not.toBe(bobId);
    expect(await shownTrust('BobRole')).toBe(afterDelete);
  });

  test('saving the policy again with UpdateAssumeRolePolicy makes the recreated user match', async () => {
    const carol = await svc.userWithPolicy('carol');
    const role = roleArn('CarolRole');
    await iam.send(new CreateRoleCommand({ RoleName: 'CarolRole', AssumeRolePolicyDocument: trust(userArn('carol')) }));
    await deleteUser(carol, false);
    const again = await svc.userWithPolicy('carol');
    await expect(assume(again, role)).rejects.toMatchObject({ name: 'AccessDenied' });

    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'CarolRole', PolicyDocument: trust(userArn('carol')) }));
    await assume(again, role);
    expect(await shownTrust('CarolRole')).toBe(trust(userArn('carol')));
  });

  test('a deleted user cannot be named again until it exists: Invalid principal in policy', async () => {
    const dave = await svc.userWithPolicy('dave');
    await iam.send(new CreateRoleCommand({ RoleName: 'DaveRole', AssumeRolePolicyDocument: trust(userArn('dave')) }));
    await deleteUser(dave, false);
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'DaveRole', PolicyDocument: trust(userArn('dave')) }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Invalid principal in policy: "AWS":"${userArn('dave')}"`,
    });
  });

  test('a renamed user keeps the trust (it is the same principal), and GetRole shows its new ARN', async () => {
    const erin = await svc.userWithPolicy('erin');
    const role = roleArn('ErinRole');
    await iam.send(new CreateRoleCommand({ RoleName: 'ErinRole', AssumeRolePolicyDocument: trust(userArn('erin')) }));
    await iam.send(new UpdateUserCommand({ UserName: 'erin', NewUserName: 'erin2', NewPath: '/moved/' }));
    expect(await shownTrust('ErinRole')).toBe(trust(`arn:aws:iam::${acct}:user/moved/erin2`));
    await assume(erin, role);
    // A new user under the old name is someone else.
    const impostor = await svc.userWithPolicy('erin');
    await expect(assume(impostor, role)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('a Condition naming the user keeps its ARN: only Principal is converted', async () => {
    const frank = await svc.userWithPolicy('frank');
    const written = trust(userArn('frank'), { Condition: { ArnEquals: { 'aws:PrincipalArn': userArn('frank') } } });
    await iam.send(new CreateRoleCommand({ RoleName: 'FrankRole', AssumeRolePolicyDocument: written }));
    const stored = await svc.store.db.select({ trustPolicy: roles.trustPolicy }).from(roles).where(eq(roles.nameLower, 'frankrole'));
    const frankId = await userId('frank');
    expect(stored[0]?.trustPolicy).toBe(written.replace(`"AWS":"${userArn('frank')}"`, `"AWS":"${frankId}"`));
    await assume(frank, roleArn('FrankRole'));
  });
});

describe('an IAM role principal', () => {
  test('sessions of a role deleted and recreated under the same name cannot assume the role', async () => {
    const user = await svc.userWithPolicy('role-chainer');
    const source = roleArn('SourceRole');
    const target = roleArn('TargetRole');
    const sourceTrust = trust(userArn('role-chainer'));
    await iam.send(new CreateRoleCommand({ RoleName: 'SourceRole', AssumeRolePolicyDocument: sourceTrust }));
    await iam.send(new CreateRoleCommand({ RoleName: 'TargetRole', AssumeRolePolicyDocument: trust(source) }));
    const oldSourceId = await roleId('SourceRole');
    await assume(await assume(user, source), target);
    expect(await shownTrust('TargetRole')).toBe(trust(source));

    await iam.send(new DeleteRoleCommand({ RoleName: 'SourceRole' }));
    expect(await shownTrust('TargetRole')).toBe(trust(oldSourceId));
    expect(oldSourceId).toMatch(/^AROA[A-Z2-7]{17}$/);

    await iam.send(new CreateRoleCommand({ RoleName: 'SourceRole', AssumeRolePolicyDocument: sourceTrust }));
    // Even with an identity policy allowing it: the trust policy names the old role, not the account.
    await iam.send(new PutRolePolicyCommand({ RoleName: 'SourceRole', PolicyName: 'p', PolicyDocument: JSON.stringify(allow('sts:AssumeRole')) }));
    const session = await assume(user, source);
    await expect(assume(session, target)).rejects.toMatchObject(deniedAssume(`arn:aws:sts::${acct}:assumed-role/SourceRole/trust-test`, target));

    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'TargetRole', PolicyDocument: trust(source) }));
    await assume(session, target);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'SourceRole', PolicyName: 'p' }));
  });
});

describe('a principal in another account of the deployment', () => {
  let other: NewAccount;
  let otherIam: IAMClient;

  test('is stored by id too: recreated, it is refused; GetRole in the role’s account shows the id', async () => {
    other = await svc.newAccount();
    otherIam = svc.iam(rootCredentials(other));
    const grace = await svc.userWithPolicy('grace', allow('sts:AssumeRole'), other);
    const graceId = await userId('grace', otherIam);
    const role = roleArn('CrossRole');
    const written = trust(userArn('grace', other.accountId));
    await iam.send(new CreateRoleCommand({ RoleName: 'CrossRole', AssumeRolePolicyDocument: written }));
    await assume(grace, role);

    await deleteUser(grace, true, otherIam);
    expect(await shownTrust('CrossRole')).toBe(written.replace(userArn('grace', other.accountId), graceId));
    const again = await svc.userWithPolicy('grace', allow('sts:AssumeRole'), other);
    await expect(assume(again, role)).rejects.toMatchObject(deniedAssume(userArn('grace', other.accountId), role));
  });
});

describe('principals IAM does not convert', () => {
  test('root, a bare account id, *, session ARNs and Service are stored and shown as written', async () => {
    const written = JSON.stringify(
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Accounts', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${acct}:root`, '123456789012', `arn:aws:sts::${acct}:assumed-role/Some/session`] }, Action: 'sts:AssumeRole' },
          { Sid: 'Everyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x' } } },
          { Sid: 'Service', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      null,
      2,
    );
    await iam.send(new CreateRoleCommand({ RoleName: 'Unconverted', AssumeRolePolicyDocument: written }));
    expect(await shownTrust('Unconverted')).toBe(written);
    const stored = await svc.store.db.select({ trustPolicy: roles.trustPolicy }).from(roles).where(eq(roles.nameLower, 'unconverted'));
    expect(stored[0]?.trustPolicy).toBe(written);
  });

  test('a trust of the account still defers to identity policies, whoever the user is', async () => {
    const role = roleArn('AccountRole');
    await iam.send(new CreateRoleCommand({ RoleName: 'AccountRole', AssumeRolePolicyDocument: trust(acct) }));
    const henry = await svc.userWithPolicy('henry', allow('sts:AssumeRole', role));
    await assume(henry, role);
    await deleteUser(henry, true);
    const again = await svc.userWithPolicy('henry', allow('sts:AssumeRole', role));
    await assume(again, role);
    const none = await svc.userWithPolicy('henry-without-policy');
    await expect(assume(none, role)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('a trust of * lets any caller with an identity allow in, recreated or not', async () => {
    const role = roleArn('StarRole');
    await iam.send(new CreateRoleCommand({ RoleName: 'StarRole', AssumeRolePolicyDocument: trust('*') }));
    const ivy = await svc.userWithPolicy('ivy', allow('sts:AssumeRole', role));
    await assume(ivy, role);
    expect(await shownTrust('StarRole')).toBe(trust('*'));
  });
});

describe('roles saved before principals were stored by id', () => {
  test('are converted once at migration: living principals get their id, deleted ones an id no one has', async () => {
    const kate = await svc.userWithPolicy('kate');
    const kateId = await userId('kate');
    await iam.send(new CreateRoleCommand({ RoleName: 'KateSource', AssumeRolePolicyDocument: trust(userArn('kate')) }));
    const sourceId = await roleId('KateSource');
    const legacy = `{ "Version": "2012-10-17", "Statement": [ {
      "Effect": "Allow",
      "Principal": { "AWS": [ "${userArn('kate')}", "${userArn('ghost')}", "${roleArn('KateSource')}", "${roleArn('Gone')}", "${acct}" ] },
      "Action": "sts:AssumeRole",
      "Condition": { "ArnLike": { "aws:PrincipalArn": [ "${userArn('kate')}", "${userArn('ghost')}", "${roleArn('KateSource')}", "arn:aws:iam::${acct}:*" ] } }
    } ] }`;
    // As a role written by the previous version: ARNs as text, marked by the migration.
    const id = newUniqueId('role');
    await svc.store.db.insert(roles).values({ id, accountId: acct, name: 'Legacy', nameLower: 'legacy', path: '/', createdAt: new Date(), trustPolicy: legacy, maxSessionDuration: 3600, trustPrincipalIds: false });

    await svc.store.migrate();
    const [row] = await svc.store.db.select({ trustPolicy: roles.trustPolicy, trustPrincipalIds: roles.trustPrincipalIds }).from(roles).where(eq(roles.id, id));
    const converted = legacy.replace(
      `[ "${userArn('kate')}", "${userArn('ghost')}", "${roleArn('KateSource')}", "${roleArn('Gone')}", "${acct}" ]`,
      `[ "${kateId}", "${DELETED_PRINCIPAL_ID.user}", "${sourceId}", "${DELETED_PRINCIPAL_ID.role}", "${acct}" ]`,
    );
    expect(converted).not.toBe(legacy);
    expect(row).toEqual({ trustPolicy: converted, trustPrincipalIds: true });
    expect(await shownTrust('Legacy')).toBe(
      legacy.replace(`"${userArn('ghost')}", "${roleArn('KateSource')}", "${roleArn('Gone')}"`, `"${DELETED_PRINCIPAL_ID.user}", "${roleArn('KateSource')}", "${DELETED_PRINCIPAL_ID.role}"`),
    );
    await assume(kate, roleArn('Legacy'));
    await assume(await assume(kate, roleArn('KateSource')), roleArn('Legacy'));
    // A user created now under the deleted name is not the one the old policy meant.
    const ghost = await svc.userWithPolicy('ghost');
    await expect(assume(ghost, roleArn('Legacy'))).rejects.toMatchObject({ name: 'AccessDenied' });

    // Converted once: a later start leaves the role as it is.
    await svc.store.migrate();
    const [after] = await svc.store.db.select({ trustPolicy: roles.trustPolicy }).from(roles).where(eq(roles.id, id));
    expect(after?.trustPolicy).toBe(converted);
  });
});
