/**
 * AWS managed policies (`arn:aws:iam::aws:policy/…`): shipped as data (aws-managed/),
 * seen by every account, changed by none, attached and evaluated like customer managed ones, with
 * their usage counted per account.
 */
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachUserPolicyCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  SetDefaultPolicyVersionCommand,
  SimulatePrincipalPolicyCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  type IAMClient,
  type ListPoliciesCommandInput,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { eq } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { MAX_TEXT_LENGTH, PolicyCache } from '../../src/policy/index.js';
import { awsManagedPolicyArn as awsManagedArn } from '../../src/arn.js';
import { loadAwsManagedPolicies, syncAwsManagedPolicies, type AwsManagedPolicy } from '../../src/store/policies/aws-managed.js';
import { managedPolicies, policyVersions } from '../../src/store/schema.js';
import { allow, type Credentials, rootCredentials, type TestService, useService } from '../helpers/service.js';
import { failure as errorOf } from '../helpers/outcome.js';

const AWS = 'arn:aws:iam::aws:policy';
const ADMIN = `${AWS}/AdministratorAccess`;
const READ_ONLY = `${AWS}/ReadOnlyAccess`;
const IAM_READ_ONLY = `${AWS}/IAMReadOnlyAccess`;
const S3_READ_ONLY = `${AWS}/AmazonS3ReadOnlyAccess`;

let svc: TestService;
let account: NewAccount;
let other: NewAccount;
let iam: IAMClient;
let otherIam: IAMClient;
let shipped: AwsManagedPolicy[];

useService(async (s) => {
  svc = s.svc;
  // Accounts of our own, so the counts are exactly what this file does.
  account = await svc.newAccount();
  other = await svc.newAccount();
  iam = svc.iam(rootCredentials(account));
  otherIam = svc.iam(rootCredentials(other));
  shipped = await loadAwsManagedPolicies();
});

/** An IAM user of `account` with `arns` attached and an access key. */
async function userWith(name: string, ...arns: string[]): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  for (const arn of arns) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}


describe('the shipped data', () => {
  test('holds the policies scripts attach, with AWS ids, paths and version ids', () => {
    const arns = shipped.map(awsManagedArn);
    for (const arn of [
      ADMIN,
      `${AWS}/PowerUserAccess`,
      READ_ONLY,
      `${AWS}/SecurityAudit`,
      `${AWS}/IAMFullAccess`,
      IAM_READ_ONLY,
      `${AWS}/IAMUserChangePassword`,
      `${AWS}/AmazonS3FullAccess`,
      `${AWS}/AmazonEC2ReadOnlyAccess`,
      `${AWS}/AWSLambda_FullAccess`,
      `${AWS}/AmazonSSMManagedInstanceCore`,
      `${AWS}/job-function/ViewOnlyAccess`,
      `${AWS}/job-function/Billing`,
      `${AWS}/job-function/DatabaseAdministrator`,
      `${AWS}/job-function/DataScientist`,
      `${AWS}/job-function/NetworkAdministrator`,
      `${AWS}/job-function/SupportUser`,
      `${AWS}/job-function/SystemAdministrator`,
      `${AWS}/service-role/AWSLambdaBasicExecutionRole`,
    ]) {
      expect(arns).toContain(arn);
    }
    expect(new Set(arns).size).toBe(arns.length);
    expect(shipped.find((p) => p.name === 'AdministratorAccess')).toMatchObject({ policyId: 'ANPAIWMBCKSKIEE64ZLYK', versionId: 'v1', path: '/' });
  });

  test('every shipped document compiles with the engine, as an identity policy and as a boundary', () => {
    const cache = new PolicyCache();
    for (const p of shipped) {
      expect(() => cache.get(p.document, { kind: 'identity', maxLength: MAX_TEXT_LENGTH }), p.name).not.toThrow();
      expect(() => cache.get(p.document, { kind: 'boundary', maxLength: MAX_TEXT_LENGTH }), p.name).not.toThrow();
    }
  });
});

