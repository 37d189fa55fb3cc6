/**
 * GetAccountSummary: the account's IAM entity usage and quotas, as a map of AWS's keys to
 * integers. Usage is counted from the store; quotas are AWS's defaults (IAM and AWS STS quotas,
 * IAM User Guide), the same numbers the operations enforce. Entities this service does not have
 * (server certificates, instance profiles, MFA devices, signing certificates, passwords, SAML/OIDC
 * providers) count 0, while their quotas are still reported as AWS reports them.
 */
import { defineOperation, type DefinedOperation } from '../operation.js';
import { accountUsage } from '../store/accounts.js';
import { MAX_ACCESS_KEYS } from './access-keys.js';
import { DOCUMENT_LIMITS } from './documents.js';
import { MAX_GROUPS, MAX_GROUPS_PER_USER } from './groups.js';
import { MAX_USERS } from './users.js';

/** AWS's default quotas that no operation here enforces from a constant of its own area. */
export const DEFAULT_QUOTAS = {
  RolesQuota: 1000,
  PoliciesQuota: 1500,
  InstanceProfilesQuota: 1000,
  ServerCertificatesQuota: 20,
  SigningCertificatesPerUserQuota: 2,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  VersionsPerPolicyQuota: 5,
  PolicyVersionsInUseQuota: 10_000,
} as const;

export const getAccountSummary = defineOperation('GetAccountSummary', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(_input, ctx) {
    const usage = await accountUsage(ctx.db, ctx.accountId);
    const summaryMap: Record<string, number> = {
      Users: usage.users,
      UsersQuota: MAX_USERS,
      Groups: usage.groups,
      GroupsQuota: MAX_GROUPS,
      GroupsPerUserQuota: MAX_GROUPS_PER_USER,
      Roles: usage.roles,
      RolesQuota: DEFAULT_QUOTAS.RolesQuota,
      Policies: usage.policies,
      PoliciesQuota: DEFAULT_QUOTAS.PoliciesQuota,
      PolicySizeQuota: DOCUMENT_LIMITS.managed,
      UserPolicySizeQuota: DOCUMENT_LIMITS.inlineUser,
      GroupPolicySizeQuota: DOCUMENT_LIMITS.inlineGroup,
      RolePolicySizeQuota: DOCUMENT_LIMITS.inlineRole,
      AssumeRolePolicySizeQuota: DOCUMENT_LIMITS.trust,
      PolicyVersionsInUse: usage.policyVersionsInUse,
      PolicyVersionsInUseQuota: DEFAULT_QUOTAS.PolicyVersionsInUseQuota,
      VersionsPerPolicyQuota: DEFAULT_QUOTAS.VersionsPerPolicyQuota,
      AttachedPoliciesPerUserQuota: DEFAULT_QUOTAS.AttachedPoliciesPerUserQuota,
      AttachedPoliciesPerGroupQuota: DEFAULT_QUOTAS.AttachedPoliciesPerGroupQuota,
      AttachedPoliciesPerRoleQuota: DEFAULT_QUOTAS.AttachedPoliciesPerRoleQuota,
      AccessKeysPerUserQuota: MAX_ACCESS_KEYS,
      SigningCertificatesPerUserQuota: DEFAULT_QUOTAS.SigningCertificatesPerUserQuota,
      ServerCertificates: 0,
      ServerCertificatesQuota: DEFAULT_QUOTAS.ServerCertificatesQuota,
      InstanceProfiles: 0,
      InstanceProfilesQuota: DEFAULT_QUOTAS.InstanceProfilesQuota,
      Providers: 0,
      MFADevices: 0,
      MFADevicesInUse: 0,
      // 1 when the root user has an access key (active or not), as AWS counts it.
      AccountAccessKeysPresent: usage.rootAccessKeys > 0 ? 1 : 0,
      AccountMFAEnabled: 0,
      AccountPasswordPresent: 0,
      AccountSigningCertificatesPresent: 0,
      // AWS's default: version 1 tokens (version 2 only after the account opts in for all Regions).
      GlobalEndpointTokenVersion: 1,
    };
    return { summaryMap };
  },
});

export const accountSummaryOperations: readonly DefinedOperation[] = [getAccountSummary];
