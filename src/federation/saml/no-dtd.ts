/**
 * No DTD in a SAML document, internal or external: SAML forbids one (saml-core §1.3, "SAML
 * messages … MUST NOT contain a DOCTYPE"), and it is the door to entity expansion ("billion
 * laughs") and external entities (XXE). Refused on the text, before any parser sees it;
 * case-insensitively, so that no parser's leniency matters.
 */
import { AwsError } from '../../errors.js';

const DTD = /<!(DOCTYPE|ENTITY)/i;

export function refuseDoctype(xml: string): void {
  if (DTD.test(xml)) throw new AwsError('InvalidIdentityToken', 'Invalid SAML response: a DTD is not accepted.');
}
