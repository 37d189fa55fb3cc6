import { AwsError } from '../errors.js';
import { parseSignedRequest } from './parse-signed-request.js';
import { verifySignature } from './signature.js';
import { deriveSigningKey, type DeriveSigningKey } from './signing-key.js';
import type { AllowedScope, ParsedSignedRequest, SigV4Identity, SigV4Request } from './types.js';

export interface VerifyOptions {
  /** The current time in ms since the epoch (this module never reads the clock). */
  readonly now: number;
  readonly allowed: AllowedScope;
  /**
   * The secret for the request's access key, or undefined if the key is unknown (which becomes
   * InvalidClientTokenId). May throw its own AwsError, e.g. for an inactive key or expired token.
   */
  readonly lookupSecret: (request: ParsedSignedRequest) => Promise<string | undefined>;
  /** A caching signing-key derivation, if the caller keeps one. */
  readonly deriveKey?: DeriveSigningKey;
}

/** Parse, look up the secret, check the signature; the identity or an AwsError. */
export async function verify(req: SigV4Request, options: VerifyOptions): Promise<SigV4Identity> {
  const parsed = parseSignedRequest(req, options.now, options.allowed);
  const secret = await options.lookupSecret(parsed);
  if (secret === undefined) throw new AwsError('InvalidClientTokenId');
  if (!verifySignature(parsed, secret, options.deriveKey ?? deriveSigningKey)) {
    throw new AwsError('SignatureDoesNotMatch');
  }
  return identityOf(parsed);
}

/** Who signed a request whose signature has been checked (without the string to sign and signature). */
export function identityOf(parsed: ParsedSignedRequest): SigV4Identity {
  return {
    accessKeyId: parsed.accessKeyId,
    region: parsed.region,
    service: parsed.service,
    securityToken: parsed.securityToken,
    signedHeaders: parsed.signedHeaders,
    presigned: parsed.presigned,
    requestTime: parsed.requestTime,
  };
}
