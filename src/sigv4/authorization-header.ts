import { AwsError } from '../errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The raw parameters of `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export interface AuthorizationHeader {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
}

type Param = 'Credential' | 'SignedHeaders' | 'Signature';
const PARAMS: readonly Param[] = ['Credential', 'Signature', 'SignedHeaders'];
const WHITESPACE = /\s/;

/**
 * Parses the Authorization header. Failures are IncompleteSignature with AWS's wording, except
 * that the header itself is never echoed back (it may be someone's bearer token sent by mistake,
 * and error messages end up in logs). Unknown parameters are ignored, as AWS does.
 */
export function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const text = value.trim();
  // The scheme is the first run of non-space characters, and must be exactly ours.
  if (!text.startsWith(ALGORITHM) || (text.length > ALGORITHM.length && !WHITESPACE.test(text.charAt(ALGORITHM.length)))) {
    throw new AwsError('IncompleteSignature', `Unsupported AWS 'algorithm': only '${ALGORITHM}' is accepted in the Authorization header.`);
  }
  // The comma-separated parameters, scanned in place (this runs on every request).
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (let start = ALGORITHM.length; start <= text.length; ) {
    let end = text.indexOf(',', start);
    if (end === -1) end = text.length;
    const piece = text.slice(start, end).trim();
    start = end + 1;
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq === -1) {
      throw new AwsError('IncompleteSignature', 'Authorization header has a part that is not a valid key=value pair (missing equal-sign).');
    }
    const key = piece.slice(0, eq).trim();
    if (key === 'Credential') credential = once(key, credential, piece, eq);
    else if (key === 'SignedHeaders') signedHeaders = once(key, signedHeaders, piece, eq);
    else if (key === 'Signature') signature = once(key, signature, piece, eq);
  }
  if (!credential || !signedHeaders || !signature) {
    const found: Record<Param, string | undefined> = { Credential: credential, SignedHeaders: signedHeaders, Signature: signature };
    const missing = PARAMS.filter((p) => (found[p] ?? '') === '');
    throw new AwsError('IncompleteSignature', missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '));
  }
  return { credential, signedHeaders, signature };
}

/** A parameter's value, the first time it appears. */
function once(key: Param, previous: string | undefined, piece: string, eq: number): string {
  if (previous !== undefined) throw new AwsError('IncompleteSignature', `Authorization header has a duplicate '${key}' parameter.`);
  return piece.slice(eq + 1).trim();
}
