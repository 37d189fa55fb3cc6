import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  type IAMClient,
  ListRolesCommand,
  ListRoleTagsCommand,
  CreateUserCommand,
  DeleteUserCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { newUniqueId } from '../../src/iam/ids.js';
import { managedPolicies, policyAttachments, policyVersions, roles } from '../../src/store/schema.js';
import { allow, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function trust(statement: object): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

/**
 * A trust policy (no whitespace) of at least `n` characters, and at most 40 more. Its principals
 * are account roots: users and roles would have to exist.
 */
function bigTrust(n: number): string {
  const principals: string[] = [];
  let doc = '';
  while (doc.length < n) {
    principals.push(`arn:aws:iam::${100_000_000_000 + principals.length}:root`);
    doc = trust({ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' });
  }
  return doc;
}

describe('CreateRole and GetRole', () => {
  test('CreateRole returns the Role shape; GetRole adds tags, RoleLastUsed and the encoded trust policy', async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({ RoleName: 'App', Path: '/svc/', AssumeRolePolicyDocument: TRUST, Description: 'the app', Tags: [{ Key: 'team', Value: 'core' }] }),
    );
    expect(Role?.Arn).toBe(`arn:aws:iam::${acct}:role/svc/App`);
    expect(Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    // AWS's CreateRole result has no MaxSessionDuration (LocalStack's AWS-validated recordings); GetRole has it.
    expect(Role?.MaxSessionDuration).toBeUndefined();
    expect(Role?.Description).toBe('the app');
    expect(Role?.Tags).toEqual([{ Key: 'team', Value: 'core' }]);
    expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toBe(TRUST);

    const got = await iam.send(new GetRoleCommand({ RoleName: 'app' }));
    expect(got.Role).toMatchObject({ RoleName: 'App', Path: '/svc/', RoleId: Role?.RoleId, Description: 'the app', MaxSessionDuration: 3600 });
    // IAM returns documents URL-encoded (RFC 3986).
    expect(got.Role?.AssumeRolePolicyDocument).toBe(encodeURIComponent(TRUST));
    expect(got.Role?.Tags).toEqual([{ Key: 'team', Value: 'core' }]);
    expect(got.Role?.RoleLastUsed).toEqual({});
    expect(got.Role?.PermissionsBoundary).toBeUndefined();
  });

  test('MaxSessionDuration is kept; RoleLastUsed comes from the last use recorded', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Long', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 43200 }));
    const used = new Date('2024-05-01T10:00:00.000Z');
    await svc.store.db.update(roles).set({ lastUsedAt: used, lastUsedRegion: 'eu-west-1' }).where(eq(roles.nameLower, 'long'));
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'Long' }));
    expect(Role?.MaxSessionDuration).toBe(43200);
    expect(Role?.RoleLastUsed).toEqual({ LastUsedDate: used, Region: 'eu-west-1' });
  });

  const misuse: [string, Partial<ConstructorParameters<typeof CreateRoleCommand>[0]>, string, RegExp | string][] = [
    ['a name taken case-insensitively', { RoleName: 'APP' }, 'EntityAlreadyExistsException', 'Role with name APP already exists.'],
    ['a non-sts action in the trust policy', { AssumeRolePolicyDocument: trust({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject' }) }, 'MalformedPolicyDocumentException', 'AssumeRole policy may only specify STS AssumeRole actions.'],
    ['a Resource in the trust policy', { AssumeRolePolicyDocument: trust({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Resource: '*' }) }, 'MalformedPolicyDocumentException', 'Has prohibited field Resource'],
    ['NotPrincipal in the trust policy', { AssumeRolePolicyDocument: trust({ Effect: 'Deny', NotPrincipal: { AWS: '*' }, Action: 'sts:AssumeRole' }) }, 'MalformedPolicyDocumentException', 'Has prohibited field NotPrincipal'],
    ['a trust policy that is not JSON', { AssumeRolePolicyDocument: '{"Version":' }, 'MalformedPolicyDocumentException', /./],
    ['a trust policy over 2,048 characters', { AssumeRolePolicyDocument: bigTrust(2100) }, 'LimitExceededException', 'Cannot exceed quota for ACLSizePerRole: 2048'],
    ['MaxSessionDuration under an hour', { MaxSessionDuration: 3599 }, 'ValidationError', /maxSessionDuration.*greater than or equal to 3600/],
    ['MaxSessionDuration over 12 hours', { MaxSessionDuration: 43201 }, 'ValidationError', /maxSessionDuration.*less than or equal to 43200/],
    ['a name with a bad character', { RoleName: 'bad/name' }, 'ValidationError', /roleName/],
    ['an unknown boundary', { PermissionsBoundary: `arn:aws:iam::${'1'.repeat(12)}:policy/nope` }, 'NoSuchEntityException', 'Scope ARN: arn:aws:iam::111111111111:policy/nope does not exist or is not attachable.'],
    ['tag keys equal but for case', { Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }, 'InvalidInputException', /Duplicate tag keys/],
  ];
  test.each(misuse)('CreateRole refuses %s', async (_, input, name, message) => {
    const err = await iam.send(new CreateRoleCommand({ RoleName: 'Fresh', AssumeRolePolicyDocument: TRUST, ...input })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name });
    expect((err as Error).message).toMatch(message);
  });

  test('a trust policy of exactly 2,048 non-whitespace characters is accepted', async () => {
    const base = bigTrust(1900);
    const sid = 'S'.repeat(2048 - base.length - '"Sid":"",'.length);
    // Whitespace does not count: the spaced-out document is far longer than 2,048 characters.
    const doc = base.replace('"Effect"', `"Sid":"${sid}","Effect"`).replace(/,/g, ',   ');
    expect(doc.replace(/\s/g, '').length).toBe(2048);
    await iam.send(new CreateRoleCommand({ RoleName: 'Exact', AssumeRolePolicyDocument: doc }));
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'Exact2', AssumeRolePolicyDocument: doc.replace('"Sid":"', '"Sid":"X') }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
  });

  test('two concurrent CreateRole calls for one name: one succeeds, the other is EntityAlreadyExists', async () => {
    const results = await Promise.allSettled(
      ['Racer', 'RACER', 'racer'].map((n) => iam.send(new CreateRoleCommand({ RoleName: n, AssumeRolePolicyDocument: TRUST }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'EntityAlreadyExistsException' });
  });

  test('GetRole of an unknown role is NoSuchEntity', async () => {
    await expect(iam.send(new GetRoleCommand({ RoleName: 'Ghost' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role with name Ghost cannot be found.',
    });
  });

  test('an account holds at most 1,000 roles', async () => {
    const other = await svc.newAccount();
    // Filled directly: creating 1,000 roles through the API would only make the test slow.
    await svc.store.db.insert(roles).values(
      Array.from({ length: 1000 }, (_, i) => ({
        id: newUniqueId('role'),
        accountId: other.accountId,
        name: `r${i}`,
        nameLower: `r${i}`,
        path: '/',
        createdAt: new Date(),
        trustPolicy: TRUST,
        maxSessionDuration: 3600,
      })),
    );
    const client = svc.iam({ accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    await expect(client.send(new CreateRoleCommand({ RoleName: 'OneTooMany', AssumeRolePolicyDocument: TRUST }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for RolesPerAccount: 1000',
    });
  });
});

describe('UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy', () => {
  beforeAll(async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Upd', AssumeRolePolicyDocument: TRUST, Description: 'before' }));
  });

  test('UpdateRole changes what it is given and leaves the rest', async () => {
    await iam.send(new UpdateRoleCommand({ RoleName: 'Upd', MaxSessionDuration: 7200 }));
    let { Role } = await iam.send(new GetRoleCommand({ RoleName: 'Upd' }));
    expect(Role).toMatchObject({ MaxSessionDuration: 7200, Description: 'before' });
    await iam.send(new UpdateRoleCommand({ RoleName: 'upd', Description: 'after' }));
    ({ Role } = await iam.send(new GetRoleCommand({ RoleName: 'Upd' })));
    expect(Role).toMatchObject({ MaxSessionDuration: 7200, Description: 'after' });
  });

  test('UpdateRoleDescription returns the updated role', async () => {
    const { Role } = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'Upd', Description: 'described' }));
    expect(Role).toMatchObject({ RoleName: 'Upd', Description: 'described', MaxSessionDuration: 7200 });
    expect((await iam.send(new GetRoleCommand({ RoleName: 'Upd' }))).Role?.Description).toBe('described');
  });

  test('UpdateAssumeRolePolicy replaces the trust policy after validating it', async () => {
    const next = trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Upd', PolicyDocument: next }));
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'Upd' }));
    expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toBe(next);
    await expect(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Upd', PolicyDocument: trust({ Effect: 'Allow', Principal: '*', Action: 'iam:*' }) })),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Upd', PolicyDocument: bigTrust(2100) }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
  });

  const unknown: [string, () => Promise<unknown>][] = [
    ['UpdateRole', () => iam.send(new UpdateRoleCommand({ RoleName: 'Ghost', Description: 'x' }))],
    ['UpdateRoleDescription', () => iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'Ghost', Description: 'x' }))],
    ['UpdateAssumeRolePolicy', () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Ghost', PolicyDocument: TRUST }))],
    ['DeleteRole', () => iam.send(new DeleteRoleCommand({ RoleName: 'Ghost' }))],
    ['TagRole', () => iam.send(new TagRoleCommand({ RoleName: 'Ghost', Tags: [{ Key: 'k', Value: 'v' }] }))],
    ['UntagRole', () => iam.send(new UntagRoleCommand({ RoleName: 'Ghost', TagKeys: ['k'] }))],
    ['ListRoleTags', () => iam.send(new ListRoleTagsCommand({ RoleName: 'Ghost' }))],
  ];
  test.each(unknown)('%s of an unknown role is NoSuchEntity', async (_, call) => {
    await expect(call()).rejects.toMatchObject({ name: 'NoSuchEntityException', message: 'The role with name Ghost cannot be found.' });
  });

  test('UpdateRole refuses a MaxSessionDuration out of range', async () => {
    await expect(iam.send(new UpdateRoleCommand({ RoleName: 'Upd', MaxSessionDuration: 60 }))).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('DeleteRole', () => {
  test('refuses while the role has inline policies, then deletes it', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Doomed', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Doomed', PolicyName: 'p', PolicyDocument: JSON.stringify(allow('s3:*')) }));
    await expect(iam.send(new DeleteRoleCommand({ RoleName: 'Doomed' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete policies first.',
    });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'Doomed', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'doomed' }));
    await expect(iam.send(new GetRoleCommand({ RoleName: 'Doomed' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    // The name is free again, and the new role starts without the old one's tags.
    await iam.send(new CreateRoleCommand({ RoleName: 'Doomed', AssumeRolePolicyDocument: TRUST }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'Doomed' }))).Tags).toEqual([]);
  });

  test('refuses while the role has attached managed policies', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Attached', AssumeRolePolicyDocument: TRUST }));
    const [role] = await svc.store.db.select({ id: roles.id }).from(roles).where(eq(roles.nameLower, 'attached'));
    // The attachment is written directly: this file tests DeleteRole, not AttachRolePolicy.
    const policyId = newUniqueId('policy');
    const now = new Date();
    await svc.store.db.insert(managedPolicies).values({
      id: policyId,
      accountId: acct,
      name: 'AttachedPolicy',
      nameLower: 'attachedpolicy',
      path: '/',
      arn: `arn:aws:iam::${acct}:policy/AttachedPolicy`,
      defaultVersionId: 'v1',
      nextVersion: 2,
      createdAt: now,
      updatedAt: now,
    });
    await svc.store.db.insert(policyVersions).values({ policyId, versionId: 'v1', document: JSON.stringify(allow('s3:*')), createdAt: now });
    await svc.store.db.insert(policyAttachments).values({ ownerId: role?.id ?? '', accountId: acct, ownerType: 'role', policyId, attachedAt: now });
    await expect(iam.send(new DeleteRoleCommand({ RoleName: 'Attached' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must detach all policies first.',
    });
    await svc.store.db.delete(policyAttachments).where(eq(policyAttachments.policyId, policyId));
    await iam.send(new DeleteRoleCommand({ RoleName: 'Attached' }));
  });
});

