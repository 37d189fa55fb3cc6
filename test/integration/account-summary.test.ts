import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetAccountSummaryCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { allow, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let account: NewAccount;
let root: IAMClient;
useService(async (s) => {
  svc = s.svc;
  // A fresh account of our own, so the counts are exactly what this file creates.
  account = await svc.newAccount();
  root = svc.iam(rootCredentials(account));
});

/** AWS's default quotas (IAM and AWS STS quotas, IAM User Guide). */
const QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 1000,
  PoliciesQuota: 1500,
  InstanceProfilesQuota: 1000,
  ServerCertificatesQuota: 20,
  AccessKeysPerUserQuota: 2,
  SigningCertificatesPerUserQuota: 2,
  GroupsPerUserQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  PolicySizeQuota: 6144,
  UserPolicySizeQuota: 2048,
  GroupPolicySizeQuota: 5120,
  RolePolicySizeQuota: 10240,
  AssumeRolePolicySizeQuota: 2048,
  VersionsPerPolicyQuota: 5,
  PolicyVersionsInUseQuota: 10000,
};

async function summary(client: IAMClient = root): Promise<Record<string, number>> {
  return (await client.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
}

describe('GetAccountSummary', () => {
  test("a new account: nothing in use, AWS's default quotas, the root key present", async () => {
    expect(await summary()).toEqual({
      ...QUOTAS,
      Users: 0,
      Groups: 0,
      Roles: 0,
      Policies: 0,
      PolicyVersionsInUse: 0,
      ServerCertificates: 0,
      InstanceProfiles: 0,
      Providers: 0,
      MFADevices: 0,
      MFADevicesInUse: 0,
      AccountAccessKeysPresent: 1,
      AccountMFAEnabled: 0,
      AccountPasswordPresent: 0,
      AccountSigningCertificatesPresent: 0,
      GlobalEndpointTokenVersion: 1,
    });
  });

  test('every key is one AWS defines for SummaryMap', async () => {
    const allowed = new Set([
      ...Object.keys(QUOTAS),
      ...['Users', 'Groups', 'Roles', 'Policies', 'PolicyVersionsInUse', 'ServerCertificates', 'InstanceProfiles', 'Providers'],
      ...['MFADevices', 'MFADevicesInUse', 'AccountAccessKeysPresent', 'AccountMFAEnabled', 'AccountPasswordPresent', 'AccountSigningCertificatesPresent', 'GlobalEndpointTokenVersion'],
    ]);
    for (const key of Object.keys(await summary())) expect(allowed).toContain(key);
  });

  test('counts users, groups, roles, policies and attachments as they are created', async () => {
    await root.send(new CreateUserCommand({ UserName: 'u1' }));
    await root.send(new CreateUserCommand({ UserName: 'u2' }));
    await root.send(new CreateGroupCommand({ GroupName: 'g1' }));
    await root.send(new AddUserToGroupCommand({ GroupName: 'g1', UserName: 'u1' }));
    await root.send(
      new CreateRoleCommand({
        RoleName: 'r1',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account.accountId}:root` }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    const { Policy } = await root.send(new CreatePolicyCommand({ PolicyName: 'p1', PolicyDocument: JSON.stringify(allow('iam:GetUser')) }));
    await root.send(new AttachUserPolicyCommand({ UserName: 'u1', PolicyArn: Policy?.Arn }));
    await root.send(new AttachUserPolicyCommand({ UserName: 'u2', PolicyArn: Policy?.Arn }));
    expect(await summary()).toMatchObject({ Users: 2, Groups: 1, Roles: 1, Policies: 1, PolicyVersionsInUse: 2 });
    // Other accounts' entities are not counted, nor ours in theirs.
    expect((await summary(svc.iam())).Roles).toBe(0);
  });

  test('AccountAccessKeysPresent follows the root keys', async () => {
    const creds = await svc.userWithPolicy('auditor', allow('iam:GetAccountSummary'), account);
    const auditor = svc.iam(creds);
    const { AccessKey } = await root.send(new CreateAccessKeyCommand({}));
    expect((await summary(auditor)).AccountAccessKeysPresent).toBe(1);
    const second = svc.iam({ accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' });
    await second.send(new DeleteAccessKeyCommand({ AccessKeyId: account.accessKeyId }));
    expect((await summary(auditor)).AccountAccessKeysPresent).toBe(1);
    await second.send(new DeleteAccessKeyCommand({ AccessKeyId: AccessKey?.AccessKeyId ?? '' }));
    // No root key left: only the auditor can still ask.
    expect((await summary(auditor)).AccountAccessKeysPresent).toBe(0);
    expect((await summary(auditor)).Users).toBe(3);
  });

  test('authorization: iam:GetAccountSummary on *', async () => {
    const creds = await svc.userWithPolicy('nosy', allow('iam:ListUsers'));
    await expect(svc.iam(creds).send(new GetAccountSummaryCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${svc.account.accountId}:user/nosy is not authorized to perform: iam:GetAccountSummary on resource: * because no identity-based policy allows the iam:GetAccountSummary action`,
    });
  });
});
