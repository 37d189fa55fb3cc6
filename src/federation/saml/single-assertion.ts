/**
 * Exactly one assertion in the whole document, wherever it hides (python3-saml: "SAML Response
 * must contain 1 assertion"): a second one, signed or not, beside the signed one, inside
 * `samlp:Extensions` (OneUptime#2949), in Advice or in a wrapper is the material of every
 * signature-wrapping attack, so the document is refused before anything in it is read. Encrypted
 * assertions count too.
 */
import { AwsError } from '../../errors.js';
import type { DocumentFacts } from './samlify.js';

export function checkSingleAssertion(facts: Pick<DocumentFacts, 'assertions'>): void {
  if (facts.assertions !== 1) throw new AwsError('InvalidIdentityToken', `Invalid SAML response: it must contain exactly one assertion, not ${facts.assertions}.`);
}
