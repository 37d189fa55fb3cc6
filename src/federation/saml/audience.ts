/**
 * The assertion is meant for us: it has an AudienceRestriction, and each AudienceRestriction
 * names one of our accepted audiences (saml-core §2.5.1.4: the conditions of all restrictions
 * hold together). samlify extracts the audience and never compares it (its audit F-4).
 * By default the accepted audiences are `urn:amazon:webservices` and
 * `https://signin.aws.amazon.com/saml`, which IdPs configured for AWS send (issue 14).
 */
import { AwsError } from '../../errors.js';

export function checkAudience(restrictions: readonly (readonly string[])[], accepted: readonly string[]): void {
  const ok = restrictions.length > 0 && restrictions.every((audiences) => audiences.some((a) => accepted.includes(a)));
  if (!ok) throw new AwsError('InvalidIdentityToken', 'Invalid SAML response: the assertion is not addressed to this service (AudienceRestriction).');
}
