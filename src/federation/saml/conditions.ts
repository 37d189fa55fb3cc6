/**
 * The assertion's Conditions: present (python3-saml), with NotBefore ≤ now + skew and
 * now − skew < NotOnOrAfter (saml-core §2.5.1.2). Both bounds are required here: samlify lets an
 * assertion with neither through with a warning (federation-facts §2.2, item 8). An expired one is
 * ExpiredTokenException, as AWS answers an expired assertion.
 */
import { AwsError } from '../../errors.js';
import type { AssertionFacts } from './samlify.js';

/** The default clock skew allowed each way. */
export const DEFAULT_SKEW_MS = 5 * 60 * 1000;
/** The most skew a deployment may configure. */
export const MAX_SKEW_MS = 10 * 60 * 1000;

function rejected(detail: string): AwsError {
  return new AwsError('InvalidIdentityToken', `Invalid SAML response: ${detail}`);
}

export function checkConditions(conditions: AssertionFacts['conditions'], now: Date, skewMs: number): void {
  const skew = Math.min(Math.max(skewMs, 0), MAX_SKEW_MS);
  if (!conditions || conditions.notBefore === undefined || conditions.notOnOrAfter === undefined) throw rejected('Conditions must have NotBefore and NotOnOrAfter.');
  const notBefore = Date.parse(conditions.notBefore);
  const notOnOrAfter = Date.parse(conditions.notOnOrAfter);
  if (Number.isNaN(notBefore) || Number.isNaN(notOnOrAfter)) throw rejected('Conditions NotBefore or NotOnOrAfter is not a date.');
  if (now.getTime() + skew < notBefore) throw rejected('the assertion is not valid yet.');
  if (now.getTime() - skew >= notOnOrAfter) throw new AwsError('ExpiredTokenException', 'Token is expired.');
}
