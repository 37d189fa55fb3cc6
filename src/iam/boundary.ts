/** Permissions boundaries: a managed policy of the caller's account, named by ARN. */
import { AwsError } from '../errors.js';
import type { ResourceContext } from '../operation.js';
import { findPolicyByArn, type PolicyRef } from '../store/policies-lookup.js';

export async function resolveBoundary(ctx: ResourceContext, arn: string): Promise<PolicyRef> {
  const policy = await findPolicyByArn(ctx.db, arn);
  // Only this account's customer managed policies exist here (no AWS managed policies).
  if (!policy || policy.accountId !== ctx.accountId) {
    throw new AwsError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
  }
  return policy;
}
