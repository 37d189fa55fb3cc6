/**
 * An IdP's metadata as CreateSAMLProvider and UpdateSAMLProvider accept it: one `EntityDescriptor`
 * with an `entityID` and exactly one `IDPSSODescriptor`, holding at least one signing certificate
 * (a KeyDescriptor with `use="signing"` or no `use`, which SAML metadata §2.4.1.1 reads as both),
 * at most 10 of them (IAM quota "Keys per SAML provider: 10"; any of them verifies a response, so
 * an IdP rotates by publishing the next one beside the current). Anything else is InvalidInput
 * "Could not parse metadata", AWS's text for a document it cannot read.
 */
import { X509Certificate } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { NS, readMetadata, type MetadataFacts } from './samlify.js';
import { refuseDoctype } from './no-dtd.js';

/** IAM's quota of signing certificates per SAML provider. */
export const MAX_SIGNING_CERTIFICATES = 10;

export interface IdpMetadata {
  readonly entityId: string;
  /** Base64 DER, in the document's order, each once. */
  readonly certificates: readonly string[];
  readonly validUntil: Date | undefined;
}

function couldNotParse(detail?: string): AwsError {
  return new AwsError('InvalidInput', detail ? `Could not parse metadata: ${detail}` : 'Could not parse metadata');
}

/** Parse and check a SAMLMetadataDocument (its length is the model's: 1,000 to 10,000,000). */
export function parseIdpMetadata(xml: string): IdpMetadata {
  try {
    refuseDoctype(xml);
  } catch {
    throw couldNotParse('a DTD is not accepted');
  }
  let facts: MetadataFacts;
  try {
    facts = readMetadata(xml);
  } catch {
    throw couldNotParse();
  }
  return checkMetadata(facts);
}

/** The checks on what the document says (pure, for tests). */
export function checkMetadata(facts: MetadataFacts): IdpMetadata {
  if (facts.root !== `{${NS.md}}EntityDescriptor`) throw couldNotParse('the document must be a single md:EntityDescriptor');
  if (!facts.entityId) throw couldNotParse('the EntityDescriptor has no entityID');
  if (facts.idpDescriptors !== 1) throw couldNotParse('the EntityDescriptor must hold exactly one IDPSSODescriptor');
  const certificates = [...new Set(facts.signingCertificates)];
  if (certificates.length === 0) throw couldNotParse('the IDPSSODescriptor has no signing certificate');
  if (certificates.length > MAX_SIGNING_CERTIFICATES) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for KeysPerSAMLProvider: ${MAX_SIGNING_CERTIFICATES}`);
  }
  for (const cert of certificates) {
    try {
      new X509Certificate(Buffer.from(cert, 'base64'));
    } catch {
      throw couldNotParse('a signing certificate is not an X.509 certificate');
    }
  }
  let validUntil: Date | undefined;
  if (facts.validUntil !== undefined) {
    validUntil = new Date(facts.validUntil);
    if (Number.isNaN(validUntil.getTime())) throw couldNotParse('validUntil is not a date');
  }
  return { entityId: facts.entityId, certificates, validUntil };
}
