import { createHash } from 'node:crypto';
import { ALGORITHM } from './authorization-header.js';

/** StringToSign: algorithm, X-Amz-Date, credential scope, hex SHA-256 of the canonical request. */
export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  const digest = createHash('sha256').update(canonicalRequest, 'utf8').digest('hex');
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${digest}`;
}
