/**
 * What temporary credentials may call, by how they were obtained (shared/SPEC.md §5, from AWS's
 * "Comparing the AWS STS API operations"):
 * - AssumeRole* sessions cannot call GetSessionToken or GetFederationToken;
 * - GetSessionToken credentials cannot call IAM unless MFA was used, nor STS except AssumeRole and
 *   GetCallerIdentity;
 * - GetFederationToken credentials cannot call IAM, nor STS except GetCallerIdentity.
 * Checked right after authentication, before any policy.
 */
import { AwsError } from '../errors.js';
import type { Caller } from './caller.js';

const SESSION_STS = new Set(['AssumeRole', 'GetCallerIdentity']);
const FEDERATED_STS = new Set(['GetCallerIdentity']);

function refused(operation: string): AwsError {
  return new AwsError('AccessDenied', `Cannot call ${operation} with session credentials`);
}

export function checkCredentialType(caller: Caller, service: 'iam' | 'sts', operation: string): void {
  const session = caller.session;
  if (!session) return;
  if (session.kind === 'role') {
    if (service === 'sts' && (operation === 'GetSessionToken' || operation === 'GetFederationToken')) throw refused(operation);
    return;
  }
  if (session.kind === 'session') {
    // AWS answers an IAM call with non-MFA GetSessionToken credentials as an invalid token.
    if (service === 'iam' && session.mfa === undefined) throw new AwsError('InvalidClientTokenId');
    if (service === 'sts' && !SESSION_STS.has(operation)) throw refused(operation);
    return;
  }
  // federated
  if (service === 'iam') throw new AwsError('InvalidClientTokenId');
  if (!FEDERATED_STS.has(operation)) throw refused(operation);
}
