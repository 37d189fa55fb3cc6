import { sha256Hex } from './hash.js';

/**
 * HashedPayload: always the SHA-256 of the body we received. `x-amz-content-sha256` is never
 * trusted (nor UNSIGNED-PAYLOAD accepted): a client's claim about the body is not the body.
 */
export function hashedPayload(body: Uint8Array): string {
  return sha256Hex(body);
}
