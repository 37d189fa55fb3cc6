import { AwsError } from '../errors.js';
import type { AllowedScope, Credential } from './types.js';

/**
 * The scope must be for the day of X-Amz-Date, an allowed service and an allowed region.
 * IAM and STS answer these with SignatureDoesNotMatch and the messages below.
 */
export function checkCredentialScope(credential: Credential, amzDate: string, allowed: AllowedScope): void {
  const day = amzDate.slice(0, 8);
  if (credential.date !== day) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${day}', from '${amzDate}'.`,
    );
  }
  if (!allowed.services.includes(credential.service)) {
    throw new AwsError('SignatureDoesNotMatch', `Credential should be scoped to correct service: '${allowed.services.join("' or '")}'.`);
  }
  if (allowed.regions !== undefined && !allowed.regions.includes(credential.region)) {
    throw new AwsError('SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${credential.region}'.`);
  }
}
