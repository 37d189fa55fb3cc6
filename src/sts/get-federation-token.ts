/**
 * GetFederationToken: temporary credentials for a federated user, a name the calling IAM user (or
 * root) makes up (STS API Reference, GetFederationToken; IAM User Guide, "Permissions for
 * GetFederationToken").
 *
 * - Long-term keys only: session credentials of every kind are refused before the handler runs
 *   (src/auth/credential-type.ts).
 * - Authorized like any action on `arn:aws:sts::ACCOUNT:federated-user/NAME` (root may always);
 *   passing Tags also needs `sts:TagSession` on it ("In addition to the action that matches the
 *   API operation, you must have the following permissions-only action": Passing session tags).
 * - Name 2..32 `[\w+=,.@-]*` and DurationSeconds 900..129600 come from the model; default 43,200.
 *   "Sessions obtained using root user credentials are restricted to a maximum of 3,600 seconds
 *   … If the specified duration is longer than one hour, the session obtained by using root user
 *   credentials defaults to one hour": a cap, not an error.
 * - Policy and PolicyArns become the session policies; with none "the federated user has no
 *   permissions" (src/auth/authorize.ts evaluates a federated session without policies as
 *   allowing nothing). Tags cannot be transitive (there is no chain to pass them to).
 * - PackedPolicySize is always returned, 0 when nothing is packed (as AWS answers).
 */
import { federatedUserArn } from '../arn.js';
import { defineOperation, Issued, type DefinedOperation } from '../operation.js';
import { issueCredentials, sourceKeyOf } from './issue.js';
import { assertTokenFits, checkPackedPolicySize, checkSessionPolicyInput, resolvePolicyArns } from './session-policies.js';
import { checkRequestTags, sessionTagContext } from './session-tags.js';

export const DEFAULT_FEDERATION_SECONDS = 43_200;
export const ROOT_MAX_FEDERATION_SECONDS = 3_600;

export const getFederationToken = defineOperation('GetFederationToken', {
  authentication: 'sigv4',
  write: false,
  authorization: 'resource',
  resource: (input, ctx) => federatedUserArn(ctx.accountId, input.name),
  context: (input) => sessionTagContext({ tags: input.tags ?? [], transitive: [] }),
  handle: async (input, ctx, deps) => {
    const { caller } = ctx;
    const arn = federatedUserArn(ctx.accountId, input.name);

    const tags = checkRequestTags(input.tags);
    if (tags.length > 0) await ctx.authorize('sts:TagSession', arn, sessionTagContext({ tags, transitive: [] }));
    const policyArns = checkSessionPolicyInput(deps.policyCache, input);
    const managed = await resolvePolicyArns(ctx.db, deps.policyCache, deps.awsManagedPolicies, ctx.accountId, policyArns);
    const policies = input.policy !== undefined ? [input.policy, ...managed] : managed;
    const packedPolicySize = checkPackedPolicySize({ policies, tags, transitive: [] });

    const requested = input.durationSeconds ?? DEFAULT_FEDERATION_SECONDS;
    const duration = caller.kind === 'root' ? Math.min(requested, ROOT_MAX_FEDERATION_SECONDS) : requested;
    const federatedUserId = `${ctx.accountId}:${input.name}`;
    const { credentials, claims } = issueCredentials(deps.keyring, ctx.now, duration, {
      kind: 'federated',
      acct: ctx.accountId,
      arn,
      uid: federatedUserId,
      user: caller.kind === 'user' ? caller.user : undefined,
      name: input.name,
      pol: policies.length > 0 ? policies : undefined,
      tags: tags.length > 0 ? tags : undefined,
      depth: 0,
      ...sourceKeyOf(caller),
    });
    assertTokenFits(credentials.sessionToken);
    return new Issued({ credentials, federatedUser: { federatedUserId, arn }, packedPolicySize }, claims);
  },
});

export const getFederationTokenOperations: readonly DefinedOperation[] = [getFederationToken];
