/** The IAM operations this service implements; each area exports its own list. */
import type { DefinedOperation } from '../operation.js';
import { accessKeyOperations } from './access-keys.js';
import { accountSummaryOperations } from './account-summary.js';
import { attachmentOperations } from './attachments.js';
import { boundaryOperations } from './boundaries.js';
import { groupOperations } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { managedPolicyOperations } from './managed-policies.js';
import { policyVersionOperations } from './policy-versions.js';
import { roleOperations } from './roles.js';
import { simulateOperations } from './simulate.js';
import { userOperations } from './users.js';

export const iamOperations: readonly DefinedOperation[] = [
  ...userOperations,
  ...groupOperations,
  ...accessKeyOperations,
  ...accountSummaryOperations,
  ...roleOperations,
  ...inlinePolicyOperations,
  ...boundaryOperations,
  ...managedPolicyOperations,
  ...policyVersionOperations,
  ...attachmentOperations,
  ...simulateOperations,
];