describe('reading them', () => {
  test('GetPolicy shows an AWS managed policy with AWS id, path and version, attachable', async () => {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: `${AWS}/job-function/ViewOnlyAccess` }));
    const data = shipped.find((p) => p.name === 'ViewOnlyAccess');
    expect(Policy).toMatchObject({
      PolicyName: 'ViewOnlyAccess',
      PolicyId: data?.policyId,
      Arn: `${AWS}/job-function/ViewOnlyAccess`,
      Path: '/job-function/',
      DefaultVersionId: data?.versionId,
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: data?.createDate,
      UpdateDate: data?.updateDate,
    });
  });

  test('GetPolicyVersion gives the document; ListPolicyVersions the one default version', async () => {
    const data = shipped.find((p) => p.name === 'ReadOnlyAccess');
    const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: data?.versionId }));
    expect(PolicyVersion?.IsDefaultVersion).toBe(true);
    expect(JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? ''))).toEqual(JSON.parse(data?.document ?? ''));
    const { Versions } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: READ_ONLY }));
    expect(Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([[data?.versionId, true]]);
    expect(await errorOf(iam.send(new GetPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: 'v1' })))).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
  });

  test('ListPolicies: Scope=AWS lists them, Scope=Local does not, All lists both; PathPrefix and paging work', async () => {
    await iam.send(new CreatePolicyCommand({ PolicyName: 'AdministratorAccess', PolicyDocument: JSON.stringify(allow('s3:GetObject')) }));
    const names = async (input: ListPoliciesCommandInput): Promise<string[]> =>
      (await iam.send(new ListPoliciesCommand(input))).Policies?.map((p) => p.Arn ?? '') ?? [];

    const awsAll = await names({ Scope: 'AWS', MaxItems: 1000 });
    expect(awsAll.sort()).toEqual(shipped.map(awsManagedArn).sort());
    expect(await names({ Scope: 'Local' })).toEqual([`arn:aws:iam::${account.accountId}:policy/AdministratorAccess`]);
    const all = await names({ Scope: 'All', MaxItems: 1000 });
    // Same name: ordered by ARN, so the account's own (digits) comes before AWS's.
    expect(all.filter((a) => a.endsWith('/AdministratorAccess'))).toEqual([`arn:aws:iam::${account.accountId}:policy/AdministratorAccess`, ADMIN]);
    expect((await names({ Scope: 'AWS', PathPrefix: '/job-function/' })).map((a) => a.split('/').pop())).toEqual([
      'Billing',
      'DatabaseAdministrator',
      'DataScientist',
      'NetworkAdministrator',
      'SupportUser',
      'SystemAdministrator',
      'ViewOnlyAccess',
    ]);

    // Paging three at a time over Scope=All meets every policy once, the same-named pair included.
    const paged: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListPoliciesCommand({ Scope: 'All', MaxItems: 3, ...(marker ? { Marker: marker } : {}) }));
      paged.push(...(page.Policies?.map((p) => p.Arn ?? '') ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(paged).toEqual(all);
  });
});

