/**
 * AssumeRole: temporary credentials for a role, in this account or another of this deployment
 * (STS API Reference, AssumeRole; IAM User Guide, "Switch to an IAM role (AWS API)", "Passing
 * session tags in AWS STS", "Monitor and control actions taken with assumed roles").
 *
 * The steps, in order:
 * 1. Who may call: an IAM user or a role session (federated users are refused before the handler,
 *    src/auth/credential-type.ts); root gets AWS's "Roles may not be assumed by root accounts.".
 *    SerialNumber/TokenCode fail closed: MFA devices are not built yet, and a request that asks
 *    for MFA must never get credentials without it.
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
 */
import { callerContext } from '../auth/authorize.js';
import { AwsError } from '../errors.js';
import { defineOperation, type ContextValues, type DefinedOperation } from '../operation.js';
import { sourceKeyOf } from './issue.js';
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

/** A request with MFA parameters is refused until MFA devices exist (never silently ignored). */
const MFA_NOT_SUPPORTED = 'MultiFactorAuthentication failed: MFA is not supported yet, so SerialNumber and TokenCode cannot be verified.';

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
    if (input.serialNumber !== undefined || input.tokenCode !== undefined) throw new AwsError('AccessDenied', MFA_NOT_SUPPORTED);

    // 2. the request itself
    const ref = checkRoleArn(input.roleArn);
    const sessionTags = sessionTagsFor(inheritedTags(caller.session), input.tags, input.transitiveTagKeys);
    const policyArns = checkSessionPolicies(deps, input);
    const sourceIdentity = sourceIdentityFor(input.sourceIdentity, caller.session?.sid);

    // 3. the role
    const target = await findAssumable(deps, ctx.db, ref);
    if (!target) {
      const req = ctx.requestFor(ACTION, input.roleArn);
      throw deps.denials.deny(caller, req, NOT_TRUSTED, callerContext(caller, {}, req));
    }

    // 4. authorization
    const principal = await deps.principals.of(caller, ctx.db);
    const extra = assumptionContext(target.role, input.roleSessionName, sessionTags, sourceIdentity, { 'sts:ExternalId': input.externalId });
    authorizeAssumption(
      {
        principal: caller.principal,
        set: principal.set,
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
        // MFA verified earlier in the chain (GetSessionToken with MFA, then AssumeRole) carries on,
        // as aws:MultiFactorAuthPresent does on AWS.
        mfa: caller.session?.mfa,
        depth: caller.session?.kind === 'role' ? caller.session.depth + 1 : 0,
        ...sourceKeyOf(caller),
      },
    });
  },
});

export const assumeRoleOperations: readonly DefinedOperation[] = [assumeRole];
