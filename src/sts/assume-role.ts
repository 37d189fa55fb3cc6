/**
 * AssumeRole: temporary credentials for a role, in this account or another of this deployment
 * (STS API Reference, AssumeRole; IAM User Guide, "Switch to an IAM role (AWS API)", "Passing
 * session tags in AWS STS", "Monitor and control actions taken with assumed roles").
 *
 * The steps, in order:
 * 1. Who may call: an IAM user or a role session (federated users are refused before the handler,
 *    src/auth/credential-type.ts); root gets AWS's "Roles may not be assumed by root accounts.".
 * 2. What the request alone can be checked for: the RoleArn's form, the session tags (AWS's
 *    InvalidParameterValue rules), the session policies (count, 2,048-character plaintext,
 *    MalformedPolicyDocument), and SourceIdentity, which is set once for a whole chain.
 * 3. The role: one that does not exist answers like a refusal (AccessDenied naming the ARN, as AWS
 *    does), so a caller learns nothing about roles it may not assume.
 * 4. Authorization by the engine, trust policy and caller's policies together
 *    (src/policy/README.md, "Evaluation order": the trust policy must allow; in the same account a
 *    trust policy naming the caller itself suffices, one naming the account defers to the
 *    caller's identity policies; across accounts both sides must allow): `sts:AssumeRole`, then
 *    `sts:TagSession` when tags are passed or inherited, then `sts:SetSourceIdentity` when a source
 *    identity is set or carried.
 * 5. Duration: 900 (the model) up to the role's MaxSessionDuration, default one hour; with
 *    temporary credentials (a role chain, or GetSessionToken credentials, which AWS caps the same
 *    way) at most one hour, and a longer explicit DurationSeconds fails as on AWS. Checked after
 *    authorization so that the role's settings are not told to callers it does not trust.
 * 6. PolicyArns are resolved in the role's account, the packed size checked, the credentials
 *    issued, and the role's last use recorded.
 *
 * MFA (src/sts/mfa.ts): SerialNumber + TokenCode are verified before the trust policy is evaluated,
 * so a trust policy that requires aws:MultiFactorAuthPresent sees the code just checked (this is
 * what the CLI does for a profile with `mfa_serial`). The session's MFA time is, by decision:
 * - the time of the code verified in this call, when the request carries one;
 * - otherwise the MFA time of the calling session, when it has one (a role assumed from a
 *   GetSessionToken session made with MFA, or a chain from such a role): MFA carries along a
 *   chain, aws:MultiFactorAuthAge keeps counting from the original check and chaining never
 *   makes it younger. AWS's User Guide says AssumeRole credentials "do not include MFA
 *   information", yet role sessions assumed from an MFA session are observed to satisfy MFA
 *   conditions (shared/research/federation-facts.md §1.7); Latchkey follows the observation, so
 *   the same policies work as on AWS;
 * - otherwise none: aws:MultiFactorAuthPresent is false in the role session.
 */
import { callerContext } from '../auth/authorize.js';
import { AwsError } from '../errors.js';
import { defineOperation, type ContextValues, type DefinedOperation } from '../operation.js';
import { sourceKeyOf } from './issue.js';
import { verifiedMfa } from './mfa.js';
import { inheritedTags } from './session-tags.js';
import {
  checkRoleArn,
  assumptionActions,
  assumptionContext,
  authorizeAssumption,
  checkSessionPolicies,
  findAssumable,
  issueRoleSession,
  NOT_TRUSTED,
  sessionDuration,
  sessionTagsFor,
  sourceIdentityFor,
} from './role-session.js';

export { CHAINED_MAX_SECONDS, DEFAULT_ROLE_SESSION_SECONDS } from './role-session.js';

const ACTION = 'sts:AssumeRole';

export const assumeRole = defineOperation('AssumeRole', {
  authentication: 'sigv4',
  // Not a write: the pipeline records the issuance's audit event before the credentials are
  // returned (no event, no credentials). The only write here, the role's last use, changes no
  // authorization decision: announcing it would empty every node's caches for the caller's
  // account on every AssumeRole.
  write: false,
  authorization: 'handler',
  resource: (input) => input.roleArn,
  handle: async (input, ctx, deps) => {
    const { caller } = ctx;
    // 1. who may call
    if (caller.kind === 'root') throw new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.');
    if (caller.kind === 'federated-user') throw new AwsError('AccessDenied', 'Cannot call AssumeRole with session credentials');

    // 2. the request itself
    const ref = checkRoleArn(input.roleArn);
    const sessionTags = sessionTagsFor(inheritedTags(caller.session), input.tags, input.transitiveTagKeys);
    const policyArns = checkSessionPolicies(deps, input);
    const sourceIdentity = sourceIdentityFor(input.sourceIdentity, caller.session?.sid);
    // MFA, outside any transaction (a read-only call), so that a failure is counted. A code
    // verified here is used up, whatever the trust policy then says. What the trust and identity
    // policies see is MFA present with age 0, whatever the caller's credentials carried.
    const verified = await verifiedMfa(ctx, deps.keyring, ACTION, input);
    const mfaKeys: ContextValues = verified === undefined ? {} : { 'aws:MultiFactorAuthPresent': true, 'aws:MultiFactorAuthAge': 0 };

    // 3. the role
    const target = await findAssumable(deps, ctx.db, ref);
    if (!target) {
      const req = ctx.requestFor(ACTION, input.roleArn);
      throw deps.denials.deny(caller, req, NOT_TRUSTED, callerContext(caller, {}, req));
    }

    // 4. authorization
    const principal = await deps.principals.of(caller, ctx.db);
    const extra = { ...assumptionContext(target.role, input.roleSessionName, sessionTags, sourceIdentity, { 'sts:ExternalId': input.externalId }), ...mfaKeys };
    authorizeAssumption(
      {
        principal: caller.principal,
        set: principal.set,
        gone: principal.gone,
        context: (action, resource): ContextValues => callerContext(caller, principal.tags, ctx.requestFor(action, resource, extra)),
        deny: (action, resource, decision, values) => deps.denials.deny(caller, ctx.requestFor(action, resource), decision, values),
      },
      target,
      assumptionActions(ACTION, sessionTags, sourceIdentity),
    );

    // 5. duration, then 6. session policies, packed size, credentials
    return issueRoleSession(deps, ctx.db, ctx.now, ctx.request.region, target, {
      sessionName: input.roleSessionName,
      durationSeconds: sessionDuration(input.durationSeconds, target.role, caller.session !== undefined),
      policy: input.policy,
      policyArns,
      tags: sessionTags,
      sourceIdentity,
      claims: {
        // Verified now, or else carried from the calling session (see the header).
        mfa: verified ?? caller.session?.mfa,
        depth: caller.session?.kind === 'role' ? caller.session.depth + 1 : 0,
        ...sourceKeyOf(caller),
      },
    });
  },
});

export const assumeRoleOperations: readonly DefinedOperation[] = [assumeRole];
