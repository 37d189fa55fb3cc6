/**
 * The IAM operations this service implements (each area exports its own list) and the entity
 * kinds they act on (each defined in its area): adding an IAM resource type adds a line to each.
 */
import type { DefinedOperation } from '../operation.js';
import { accessKeyOperations } from './access-keys.js';
import { accountAliasOperations } from './account-aliases.js';
import { accountSummaryOperations } from './account-summary.js';
import { attachmentOperations } from './attachments.js';
import { boundaryOperations } from './boundaries.js';
import type { EntityKind } from './entities.js';
import { GROUP, groupOperations } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { loginProfileOperations } from './login-profiles.js';
import { managedPolicyOperations, POLICY } from './managed-policies.js';
import { MFA_DEVICE, mfaDeviceOperations } from './mfa-devices.js';
import { OIDC_PROVIDER, oidcProviderOperations } from './oidc-providers.js';
import { passwordPolicyOperations } from './password-policy.js';
import { policyVersionOperations } from './policy-versions.js';
import { ROLE, roleOperations } from './roles.js';
import { SAML_PROVIDER, samlProviderOperations } from './saml-providers.js';
import { simulateOperations } from './simulate.js';
import { USER, userOperations } from './users.js';

/** Every IAM entity kind: GetAccountSummary counts each (EntityKind.summary). */
export const IAM_ENTITY_KINDS: readonly EntityKind[] = [USER, GROUP, ROLE, POLICY, OIDC_PROVIDER, SAML_PROVIDER, MFA_DEVICE];

export const iamOperations: readonly DefinedOperation[] = [
  ...userOperations,
  ...groupOperations,
  ...accessKeyOperations,
  ...accountSummaryOperations(IAM_ENTITY_KINDS),
  ...roleOperations,
  ...inlinePolicyOperations,
  ...boundaryOperations,
  ...managedPolicyOperations,
  ...policyVersionOperations,
  ...attachmentOperations,
  ...simulateOperations,
  ...oidcProviderOperations,
  ...samlProviderOperations,
  ...loginProfileOperations,
  ...passwordPolicyOperations,
  ...accountAliasOperations,
  ...mfaDeviceOperations,
];
