/**
 * Every Issuer equals the provider's entity id (python3-saml: "every Issuer must equal the IdP
 * entityId"), and there is one. AWS's text: "Issuer not present in specified provider"
 * (dbeaver/cloudbeaver#3112).
 */
import { AwsError } from '../../errors.js';

export function checkIssuers(issuers: readonly string[], entityId: string): void {
  if (issuers.length === 0 || issuers.some((i) => i.trim() !== entityId)) throw new AwsError('InvalidIdentityToken', 'Issuer not present in specified provider');
}
