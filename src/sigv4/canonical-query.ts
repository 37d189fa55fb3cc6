import { parseQueryParams } from './query-params.js';
import { uriEncode } from './uri-encode.js';

const SIGNATURE_PARAM = 'x-amz-signature';

/**
 * CanonicalQueryString: each key and value decoded then SigV4-encoded, sorted by encoded key and
 * then by encoded value, joined with '&'. A presigned request's own X-Amz-Signature is left out
 * (matched case-insensitively, as the SDK signers do).
 */
export function canonicalQueryString(rawQuery: string, options: { readonly presigned: boolean }): string {
  const pairs: Array<readonly [string, string]> = [];
  for (const { key, value } of parseQueryParams(rawQuery)) {
    const encodedKey = uriEncode(key);
    if (options.presigned && encodedKey.toLowerCase() === SIGNATURE_PARAM) continue;
    pairs.push([encodedKey, uriEncode(value)]);
  }
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}
