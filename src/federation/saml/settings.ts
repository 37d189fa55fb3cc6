/**
 * AssumeRoleWithSAML's defaults, AWS's own (IAM User Guide, "Configure SAML assertions for the
 * authentication response"): an IdP set up for AWS addresses its assertions to AWS's sign-in
 * endpoint and to AWS's SAML entity id, and so works unchanged against this service.
 */
import { DEFAULT_SKEW_MS } from './conditions.js';
import type { SamlAcceptance } from './verify-response.js';

/** What AssumeRoleWithSAML accepts (SAML_* settings; src/federation/saml/verify-response.ts). */
export interface SamlSettings extends SamlAcceptance {
  /** This service's SAML entity id (its SP metadata), AWS's `urn:amazon:webservices` by default. */
  readonly entityId: string;
  /** Provider ARNs whose assertions may use rsa-sha1 and sha1 digests (legacy IdPs). */
  readonly allowSha1Providers: readonly string[];
}

/** AWS's SAML service provider entity id (the entityID of signin.aws.amazon.com/static/saml-metadata.xml). */
export const AWS_SP_ENTITY_ID = 'urn:amazon:webservices';
/** AWS's sign-in endpoint: the Recipient (and Destination) an IdP configured for AWS sends. */
export const AWS_SIGNIN_SAML = 'https://signin.aws.amazon.com/saml';

export const DEFAULT_SAML_SETTINGS: SamlSettings = {
  entityId: AWS_SP_ENTITY_ID,
  // IdPs configured for AWS send either as the Audience.
  audiences: [AWS_SP_ENTITY_ID, AWS_SIGNIN_SAML],
  recipients: [AWS_SIGNIN_SAML],
  skewMs: DEFAULT_SKEW_MS,
  allowSha1Providers: [],
};