describe('attaching them', () => {
  test('attach to a user, group and role; counts, lists and entities are per account', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'att-user' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'att-group' }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'att-role', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'att-user', PolicyArn: IAM_READ_ONLY }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'att-group', PolicyArn: IAM_READ_ONLY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: `${AWS}/service-role/AWSLambdaBasicExecutionRole` }));
    // The other account attaches it too: its use counts there, not here.
    await otherIam.send(new CreateUserCommand({ UserName: 'elsewhere' }));
    await otherIam.send(new AttachUserPolicyCommand({ UserName: 'elsewhere', PolicyArn: IAM_READ_ONLY }));

    expect((await iam.send(new GetPolicyCommand({ PolicyArn: IAM_READ_ONLY }))).Policy?.AttachmentCount).toBe(2);
    expect((await otherIam.send(new GetPolicyCommand({ PolicyArn: IAM_READ_ONLY }))).Policy?.AttachmentCount).toBe(1);

    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'att-user' }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: 'IAMReadOnlyAccess', PolicyArn: IAM_READ_ONLY }]);

    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: IAM_READ_ONLY }));
    expect(entities.PolicyUsers?.map((u) => u.UserName)).toEqual(['att-user']);
    expect(entities.PolicyGroups?.map((g) => g.GroupName)).toEqual(['att-group']);
    expect(entities.PolicyRoles).toEqual([]);
    // Security: the other account's user is never listed here, nor ours there.
    const theirs = await otherIam.send(new ListEntitiesForPolicyCommand({ PolicyArn: IAM_READ_ONLY }));
    expect(theirs.PolicyUsers?.map((u) => u.UserName)).toEqual(['elsewhere']);
    expect(theirs.PolicyGroups).toEqual([]);

    const onlyAttached = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }));
    expect(onlyAttached.Policies?.map((p) => [p.PolicyName, p.AttachmentCount])).toEqual([
      ['AWSLambdaBasicExecutionRole', 1],
      ['IAMReadOnlyAccess', 2],
    ]);

    await iam.send(new DetachUserPolicyCommand({ UserName: 'att-user', PolicyArn: IAM_READ_ONLY }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: IAM_READ_ONLY }))).Policy?.AttachmentCount).toBe(1);
  });

  test('ListAttachedUserPolicies pages through an AWS managed policy and a customer one of the same name', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'two-admins' }));
    const own = `arn:aws:iam::${account.accountId}:policy/AdministratorAccess`;
    await iam.send(new GetPolicyCommand({ PolicyArn: own })); // created by the ListPolicies test above
    await iam.send(new AttachUserPolicyCommand({ UserName: 'two-admins', PolicyArn: ADMIN }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'two-admins', PolicyArn: own }));
    const first = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'two-admins', MaxItems: 1 }));
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'two-admins', MaxItems: 1, Marker: first.Marker }));
    expect(second.IsTruncated).toBe(false);
    expect([...(first.AttachedPolicies ?? []), ...(second.AttachedPolicies ?? [])].map((p) => p.PolicyArn)).toEqual([own, ADMIN]);
  });

  test('as a permissions boundary: PermissionsBoundaryUsageCount and ListPolicies PolicyUsageFilter', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bounded' }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: S3_READ_ONLY }));
    expect((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: S3_READ_ONLY,
    });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: S3_READ_ONLY }))).Policy?.PermissionsBoundaryUsageCount).toBe(1);
    const boundaries = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', PolicyUsageFilter: 'PermissionsBoundary' }));
    expect(boundaries.Policies?.map((p) => p.PolicyName)).toEqual(['AmazonS3ReadOnlyAccess']);
  });

  test('GetAccountSummary: attachments count, AWS managed policies are not Policies', async () => {
    const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}));
    // One customer managed policy (the AdministratorAccess namesake created above); the AWS ones are not counted.
    expect(SummaryMap?.['Policies']).toBe(1);
    expect(SummaryMap?.['AttachedPoliciesPerUserQuota']).toBe(10);
  });
});

describe('changing them is refused', () => {
  test.each([
    ['DeletePolicy', () => iam.send(new DeletePolicyCommand({ PolicyArn: ADMIN })), 'Cannot delete policies outside your own account.'],
    [
      'CreatePolicyVersion',
      () => iam.send(new CreatePolicyVersionCommand({ PolicyArn: ADMIN, PolicyDocument: JSON.stringify(allow('s3:GetObject')), SetAsDefault: true })),
      'Cannot create versions for policies outside your own account.',
    ],
    ['SetDefaultPolicyVersion', () => iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: ADMIN, VersionId: 'v1' })), 'Cannot update policies outside your own account.'],
    ['DeletePolicyVersion', () => iam.send(new DeletePolicyVersionCommand({ PolicyArn: ADMIN, VersionId: 'v1' })), 'Cannot delete policy versions for policies outside your own account.'],
    ['TagPolicy', () => iam.send(new TagPolicyCommand({ PolicyArn: ADMIN, Tags: [{ Key: 'k', Value: 'v' }] })), 'Cannot tag policies outside your own account.'],
    ['UntagPolicy', () => iam.send(new UntagPolicyCommand({ PolicyArn: ADMIN, TagKeys: ['k'] })), 'Cannot untag policies outside your own account.'],
  ])('%s on an AWS managed policy is AccessDenied, even for root, and changes nothing', async (_, call, message) => {
    expect(await errorOf(call())).toEqual({ name: 'AccessDenied', message, status: 403 });
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }));
    expect(Policy).toMatchObject({ DefaultVersionId: 'v1' });
    expect(Policy?.Tags).toBeUndefined();
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: ADMIN }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual(['v1']);
  });
});

