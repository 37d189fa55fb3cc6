/**
 * GetAccountSummary: the account's IAM entity usage and quotas, as a map of AWS's keys to
 * integers. Each entity kind counts itself and names its keys (EntityKind.summary: `Users` and
 * `UsersQuota`, …), so a new kind appears here without a change to this file; the rest is counted
 * from the store. Quotas are AWS's defaults (IAM and AWS STS quotas, IAM User Guide), the same
 * numbers the operations enforce. Entities this service does not have (server certificates,
 * instance profiles, signing certificates, passwords) count 0,
 * while their quotas are still reported as AWS reports them.
 */
import { defineOperation, type DefinedOperation } from '../operation.js';
import { accountUsage } from '../store/accounts.js';
import { mfaDeviceUsage } from '../store/mfa-devices.js';
import { MAX_ACCESS_KEYS } from './access-keys.js';
import { DOCUMENT_LIMITS } from './documents.js';
import type { EntityKind } from './entities.js';
import { MAX_GROUPS_PER_USER } from './groups.js';

/** The usage keys of entities no kind here counts (yet): reported as 0, as AWS reports an account without them. */
const UNCOUNTED = ['ServerCertificates', 'InstanceProfiles'] as const;

/** AWS's default quotas that no operation here enforces from a constant of its own area. */
export const DEFAULT_QUOTAS = {
  InstanceProfilesQuota: 1000,
  ServerCertificatesQuota: 20,
  SigningCertificatesPerUserQuota: 2,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  VersionsPerPolicyQuota: 5,
  PolicyVersionsInUseQuota: 10_000,
} as const;

/** GetAccountSummary over the account's entity kinds (IAM_ENTITY_KINDS in index.ts). */
export function accountSummaryOperations(kinds: readonly EntityKind[]): readonly DefinedOperation[] {
  const getAccountSummary = defineOperation('GetAccountSummary', {
    authentication: 'sigv4',
    write: false,
    resource: () => '*',
    async handle(_input, ctx) {
      const summaryMap: Record<string, number> = {};
      for (const { summary } of kinds) {
        if (!summary) continue;
        // Several kinds may add to one key (OIDC and SAML providers are both `Providers`).
        summaryMap[summary.usage] = (summaryMap[summary.usage] ?? 0) + (await summary.count(ctx.db, ctx.accountId));
        if (summary.quota) summaryMap[summary.quota[0]] = summary.quota[1];
      }
      for (const key of UNCOUNTED) summaryMap[key] ??= 0;
      const usage = await accountUsage(ctx.db, ctx.accountId);
      // MFADevices (every virtual device, assigned or not) is the MFA device kind's own line.
      const mfa = await mfaDeviceUsage(ctx.db, ctx.accountId);
      return {
        summaryMap: {
          ...summaryMap,
          GroupsPerUserQuota: MAX_GROUPS_PER_USER,
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
          ServerCertificatesQuota: DEFAULT_QUOTAS.ServerCertificatesQuota,
          InstanceProfilesQuota: DEFAULT_QUOTAS.InstanceProfilesQuota,
          // 1 when the root user has an access key (active or not), as AWS counts it.
          AccountAccessKeysPresent: usage.rootAccessKeys > 0 ? 1 : 0,
          MFADevicesInUse: mfa.inUse,
          // 1 when the root user has an MFA device.
          AccountMFAEnabled: mfa.root > 0 ? 1 : 0,
          AccountPasswordPresent: 0,
          AccountSigningCertificatesPresent: 0,
          // AWS's default: version 1 tokens (version 2 only after the account opts in for all Regions).
          GlobalEndpointTokenVersion: 1,
        },
      };
    },
  });
  return [getAccountSummary];
}
