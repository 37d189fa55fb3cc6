/**
 * The account's password policy: UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
 * DeleteAccountPasswordPolicy. The rules themselves are in src/password-rules.ts.
 *
 * UpdateAccountPasswordPolicy "does not support partial updates": every parameter left out goes
 * back to its default (MinimumPasswordLength 6, the rest false or unset). Without a policy, IAM's
 * default rules apply (8 characters, three of four character types) and GetAccountPasswordPolicy
 * answers NoSuchEntity.
 */
import { CUSTOM_POLICY_DEFAULT_LENGTH, type PasswordPolicy } from '../password-rules.js';
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import { deletePasswordPolicy, findPasswordPolicy, putPasswordPolicy } from '../store/login-profiles.js';
import { authorizeOwnPasswordAction } from './login-profiles.js';

/** AWS's answer for an account without a policy (observed: "The Password Policy with domain name 128440595215 cannot be found."). */
function noPolicy(accountId: string): AwsError {
  return new AwsError('NoSuchEntity', `The Password Policy with domain name ${accountId} cannot be found.`);
}

/** The policy as GetAccountPasswordPolicy shows it: ExpirePasswords derived, unset numbers left out. */
export function passwordPolicyResult(policy: PasswordPolicy) {
  return {
    minimumPasswordLength: policy.minimumPasswordLength,
    requireSymbols: policy.requireSymbols,
    requireNumbers: policy.requireNumbers,
    requireUppercaseCharacters: policy.requireUppercaseCharacters,
    requireLowercaseCharacters: policy.requireLowercaseCharacters,
    allowUsersToChangePassword: policy.allowUsersToChangePassword,
    // "Returns true if MaxPasswordAge contains a value greater than 0."
    expirePasswords: (policy.maxPasswordAge ?? 0) > 0,
    ...(policy.maxPasswordAge !== null ? { maxPasswordAge: policy.maxPasswordAge } : {}),
    ...(policy.passwordReusePrevention !== null ? { passwordReusePrevention: policy.passwordReusePrevention } : {}),
    ...(policy.hardExpiry !== null ? { hardExpiry: policy.hardExpiry } : {}),
  };
}

export const updateAccountPasswordPolicy = defineOperation('UpdateAccountPasswordPolicy', {
  authentication: 'sigv4',
  write: true,
  resource: () => '*',
  async handle(input, ctx) {
    // The model bounds each number (6..128, 1..1095, 1..24) before this runs.
    await putPasswordPolicy(ctx.db, ctx.accountId, {
      minimumPasswordLength: input.minimumPasswordLength ?? CUSTOM_POLICY_DEFAULT_LENGTH,
      requireSymbols: input.requireSymbols ?? false,
      requireNumbers: input.requireNumbers ?? false,
      requireUppercaseCharacters: input.requireUppercaseCharacters ?? false,
      requireLowercaseCharacters: input.requireLowercaseCharacters ?? false,
      allowUsersToChangePassword: input.allowUsersToChangePassword ?? false,
      maxPasswordAge: input.maxPasswordAge ?? null,
      passwordReusePrevention: input.passwordReusePrevention ?? null,
      hardExpiry: input.hardExpiry ?? null,
    });
    return {};
  },
});

export const getAccountPasswordPolicy = defineOperation('GetAccountPasswordPolicy', {
  authentication: 'sigv4',
  write: false,
  // AllowUsersToChangePassword also lets every IAM user read the policy (authorizeOwnPasswordAction).
  authorization: 'handler',
  resource: () => '*',
  async handle(_input, ctx, deps) {
    const policy = await findPasswordPolicy(ctx.db, ctx.accountId);
    await authorizeOwnPasswordAction(ctx, deps, 'iam:GetAccountPasswordPolicy', '*', policy);
    if (!policy) throw noPolicy(ctx.accountId);
    return { passwordPolicy: passwordPolicyResult(policy) };
  },
});

export const deleteAccountPasswordPolicy = defineOperation('DeleteAccountPasswordPolicy', {
  authentication: 'sigv4',
  write: true,
  resource: () => '*',
  async handle(_input, ctx) {
    if (!(await deletePasswordPolicy(ctx.db, ctx.accountId))) throw noPolicy(ctx.accountId);
    return {};
  },
});

export const passwordPolicyOperations: readonly DefinedOperation[] = [updateAccountPasswordPolicy, getAccountPasswordPolicy, deleteAccountPasswordPolicy];
