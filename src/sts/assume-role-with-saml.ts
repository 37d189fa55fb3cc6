/**
 * AssumeRoleWithSAML: temporary credentials for a role, traded, unsigned, for a SAML 2.0 Response
 * an identity provider signed (STS API Reference, AssumeRoleWithSAML; IAM User Guide, "Configure
 * SAML assertions for the authentication response", "Available keys for SAML-based AWS STS
 * federation"; federation-facts §1.6 and §2.2).
 *
 * The steps, in order:
 * 1. The request alone: the RoleArn's and PrincipalArn's forms, the session policies.
 * 2. The provider the PrincipalArn names, which must exist, be within its metadata's validUntil,
 *    and be in the role's account (each account trusts its own IdP objects, as on AWS).
 * 3. The Response, verified (src/federation/saml/verify-response.ts): size, no DTD, one assertion,
 *    algorithms, an EncryptedAssertion decrypted with the provider's private keys (opened from
 *    the keyring only then; AssertionEncryptionMode Required refuses a plaintext one), the
 *    signature by one of the provider's certificates, and from the signed bytes only: issuer,
 *    time, audience, bearer Recipient.
 * 4. What the assertion says: the Role attribute must pair the requested role with this provider;
 *    RoleSessionName, session tags, SourceIdentity.
 * 5. The role's trust policy, for `Federated` = the provider's ARN, with the `SAML:*` keys:
 *    `sts:AssumeRoleWithSAML`, then `sts:TagSession` and `sts:SetSourceIdentity` when used.
 *    Nobody signed the call: the trust policy alone decides. A missing role answers as a refusal.
 * 6. The duration: the request's (up to the role's maximum), shortened by SessionDuration, never
 *    past SessionNotOnOrAfter.
 * 7. The session is issued (not yet handed out); it records the provider and subject (`saml`):
 *    later calls see aws:FederatedProvider, saml:namequalifier, saml:sub and saml:sub_type.
 * 8. The assertion is used once: its id is recorded for the provider with a conditional insert
 *    shared by every node, only now, so that no refusal (session policies and their packed size
 *    included) burns a good assertion; of two racing calls exactly one gets credentials.
 */
import { isArn, parseSamlProviderArn } from '../arn.js';
import { AwsError } from '../errors.js';
import { roleSessionNameOf, samlSessionSeconds, samlTrustKeys, sessionTagsOf, sourceIdentityOf, subjectType, nameQualifier } from '../federation/saml/aws-attributes.js';
import { samlKeyAad } from '../federation/saml/private-key.js';
import { checkRolePair } from '../federation/saml/role-attribute.js';
import { verifySamlResponse } from '../federation/saml/verify-response.js';
import { defineOperation, Issued, type ContextValues, type DefinedOperation } from '../operation.js';
import { pruneUsedAssertions, useAssertionOnce } from '../store/saml-assertions.js';
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

