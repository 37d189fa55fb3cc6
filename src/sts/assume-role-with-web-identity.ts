/**
 * AssumeRoleWithWebIdentity: temporary credentials for a role, traded, unsigned, for a web
 * identity token (STS API Reference, AssumeRoleWithWebIdentity; IAM User Guide, "OIDC
 * federation", "Available keys for AWS web identity federation"; errors and messages as AWS sends
 * them, shared/research/federation-facts.md §1.2).
 *
 * The steps, in order:
 * 1. The request alone: the RoleArn's form (its account is where the provider is looked up),
 *    ProviderId (only www.amazon.com or graph.facebook.com), the session policies.
 * 2. Who vouches for the token, and what it says (`webIdentityOf`):
 *    - ProviderId given: an OAuth 2.0 access token, checked at that provider's token-inspection
 *      endpoints (src/federation/oauth.ts);
 *    - else the provider in the role's account whose issuer is exactly the token's `iss` (read,
 *      unverified, only to find it), the token verified strictly (src/federation/oidc/verify.ts);
 *    - else, for Google's issuer (with or without `https://`), the built-in Google provider
 *      (src/federation/google.ts);
 *    - else "No OpenIDConnect provider found in your account for <iss>".
 * 3. The token's session tags and source identity claims (ID tokens only).
 * 4. The role and its trust policy, for the principal `Federated` = the provider's ARN (or the
 *    built-in provider's name), with the provider's keys: `sts:AssumeRoleWithWebIdentity`, then
 *    `sts:TagSession` and `sts:SetSourceIdentity` when used. Nobody signed the call, so there are
 *    no identity policies: the trust policy alone decides. A role that does not exist answers
 *    like a refusal.
 * 5. Duration (up to the role's maximum), session policies, the issued session, which records
 *    the provider and subject (`wi`): GetCallerIdentity, later calls' aws:FederatedProvider and
 *    provider keys, and the audit trail read them from there.
 */
import { AwsError } from '../errors.js';
import { GOOGLE, googleTrustKeys, oauthTrustKeys, sourceIdentityClaim, tagsClaim, trustKeys } from '../federation/claims.js';
import { googleIssuerForms, verifyGoogleToken } from '../federation/google.js';
import { OAUTH_PROVIDERS } from '../federation/oauth.js';
import type { Claims } from '../federation/oidc/checks.js';
import { unverifiedIssuer, verifyWebIdentityToken } from '../federation/oidc/verify.js';
import { defineOperation, Issued, type ContextValues, type DefinedOperation, type Registry } from '../operation.js';
import type { Db } from '../store/db.js';
import {
  assumptionActions,
  assumptionContext,
  authorizeFederatedAssumption,
  checkRoleArn,
  checkSessionPolicies,
  findAssumable,
  issueRoleSession,
  NO_INHERITED_TAGS,
  notAuthorizedFederated,
  sessionDuration,
  sessionTagsFor,
  unsignedRequestKeys,
} from './role-session.js';

const ACTION = 'sts:AssumeRoleWithWebIdentity';

/** The web identity a token proved, whichever provider vouched for it. */
interface WebIdentity {
  /** The trust policy's `Federated` principal, aws:FederatedProvider and the result's Provider: a provider's ARN, or a built-in provider's name. */
  readonly provider: string;
  /** The prefix of the provider's condition keys (host/path; the built-in provider's name). */
  readonly prefix: string;
  readonly subject: string;
  /** The client (app) the token was issued to: the result's Audience. */
  readonly audience: string;
  /** The provider's keys, for the trust policy. */
  readonly keys: ContextValues;
  /** An ID token's verified claims (tags, source identity); none for an OAuth 2.0 access token. */
  readonly claims: Claims;
}

const NO_CLAIMS: Claims = {};