describe('authorization uses their documents', () => {
  test('a user with AdministratorAccess attached may do anything in its account', async () => {
    const admin = svc.iam(await userWith('admin-user', ADMIN));
    await admin.send(new CreateUserCommand({ UserName: 'made-by-admin' }));
    expect((await admin.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain('made-by-admin');
  });

  test('a user with ReadOnlyAccess may List and Get but not Create', async () => {
    const reader = svc.iam(await userWith('ro-user', READ_ONLY));
    expect((await reader.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain('ro-user');
    await reader.send(new GetPolicyCommand({ PolicyArn: ADMIN }));
    const denied = await errorOf(reader.send(new CreateUserCommand({ UserName: 'never' })));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(denied.message).toContain(`User: arn:aws:iam::${account.accountId}:user/ro-user is not authorized to perform: iam:CreateUser`);
  });

  test('AdministratorAccess held to an AWS managed boundary (AmazonS3ReadOnlyAccess) may do only what both allow', async () => {
    const creds = await userWith('bounded-admin', ADMIN);
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded-admin', PermissionsBoundary: S3_READ_ONLY }));
    expect(await errorOf(svc.iam(creds).send(new ListUsersCommand({})))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  test('SimulatePrincipalPolicy reports the AWS managed policy as such', async () => {
    const { EvaluationResults } = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${account.accountId}:user/ro-user`, ActionNames: ['iam:ListUsers', 'iam:CreateUser'] }),
    );
    expect(EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['iam:ListUsers', 'allowed'],
      ['iam:CreateUser', 'implicitDeny'],
    ]);
    expect(EvaluationResults?.[0]?.MatchedStatements?.[0]).toMatchObject({ SourcePolicyId: 'ReadOnlyAccess', SourcePolicyType: 'aws-managed' });
  });

  test('an AWS managed policy is a session policy in AssumeRole PolicyArns', async () => {
    const acct = account.accountId;
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'session-scoped', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'session-scoped', PolicyName: 'all', PolicyDocument: JSON.stringify(allow('*')) }));
    const caller = await userWith('assumer', ADMIN);
    const out = await svc.sts(caller).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/session-scoped`, RoleSessionName: 'scoped', PolicyArns: [{ arn: IAM_READ_ONLY }] }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
    const session = svc.iam({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
    await session.send(new ListUsersCommand({}));
    expect(await errorOf(session.send(new CreateUserCommand({ UserName: 'not-by-session' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
  });
});

describe('kept in step with the data file', () => {
  test('a newer default version replaces the old one; a second run, or an older data file, changes nothing', async () => {
    const db = svc.store.db;
    const base = shipped.find((p) => p.name === 'AmazonSQSFullAccess');
    if (!base) throw new Error('AmazonSQSFullAccess is not shipped');
    const arn = awsManagedArn(base);
    const newer: AwsManagedPolicy = { ...base, versionId: 'v9', updateDate: new Date('2030-01-01T00:00:00Z'), document: JSON.stringify(allow('sqs:ListQueues')) };
    const withNewer = shipped.map((p) => (p === base ? newer : p));
    expect(await syncAwsManagedPolicies(db, withNewer)).toBe(1);
    expect(await syncAwsManagedPolicies(db, withNewer)).toBe(0);
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(Policy).toMatchObject({ DefaultVersionId: 'v9', UpdateDate: new Date('2030-01-01T00:00:00Z') });
    const versions = await db.select({ v: policyVersions.versionId }).from(policyVersions).where(eq(policyVersions.policyId, base.policyId));
    expect(versions.map((r) => r.v)).toEqual(['v9']);
    // A node of the older release starting during a rolling upgrade does not roll it back.
    expect(await syncAwsManagedPolicies(db, shipped)).toBe(0);
    const [row] = await db.select({ v: managedPolicies.defaultVersionId }).from(managedPolicies).where(eq(managedPolicies.id, base.policyId));
    expect(row?.v).toBe('v9');

    // Two nodes of two releases migrating at once: both read v9 before either writes. The one
    // with the older version (v10) must not put it back over the newer one (v11), whichever
    // transaction runs second: the UPDATE itself only moves forward.
    const v11: AwsManagedPolicy = { ...newer, versionId: 'v11', updateDate: new Date('2031-01-01T00:00:00Z') };
    const v10: AwsManagedPolicy = { ...newer, versionId: 'v10', updateDate: new Date('2030-06-01T00:00:00Z') };
    const counts = await Promise.all([
      syncAwsManagedPolicies(db, shipped.map((p) => (p === base ? v11 : p))),
      syncAwsManagedPolicies(db, shipped.map((p) => (p === base ? v10 : p))),
    ]);
    expect(counts).toEqual([1, 1]);
    const [after] = await db.select({ v: managedPolicies.defaultVersionId }).from(managedPolicies).where(eq(managedPolicies.id, base.policyId));
    expect(after?.v).toBe('v11');
    const left = await db.select({ v: policyVersions.versionId }).from(policyVersions).where(eq(policyVersions.policyId, base.policyId));
    expect(left.map((r) => r.v)).toEqual(['v11']);
  });
});
