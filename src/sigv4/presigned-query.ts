import { AwsError } from '../errors.js';
import { ALGORITHM } from './authorization-header.js';
import { parseQueryText } from './query-params.js';

/** SigV4 caps a presigned request's life at seven days. */
export const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

export interface PresignedQuery {
  readonly credential: string;
  readonly amzDate: string;
  readonly expires: number;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly securityToken?: string;
}

const REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'] as const;
const ALL: readonly string[] = [...REQUIRED, 'X-Amz-Security-Token'];
/** Any of these in the query means the client meant to presign. */
const MARKERS: readonly string[] = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];

/** X-Amz-Expires: whole seconds, 0 to 604800. */
export function parseExpires(value: string): number {
  if (!/^\d{1,9}$/.test(value)) {
    throw new AwsError('IncompleteSignature', 'X-Amz-Expires should be a number of seconds');
  }
  const seconds = Number(value);
  if (seconds > MAX_EXPIRES_SECONDS) {
    throw new AwsError('IncompleteSignature', `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`);
  }
  return seconds;
}

/** The X-Amz-* parameters of a presigned request, or undefined if the query is not presigned. */
export function parsePresignedQuery(rawQuery: string): PresignedQuery | undefined {
  const found = new Map<string, string>();
  for (const [key, value] of parseQueryText(rawQuery)) {
    if (!ALL.includes(key)) continue;
    if (found.has(key)) {
      throw new AwsError('IncompleteSignature', `Query-string parameter '${key}' must not be repeated.`);
    }
    found.set(key, value);
  }
  if (!MARKERS.some((k) => found.has(k))) return undefined;
  const missing = REQUIRED.filter((k) => (found.get(k) ?? '') === '');
  if (missing.length > 0) {
    throw new AwsError(
      'IncompleteSignature',
      `AWS query-string parameters must include ${missing.map((k) => `'${k}'`).join(', ')}. Re-examine the query-string parameters.`,
    );
  }
  if (found.get('X-Amz-Algorithm') !== ALGORITHM) {
    throw new AwsError('IncompleteSignature', `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const token = found.get('X-Amz-Security-Token') ?? '';
  return {
    credential: found.get('X-Amz-Credential') ?? '',
    amzDate: found.get('X-Amz-Date') ?? '',
    expires: parseExpires(found.get('X-Amz-Expires') ?? ''),
    signedHeaders: found.get('X-Amz-SignedHeaders') ?? '',
    signature: found.get('X-Amz-Signature') ?? '',
    ...(token === '' ? {} : { securityToken: token }),
  };
}
