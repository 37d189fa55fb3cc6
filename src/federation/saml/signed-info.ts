/**
 * Each Signature has exactly one SignedInfo (XML-DSig §4.1). A second one is the 2025 xml-crypto
 * bypass (CVE-2025-29774/29775: a verifier checks one SignedInfo and a consumer reads the other);
 * xml-crypto ≥ 6.0.1 refuses it too, and this keeps it refused whatever the library does.
 */
import { AwsError } from '../../errors.js';
import type { DocumentFacts } from './samlify.js';

export function checkOneSignedInfo(facts: Pick<DocumentFacts, 'signedInfosPerSignature'>): void {
  if (facts.signedInfosPerSignature.some((n) => n !== 1)) throw new AwsError('InvalidIdentityToken', 'Invalid SAML response: a Signature must have exactly one SignedInfo.');
}