describe('ListRoles', () => {
  beforeAll(async () => {
    for (const n of ['l3', 'L1', 'l2']) await iam.send(new CreateRoleCommand({ RoleName: n, Path: '/list/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 't', Value: n }] }));
  });

  test('filters by PathPrefix, sorts by name, paginates with MaxItems and Marker', async () => {
    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/list/', MaxItems: 2 }));
    expect(first.Roles?.map((r) => r.RoleName)).toEqual(['L1', 'l2']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListRolesCommand({ PathPrefix: '/list/', MaxItems: 2, Marker: first.Marker }));
    expect(second.Roles?.map((r) => r.RoleName)).toEqual(['l3']);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
  });

  test('items carry the encoded trust policy but no tags or RoleLastUsed, as AWS lists them', async () => {
    const { Roles } = await iam.send(new ListRolesCommand({ PathPrefix: '/list/' }));
    const l1 = Roles?.find((r) => r.RoleName === 'L1');
    expect(l1?.AssumeRolePolicyDocument).toBe(encodeURIComponent(TRUST));
    expect(l1?.MaxSessionDuration).toBe(3600);
    expect(l1?.Tags).toBeUndefined();
    expect(l1?.RoleLastUsed).toBeUndefined();
  });

  test('a marker it did not issue is refused', async () => {
    await expect(iam.send(new ListRolesCommand({ Marker: 'not-ours' }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('TagRole, UntagRole, ListRoleTags', () => {
  beforeAll(async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Tagged', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'Env', Value: 'dev' }] }));
  });

  test('TagRole adds tags and replaces a key given again in any case', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'Tagged', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'me' }] }));
    const { Tags } = await iam.send(new ListRoleTagsCommand({ RoleName: 'Tagged' }));
    expect(Tags).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'owner', Value: 'me' },
    ]);
  });

  test('UntagRole removes keys case-insensitively and ignores keys the role lacks', async () => {
    await iam.send(new UntagRoleCommand({ RoleName: 'Tagged', TagKeys: ['OWNER', 'missing'] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'Tagged' }))).Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
  });

  test('ListRoleTags paginates', async () => {
    await iam.send(new TagRoleCommand({ RoleName: 'Tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    const first = await iam.send(new ListRoleTagsCommand({ RoleName: 'Tagged', MaxItems: 2 }));
    expect(first.Tags?.map((t) => t.Key)).toEqual(['a', 'b']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListRoleTagsCommand({ RoleName: 'Tagged', MaxItems: 2, Marker: first.Marker }));
    expect(second.Tags?.map((t) => t.Key)).toEqual(['env']);
    expect(second.IsTruncated).toBe(false);
  });

  test('a role holds at most 50 tags', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Full', AssumeRolePolicyDocument: TRUST }));
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await iam.send(new TagRoleCommand({ RoleName: 'Full', Tags: tags }));
    // Replacing existing keys is fine; one more key is not.
    await iam.send(new TagRoleCommand({ RoleName: 'Full', Tags: [{ Key: 'K0', Value: 'w' }] }));
    await expect(iam.send(new TagRoleCommand({ RoleName: 'Full', Tags: [{ Key: 'k50', Value: 'v' }] }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
  });

  test('TagRole refuses reserved aws: keys', async () => {
    await expect(iam.send(new TagRoleCommand({ RoleName: 'Tagged', Tags: [{ Key: 'aws:x', Value: 'v' }] }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
  });
});

describe('authorization', () => {
  let reader: IAMClient;
  let tagger: IAMClient;
  let readerName: string;
  beforeAll(async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Guarded', Path: '/app/', AssumeRolePolicyDocument: TRUST }));
    const r = await svc.userWithPolicy('role-reader', allow(['iam:GetRole', 'iam:ListRoles'], `arn:aws:iam::${acct}:role/app/*`));
    readerName = r.userName;
    reader = svc.iam(r);
    const t = await svc.userWithPolicy('role-creator', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:CreateRole', 'iam:TagRole'], Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'core' } } }],
    });
    tagger = svc.iam(t);
  });

  test('a user allowed on the role path may GetRole; ListRoles is authorized on *', async () => {
    const { Role } = await reader.send(new GetRoleCommand({ RoleName: 'Guarded' }));
    expect(Role?.Arn).toBe(`arn:aws:iam::${acct}:role/app/Guarded`);
    // ListRoles has no resource-level permissions: the policy's role/app/* does not match *.
    await expect(reader.send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('a user without an allow is denied with AWS message, on the ARN with the real path', async () => {
    const err = await reader.send(new DeleteRoleCommand({ RoleName: 'Guarded' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(`User: arn:aws:iam::${acct}:user/${readerName} is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::${acct}:role/app/Guarded because no identity-based policy allows the iam:DeleteRole action`);
    await expect(reader.send(new GetRoleCommand({ RoleName: 'Upd' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('CreateRole and TagRole put the request tags in aws:RequestTag', async () => {
    await tagger.send(new CreateRoleCommand({ RoleName: 'TeamRole', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'core' }] }));
    await expect(
      tagger.send(new CreateRoleCommand({ RoleName: 'OtherRole', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'ops' }] })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(tagger.send(new CreateRoleCommand({ RoleName: 'Untagged', AssumeRolePolicyDocument: TRUST }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await tagger.send(new TagRoleCommand({ RoleName: 'TeamRole', Tags: [{ Key: 'team', Value: 'core' }] }));
  });
});

describe('iam:ResourceTag and aws:ResourceTag: the role’s own tags', () => {
  let teamX: IAMClient;
  let teamXName: string;
  beforeAll(async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'XRole', Path: '/tagged/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'x' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'YRole', Path: '/tagged/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'y' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'BareRole', Path: '/tagged/', AssumeRolePolicyDocument: TRUST }));
    const who = await svc.userWithPolicy('team-x-admin', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:GetRole', 'iam:UpdateRole'], Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/team': 'x' } } },
        // The global spelling works too, and is judged on the tags the role has before the call.
        { Effect: 'Allow', Action: ['iam:TagRole', 'iam:UntagRole'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'x' } } },
      ],
    });
    teamXName = who.userName;
    teamX = svc.iam(who);
  });

  test('GetRole and UpdateRole are allowed on a role tagged team=x', async () => {
    const { Role } = await teamX.send(new GetRoleCommand({ RoleName: 'XRole' }));
    expect(Role?.Tags).toEqual([{ Key: 'team', Value: 'x' }]);
    await teamX.send(new UpdateRoleCommand({ RoleName: 'XRole', Description: 'by team x' }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'XRole' }))).Role?.Description).toBe('by team x');
  });

  const denied: [string, string, (name: string) => Promise<unknown>][] = [
    ['GetRole', 'YRole', (n) => teamX.send(new GetRoleCommand({ RoleName: n }))],
    ['UpdateRole', 'YRole', (n) => teamX.send(new UpdateRoleCommand({ RoleName: n, Description: 'nope' }))],
    ['GetRole', 'BareRole', (n) => teamX.send(new GetRoleCommand({ RoleName: n }))],
    ['UpdateRole', 'BareRole', (n) => teamX.send(new UpdateRoleCommand({ RoleName: n, MaxSessionDuration: 7200 }))],
  ];
  test.each(denied)('%s on %s (not tagged team=x) is AccessDenied with AWS message', async (action, role, call) => {
    const err = await call(role).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(`User: arn:aws:iam::${acct}:user/${teamXName} is not authorized to perform: iam:${action} on resource: arn:aws:iam::${acct}:role/tagged/${role} because no identity-based policy allows the iam:${action} action`);
  });

  test('the keys follow the role’s tags as they change', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Moving', AssumeRolePolicyDocument: TRUST }));
    await expect(teamX.send(new GetRoleCommand({ RoleName: 'Moving' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await iam.send(new TagRoleCommand({ RoleName: 'Moving', Tags: [{ Key: 'team', Value: 'x' }] }));
    await teamX.send(new GetRoleCommand({ RoleName: 'Moving' }));
    // TagRole is judged on the tags the role has now: team x may retag its role away, and then has lost it.
    await teamX.send(new TagRoleCommand({ RoleName: 'Moving', Tags: [{ Key: 'team', Value: 'y' }] }));
    await expect(teamX.send(new GetRoleCommand({ RoleName: 'Moving' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(teamX.send(new TagRoleCommand({ RoleName: 'Moving', Tags: [{ Key: 'team', Value: 'x' }] }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(teamX.send(new UntagRoleCommand({ RoleName: 'Moving', TagKeys: ['team'] }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('a role that does not exist has no tags: the caller is denied before NoSuchEntity', async () => {
    await expect(teamX.send(new GetRoleCommand({ RoleName: 'NoSuchRole' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('trust policy principals must exist', () => {
  let other: string;
  beforeAll(async () => {
    await iam.send(new CreateUserCommand({ UserName: 'trusted', Path: '/ops/' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'TrustedRole', Path: '/ops/', AssumeRolePolicyDocument: TRUST }));
    const second = await svc.newAccount();
    other = second.accountId;
    await svc.iam(rootCredentials(second)).send(new CreateUserCommand({ UserName: 'partner' }));
  });

  const trusting = (aws: string | string[]) => trust({ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' });
  let n = 0;
  const create = (doc: string) => iam.send(new CreateRoleCommand({ RoleName: `Trusting${++n}`, AssumeRolePolicyDocument: doc }));

  const accepted: [string, () => string][] = [
    ['an existing user, by its ARN with its path', () => trusting(`arn:aws:iam::${acct}:user/ops/trusted`)],
    ['an existing role, by its ARN with its path', () => trusting(`arn:aws:iam::${acct}:role/ops/TrustedRole`)],
    ['a user of another account of this deployment', () => trusting(`arn:aws:iam::${other}:user/partner`)],
    ['the root of any account', () => trusting('arn:aws:iam::123456789012:root')],
    ['a bare account id', () => trusting('123456789012')],
    ['a role session (its session name is free)', () => trusting(`arn:aws:sts::${acct}:assumed-role/TrustedRole/anything`)],
    ['everyone', () => trusting('*')],
    ['a service', () => TRUST],
    ['a federated provider', () => trust({ Effect: 'Allow', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'accounts.google.com:aud': '1234567890-app.apps.googleusercontent.com' } } })],
  ];
  test.each(accepted)('CreateRole accepts %s', async (_, doc) => {
    const { Role } = await create(doc());
    expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toBe(doc());
  });

  const refused: [string, () => string, () => string][] = [
    ['a user that does not exist', () => `arn:aws:iam::${acct}:user/nobody`, () => trusting(`arn:aws:iam::${acct}:user/nobody`)],
    ['a role that does not exist', () => `arn:aws:iam::${acct}:role/NoRole`, () => trusting(`arn:aws:iam::${acct}:role/NoRole`)],
    ['an existing user under another path', () => `arn:aws:iam::${acct}:user/trusted`, () => trusting(`arn:aws:iam::${acct}:user/trusted`)],
    ['a user of another account that lacks it', () => `arn:aws:iam::${other}:user/trusted`, () => trusting(`arn:aws:iam::${other}:user/trusted`)],
    // Account ids here are random: 999999999999 is not one of this deployment (and would hold no user x if it were).
    ['a user of an account not in this deployment', () => 'arn:aws:iam::999999999999:user/x', () => trusting('arn:aws:iam::999999999999:user/x')],
    [
      'the one missing principal of a list, named in the message',
      () => `arn:aws:iam::${acct}:role/Gone`,
      () => trusting([`arn:aws:iam::${acct}:user/ops/trusted`, `arn:aws:iam::${acct}:role/Gone`, '123456789012']),
    ],
  ];
  test.each(refused)('CreateRole refuses %s with AWS message', async (_, arn, doc) => {
    const err = await create(doc()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'MalformedPolicyDocumentException', message: `Invalid principal in policy: "AWS":"${arn()}"` });
  });

  test('UpdateAssumeRolePolicy checks too, and leaves the trust policy unchanged when it refuses', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'leaving' }));
    const before = trusting(`arn:aws:iam::${acct}:user/leaving`);
    await iam.send(new CreateRoleCommand({ RoleName: 'Retrust', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Retrust', PolicyDocument: before }));
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Retrust', PolicyDocument: trusting(`arn:aws:iam::${acct}:user/nobody`) }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Invalid principal in policy: "AWS":"arn:aws:iam::${acct}:user/nobody"`,
    });
    expect(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'Retrust' }))).Role?.AssumeRolePolicyDocument ?? '')).toBe(before);
    // Once the user is deleted, the same document names no one and is refused on the next save.
    await iam.send(new DeleteUserCommand({ UserName: 'leaving' }));
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Retrust', PolicyDocument: before }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
    // A role may trust itself once it exists.
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Retrust', PolicyDocument: trusting(`arn:aws:iam::${acct}:role/Retrust`) }));
  });
});
