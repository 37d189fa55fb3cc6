import { AwsError } from '../errors.js';
import { parseSignedRequest } from './parse-signed-request.js';
import { verifySignature } from './signature.js';
import { deriveSigningKey, type DeriveSigningKey } from './signing-key.js';
import type { AllowedScope, ParsedSignedRequest, SigV4Identity, SigV4Request } from './types.js';

/** What the key lookup found: the secret that must have signed, and whatever the caller keeps with it. */
export interface Signer {
  readonly secret: string;
}

export interface VerifyOptions<S extends Signer> {
  /** The current time in ms since the epoch (this module never reads the clock). */
  readonly now: number;
  readonly allowed: AllowedScope;
  /**
   * The signer of the request's access key, or undefined if the key is unknown or unusable
   * (which becomes InvalidClientTokenId). May throw its own AwsError, e.g. for an expired token.
   * Answers with a plain value when it knows from memory, a promise only when it has to read.
   */
  readonly lookupSigner: (request: ParsedSignedRequest) => S | undefined | Promise<S | undefined>;
  /** A caching signing-key derivation, if the caller keeps one. */
  readonly deriveKey?: DeriveSigningKey | undefined;
}

/** A request whose signature checked out: who signed it, and the signer the lookup found. */
export interface Verified<S extends Signer> {
  readonly identity: SigV4Identity;
  readonly signer: S;
}

/**
 * Parse, look up the signer, check the signature: the identity or an AwsError (a rejected
 * promise). AWS's test vectors run it; production runs its steps through verifyRequest().
 */
export async function verify<S extends Signer>(req: SigV4Request, options: VerifyOptions<S>): Promise<Verified<S>> {
  return verifyRequest(req, options);
}

/**
 * verify()'s steps, the one path every signed request takes (src/auth/authenticate.ts calls it):
 * a plain value when the lookup answered from memory, a promise only when it had to read (a
 * promise and a trip through the microtask queue per request saved on the hot path). Throws
 * (or rejects with) an AwsError.
 */
export function verifyRequest<S extends Signer>(req: SigV4Request, options: VerifyOptions<S>): Verified<S> | Promise<Verified<S>> {
  const parsed = parseSignedRequest(req, options.now, options.allowed);
  const lookup = options.lookupSigner(parsed);
  const derive = options.deriveKey ?? deriveSigningKey;
  return lookup instanceof Promise ? lookup.then((signer) => checkSignature(parsed, signer, derive)) : checkSignature(parsed, lookup, derive);
}

/** The last step: the signer's secret must give the request's signature (constant time). */
function checkSignature<S extends Signer>(parsed: ParsedSignedRequest, signer: S | undefined, derive: DeriveSigningKey): Verified<S> {
  if (signer === undefined) throw new AwsError('InvalidClientTokenId');
  if (!verifySignature(parsed, signer.secret, derive)) throw new AwsError('SignatureDoesNotMatch');
  return { identity: identityOf(parsed), signer };
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
