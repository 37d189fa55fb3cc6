import { ALGORITHM } from './authorization-header.js';
import { sha256Hex } from './hash.js';

/** StringToSign: algorithm, X-Amz-Date, credential scope, hex SHA-256 of the canonical request. */
export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}
