/**
 * "There must be exactly one SubjectConfirmation element with a SubjectConfirmationData element
 * that includes both the NotOnOrAfter attribute and a Recipient attribute" (IAM User Guide,
 * "Configure SAML assertions for the authentication response"). It must be a bearer confirmation,
 * its Recipient one of ours, its NotOnOrAfter in the future and its NotBefore, if any, past
 * (within the skew). The Recipient is what AWS calls the audience of the result and `SAML:aud`.
 */
import { AwsError } from '../../errors.js';
import type { SubjectConfirmationFacts } from './samlify.js';

export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

function rejected(detail: string): AwsError {
  return new AwsError('InvalidIdentityToken', `Invalid SAML response: ${detail}`);
}

/** The accepted Recipient. `now` and `skewMs` are the caller's (no clock is read here). */
export function checkBearerConfirmation(confirmations: readonly SubjectConfirmationFacts[], acceptedRecipients: readonly string[], now: Date, skewMs: number): string {
  if (confirmations.length !== 1) throw rejected('there must be exactly one SubjectConfirmation.');
  const [sc] = confirmations;
  if (!sc || sc.method !== BEARER) throw rejected('the SubjectConfirmation must be a bearer confirmation.');
  if (sc.recipient === undefined || sc.notOnOrAfter === undefined) throw rejected('SubjectConfirmationData must have a Recipient and a NotOnOrAfter.');
  if (!acceptedRecipients.includes(sc.recipient)) throw rejected('the SubjectConfirmationData Recipient is not this service.');
  const notOnOrAfter = Date.parse(sc.notOnOrAfter);
  if (Number.isNaN(notOnOrAfter)) throw rejected('SubjectConfirmationData NotOnOrAfter is not a date.');
  if (now.getTime() - skewMs >= notOnOrAfter) throw new AwsError('ExpiredTokenException', 'Token is expired.');
  if (sc.notBefore !== undefined) {
    const notBefore = Date.parse(sc.notBefore);
    if (Number.isNaN(notBefore) || now.getTime() + skewMs < notBefore) throw rejected('the SubjectConfirmationData is not valid yet.');
  }
  return sc.recipient;
}
