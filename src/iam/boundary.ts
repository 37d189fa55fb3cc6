/** Permissions boundaries: a managed policy of the caller's account, or an AWS managed one, named by ARN. */
import { AwsError } from '../errors.js';
import type { ResourceContext } from '../operation.js';
import { findPolicyByArn, type PolicyRef } from '../store/policies/managed.js';

/**
 * `PermissionsBoundaryType` as AWS answers it in GetUser, GetRole, CreateUser and CreateRole:
 * `Policy`, although the IAM model's enum names `PermissionsBoundaryPolicy` (LocalStack's
 * AWS-validated test_create_user_with_permission_boundary asserts `Policy`, and the AWS CLI's own
 * get-user example shows it).
 */
export const PERMISSIONS_BOUNDARY_TYPE = 'Policy';

export async function resolveBoundary(ctx: ResourceContext, arn: string): Promise<PolicyRef> {
  const policy = await findPolicyByArn(ctx.db, arn);
  // Another account's customer managed policy cannot bound this account's users and roles.
  if (!policy || (policy.accountId !== ctx.accountId && policy.accountId !== null)) {
    throw new AwsError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
  }
  return policy;
}
