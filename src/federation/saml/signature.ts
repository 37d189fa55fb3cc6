/**
 * The signature over the Response or the Assertion, verified with the provider's certificates
 * only (any of them, for rotation; a certificate found in KeyInfo alone is never trusted), and the
 * assertion as the signature covers it: every later check reads these bytes and nothing else of
 * the document. AWS's text for a signature that does not verify is "Response signature invalid"
 * (seen on the wire: cevoaustralia/aws-google-auth#270).
 */
import { AwsError } from '../../errors.js';
import { verifySignedAssertion } from './samlify.js';

function invalidSignature(): AwsError {
  return new AwsError('InvalidIdentityToken', 'Response signature invalid');
}

/** The signed assertion's XML, or InvalidIdentityToken. */
export function verifiedAssertion(xml: string, certificates: readonly string[]): string {
  let signed: string | undefined;
  try {
    signed = verifySignedAssertion(xml, certificates);
  } catch {
    // samlify's wrapping detection and xml-crypto's refusals: one answer, no detail to an attacker.
    throw invalidSignature();
  }
  if (signed === undefined) throw invalidSignature();
  return signed;
}