const ACTION = 'sts:AssumeRoleWithSAML';
/** Used assertions that expired are dropped at most this often per node, by a call that passes by. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

export const assumeRoleWithSaml = defineOperation('AssumeRoleWithSAML', {
  authentication: 'none',
  authorization: 'handler',
  // As AssumeRole: the issuance's audit event is written before the credentials are returned.
  write: false,
  resource: (input) => input.roleArn,
  handle: async (input, ctx, deps) => {
    // 1. the request itself
    const ref = checkRoleArn(input.roleArn);
    if (!isArn(input.principalArn)) throw new AwsError('ValidationError', `${input.principalArn} is invalid`);
    const providerRef = parseSamlProviderArn(input.principalArn);
    if (!providerRef) throw new AwsError('ValidationError', 'Principal ARN is invalid');
    const policyArns = checkSessionPolicies(deps, input);

    // 2. the provider
    const provider = await deps.samlProviders.find(providerRef.accountId, input.principalArn, ctx.db);
    // (choice of wording: AWS's text for a provider that does not exist is not recorded)
    if (!provider) throw new AwsError('InvalidIdentityToken', `SAML provider ${input.principalArn} does not exist`);
    // The metadata's validUntil (GetSAMLProvider's ValidUntil) bounds the provider's word (choice of wording).
    if (provider.validUntil !== null && provider.validUntil.getTime() <= ctx.now.getTime()) throw new AwsError('InvalidIdentityToken', `The metadata of SAML provider ${input.principalArn} expired at ${provider.validUntil.toISOString()}`);

    // 3. the response, verified (and decrypted: the provider's keys stay sealed until an EncryptedAssertion needs them)
    const decryption = {
      mode: provider.assertionEncryptionMode,
      keyCount: provider.keys.length,
      openKeys: () => provider.keys.flatMap((k) => deps.keyring.open(k.sealed, samlKeyAad(provider.arn, k.keyId))?.toString('utf8') ?? []),
    };
    const assertion = await verifySamlResponse(
      input.samlAssertion,
      { entityId: provider.entityId, certificates: provider.certificates, allowSha1: deps.saml.allowSha1Providers.includes(provider.arn), decryption },
      deps.saml,
      ctx.now,
    );

    // 4. what it says
    checkRolePair(assertion.attributes, { roleArn: input.roleArn, providerArn: provider.arn });
    const sessionName = roleSessionNameOf(assertion.attributes);
    const requestedTags = sessionTagsOf(assertion.attributes);
    const sessionTags = sessionTagsFor(NO_INHERITED_TAGS, requestedTags.tags, requestedTags.transitive);
    const sourceIdentity = sourceIdentityOf(assertion.attributes);

    // 5. the role and its trust policy (the provider and the role in one account)
    const target = ref && ref.accountId === provider.accountId ? await findAssumable(deps, ctx.db, ref) : undefined;
    if (!target) throw notAuthorizedFederated(ACTION);
    const samlKeys = samlTrustKeys(assertion, provider);
    const extra: ContextValues = { ...unsignedRequestKeys(ctx), 'aws:FederatedProvider': provider.arn, ...samlKeys };
    const context = assumptionContext(target.role, sessionName, sessionTags, sourceIdentity, extra);
    authorizeFederatedAssumption({ type: 'SAMLUser', provider: provider.arn }, target, context, assumptionActions(ACTION, sessionTags, sourceIdentity));

    // 6. how long
    const durationSeconds = samlSessionSeconds(sessionDuration(input.durationSeconds, target.role, false), assertion, ctx.now);

    // 7. credentials (not handed out yet)
    const qualifier = nameQualifier(assertion.issuer, provider.accountId, provider.name);
    const subType = subjectType(assertion.nameIdFormat);
    const issued = await issueRoleSession(deps, ctx.db, ctx.now, ctx.request.region, target, {
      sessionName,
      durationSeconds,
      policy: input.policy,
      policyArns,
      tags: sessionTags,
      sourceIdentity,
      claims: { depth: 0, saml: { p: provider.arn, sub: assertion.nameId, st: subType, nq: qualifier } },
    });

    // 8. once: taken only now, so that no refusal above (session policies, packed size included)
    // burns a good assertion; of two racing calls, the one that loses here drops its credentials.
    if (!deps.recentlyDone('saml-prune', PRUNE_INTERVAL_MS, ctx.now.getTime())) await pruneUsedAssertions(ctx.db, ctx.now);
    // (choice of wording: AWS does not document its answer to a replayed assertion)
    if (!(await useAssertionOnce(ctx.db, provider.arn, assertion.id, assertion.acceptableUntil))) {
      throw new AwsError('InvalidIdentityToken', 'Invalid SAML response: this assertion has already been used.');
    }
    return new Issued(
      {
        ...issued.output,
        subject: assertion.nameId,
        subjectType: subType,
        issuer: assertion.issuer,
        audience: assertion.recipient,
        nameQualifier: qualifier,
      },
      issued.claims,
    );
  },
});

export const assumeRoleWithSamlOperations: readonly DefinedOperation[] = [assumeRoleWithSaml];
