import { percentDecode } from './uri-encode.js';

/** One `key=value` pair of a raw query string, percent-decoded to bytes. */
export interface QueryParam {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Splits a raw query on '&' and the first '='; empty pieces are skipped, `a` means `a=`. */
export function parseQueryParams(rawQuery: string): QueryParam[] {
  const params: QueryParam[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const key = eq === -1 ? piece : piece.slice(0, eq);
    const value = eq === -1 ? '' : piece.slice(eq + 1);
    params.push({ key: percentDecode(key), value: percentDecode(value) });
  }
  return params;
}

const text = new TextDecoder();

/** The same pairs as text, for reading the X-Amz-* parameters of a presigned request. */
export function parseQueryText(rawQuery: string): Array<readonly [string, string]> {
  return parseQueryParams(rawQuery).map((p) => [text.decode(p.key), text.decode(p.value)] as const);
}
