/**
 * The base64 SAMLAssertion is at most 100,000 characters (IAM and STS quotas, "SAML assertion
 * size"; STS's model, SAMLAssertionType max 100000). Checked again here, before the base64 is
 * decoded or anything parsed, so no caller of the verifier depends on the protocol layer for it.
 */
import { AwsError } from '../../errors.js';

export const MAX_ASSERTION_BASE64 = 100_000;

export function checkAssertionSize(base64: string): void {
  if (base64.length > MAX_ASSERTION_BASE64) {
    throw new AwsError('ValidationError', `1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ASSERTION_BASE64}`);
  }
}