/** Step 2: who vouches for the token, and what it proves. */
async function webIdentityOf(deps: Registry, db: Db, accountId: string, token: string, providerId: string | undefined, now: Date): Promise<WebIdentity> {
  if (providerId !== undefined) {
    const inspected = await deps.builtInProviders.oauth.inspect(providerId, token, now);
    return { provider: inspected.provider, prefix: inspected.provider, subject: inspected.userId, audience: inspected.appId, keys: oauthTrustKeys(inspected.provider, inspected.appId, inspected.userId), claims: NO_CLAIMS };
  }
  const issuer = unverifiedIssuer(token);
  const provider = await deps.oidcProviders.find(accountId, issuer, db);
  if (provider) {
    const verified = await verifyWebIdentityToken(token, provider, deps.oidcKeys, now);
    return {
      provider: provider.arn,
      prefix: provider.url,
      subject: verified.subject,
      audience: verified.audience,
      keys: trustKeys(provider.url, provider.issuer, verified.claims, verified.audience, verified.subject),
      claims: verified.claims,
    };
  }
  const google = deps.builtInProviders.googleIssuer;
  if (googleIssuerForms(google).includes(issuer)) {
    const verified = await verifyGoogleToken(token, google, deps.oidcKeys, now);
    return { provider: GOOGLE, prefix: GOOGLE, subject: verified.subject, audience: verified.audience, keys: googleTrustKeys(verified.claims, verified.subject), claims: verified.claims };
  }
  throw new AwsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${issuer}`);
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
    if (input.providerId !== undefined && !OAUTH_PROVIDERS.includes(input.providerId)) {
      throw new AwsError('InvalidParameterValue', `ProviderId is only for the OAuth 2.0 access tokens of ${OAUTH_PROVIDERS.join(' and ')}; leave it out for OpenID Connect ID tokens`);
    }
    const policyArns = checkSessionPolicies(deps, input);
    if (!ref) throw notAuthorizedFederated(ACTION);

    // 2. who vouches for the token, and what it proves
    const identity = await webIdentityOf(deps, ctx.db, ref.accountId, input.webIdentityToken, input.providerId, ctx.now);

    // 3. its session tags and source identity
    const tagClaim = tagsClaim(identity.claims);
    if (!tagClaim.ok) throw new AwsError('InvalidIdentityToken', tagClaim.message);
    const sessionTags = sessionTagsFor(NO_INHERITED_TAGS, tagClaim.tags, tagClaim.transitive);
    const sourceClaim = sourceIdentityClaim(identity.claims);
    if (!sourceClaim.ok) throw new AwsError('InvalidIdentityToken', sourceClaim.message);
    const sourceIdentity = sourceClaim.value;

    // 4. the role and its trust policy
    const target = await findAssumable(deps, ctx.db, ref);
    if (!target) throw notAuthorizedFederated(ACTION);
    const extra: ContextValues = { ...unsignedRequestKeys(ctx), 'aws:FederatedProvider': identity.provider, ...identity.keys };
    const context = assumptionContext(target.role, input.roleSessionName, sessionTags, sourceIdentity, extra);
    authorizeFederatedAssumption({ type: 'WebIdentityUser', provider: identity.provider }, target, context, assumptionActions(ACTION, sessionTags, sourceIdentity));

    // 5. duration, session policies, credentials
    const issued = await issueRoleSession(deps, ctx.db, ctx.now, ctx.request.region, target, {
      sessionName: input.roleSessionName,
      durationSeconds: sessionDuration(input.durationSeconds, target.role, false),
      policy: input.policy,
      policyArns,
      tags: sessionTags,
      sourceIdentity,
      claims: { depth: 0, wi: { p: identity.provider, u: identity.prefix, sub: identity.subject, aud: identity.audience } },
    });
    return new Issued(
      { ...issued.output, subjectFromWebIdentityToken: identity.subject, provider: identity.provider, audience: identity.audience },
      issued.claims,
    );
  },
});

export const assumeRoleWithWebIdentityOperations: readonly DefinedOperation[] = [assumeRoleWithWebIdentity];
