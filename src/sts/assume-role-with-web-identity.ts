/**
 * AssumeRoleWithWebIdentity for registered OpenID Connect providers: temporary credentials for a
 * role, traded, unsigned, for an ID token (STS API Reference, AssumeRoleWithWebIdentity; IAM User
 * Guide, "OIDC federation", "Available keys for AWS web identity federation"; errors and
 * messages as AWS sends them, shared/research/federation-facts.md §1.2).
 *
 * The steps, in order:
 * 1. The request alone: the RoleArn's form (its account is where the provider is looked up),
 *    the session policies; ProviderId is for the OAuth 2.0 providers, not built yet.
 * 2. The provider: the one in the role's account whose issuer is exactly the token's `iss`
 *    (read, unverified, only to find it): "No OpenIDConnect provider found in your account for
 *    <iss>".
 * 3. The token, verified strictly (src/federation/oidc/verify.ts): algorithm allow-list, the
 *    provider's own keys over TLS we trust (or its thumbprints), exact issuer, integer
 *    timestamps, expiry, audience in the client list.
 * 4. The token's session tags and source identity claims.
 * 5. The role and its trust policy, for the principal `Federated` = the provider's ARN, with the
 *    provider's keys (`HOST/PATH:aud`, `:sub`, `:amr`, GitHub's claims for GitHub's issuer):
 *    `sts:AssumeRoleWithWebIdentity`, then `sts:TagSession` and `sts:SetSourceIdentity` when used.
 *    Nobody signed the call, so there are no identity policies: the trust policy alone decides.
 *    A role that does not exist answers like a refusal.
 * 6. Duration (up to the role's maximum), session policies, the issued session, which records
 *    the provider and subject (`wi`): GetCallerIdentity, later calls' aws:FederatedProvider and
 *    provider keys, and the audit trail read them from there.
 */
import { AwsError } from '../errors.js';
import { sourceIdentityClaim, tagsClaim, trustKeys } from '../federation/claims.js';
import { unverifiedIssuer, verifyWebIdentityToken } from '../federation/oidc/verify.js';
import { defineOperation, Issued, type CallContext, type ContextValues, type DefinedOperation } from '../operation.js';
import { findOidcProviderByIssuer } from '../store/oidc-providers.js';
import { assumptionActions, assumptionContext, authorizeAssumption, checkRoleArn, checkSessionPolicies, findAssumable, issueRoleSession, sessionDuration, sessionTagsFor } from './role-session.js';

const ACTION = 'sts:AssumeRoleWithWebIdentity';
const NO_INHERITED_TAGS = { tags: [], transitive: [] };

/** AWS's refusal, whatever was refused (the role's trust policy, or a role that does not exist). */
function notAuthorized(action: string): AwsError {
  return new AwsError('AccessDenied', `Not authorized to perform ${action}`);
}

/** The global keys of an unsigned request: what the request itself says, and the time. */
function requestKeys(ctx: CallContext): ContextValues {
  return {
    'aws:SourceIp': ctx.request.sourceIp,
    'aws:SecureTransport': ctx.request.secureTransport,
    'aws:CurrentTime': ctx.now.toISOString(),
    'aws:EpochTime': Math.floor(ctx.now.getTime() / 1000),
    'aws:ViaAWSService': false,
  };
}

export const assumeRoleWithWebIdentity = defineOperation('AssumeRoleWithWebIdentity', {
  authentication: 'none',
  authorization: 'handler',
  // As AssumeRole: the issuance's audit event is written before the credentials are returned.
  write: false,
  resource: (input) => input.roleArn,
  handle: async (input, ctx, deps) => {
    // 1. the request itself
    const ref = checkRoleArn(input.roleArn);
    if (input.providerId !== undefined) {
      throw new AwsError('InvalidParameterValue', 'ProviderId is only for the OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com, which this service does not accept yet');
    }
    const policyArns = checkSessionPolicies(deps, input);
    if (!ref) throw notAuthorized(ACTION);

    // 2. the provider, by the token's exact iss, in the role's account
    const issuer = unverifiedIssuer(input.webIdentityToken);
    const provider = await findOidcProviderByIssuer(ctx.db, ref.accountId, issuer);
    if (!provider) throw new AwsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${issuer}`);

    // 3. the token
    const token = await verifyWebIdentityToken(input.webIdentityToken, provider, deps.oidcKeys, ctx.now);

    // 4. its session tags and source identity
    const tagClaim = tagsClaim(token.claims);
    if (!tagClaim.ok) throw new AwsError('InvalidIdentityToken', tagClaim.message);
    const sessionTags = sessionTagsFor(NO_INHERITED_TAGS, tagClaim.tags, tagClaim.transitive);
    const sourceClaim = sourceIdentityClaim(token.claims);
    if (!sourceClaim.ok) throw new AwsError('InvalidIdentityToken', sourceClaim.message);
    const sourceIdentity = sourceClaim.value;

    // 5. the role and its trust policy
    const target = await findAssumable(deps, ctx.db, ref);
    if (!target) throw notAuthorized(ACTION);
    const extra: ContextValues = {
      ...requestKeys(ctx),
      'aws:FederatedProvider': provider.arn,
      ...trustKeys(provider.url, provider.issuer, token.claims, token.audience, token.subject),
    };
    const context = assumptionContext(target.role, input.roleSessionName, sessionTags, sourceIdentity, extra);
    authorizeAssumption(
      {
        principal: { type: 'WebIdentityUser', provider: provider.arn },
        set: {},
        context: () => context,
        deny: (action) => notAuthorized(action),
      },
      target,
      assumptionActions(ACTION, sessionTags, sourceIdentity),
    );

    // 6. duration, session policies, credentials
    const issued = await issueRoleSession(deps, ctx.db, ctx.now, ctx.request.region, target, {
      sessionName: input.roleSessionName,
      durationSeconds: sessionDuration(input.durationSeconds, target.role, false),
      policy: input.policy,
      policyArns,
      tags: sessionTags,
      sourceIdentity,
      claims: { depth: 0, wi: { p: provider.arn, u: provider.url, sub: token.subject, aud: token.audience } },
    });
    return new Issued(
      { ...issued.output, subjectFromWebIdentityToken: token.subject, provider: provider.arn, audience: token.audience },
      issued.claims,
    );
  },
});

export const assumeRoleWithWebIdentityOperations: readonly DefinedOperation[] = [assumeRoleWithWebIdentity];
