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

function isParam(key: string): key is Param {
  return (PARAMS as readonly string[]).includes(key);
}

/**
 * Parses the Authorization header. Failures are IncompleteSignature with AWS's wording, except
 * that the header itself is never echoed back (it may be someone's bearer token sent by mistake,
 * and error messages end up in logs). Unknown parameters are ignored, as AWS does.
 */
export function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(value.trim());
  if (match?.[1] !== ALGORITHM) {
    throw new AwsError('IncompleteSignature', `Unsupported AWS 'algorithm': only '${ALGORITHM}' is accepted in the Authorization header.`);
  }
  const found = new Map<Param, string>();
  for (const part of (match[2] ?? '').split(',')) {
    const piece = part.trim();
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq === -1) {
      throw new AwsError('IncompleteSignature', 'Authorization header has a part that is not a valid key=value pair (missing equal-sign).');
    }
    const key = piece.slice(0, eq).trim();
    if (!isParam(key)) continue;
    if (found.has(key)) {
      throw new AwsError('IncompleteSignature', `Authorization header has a duplicate '${key}' parameter.`);
    }
    found.set(key, piece.slice(eq + 1).trim());
  }
  const missing = PARAMS.filter((p) => (found.get(p) ?? '') === '');
  if (missing.length > 0) {
    throw new AwsError('IncompleteSignature', missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '));
  }
  return {
    credential: found.get('Credential') ?? '',
    signedHeaders: found.get('SignedHeaders') ?? '',
    signature: found.get('Signature') ?? '',
  };
}
