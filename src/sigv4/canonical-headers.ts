import type { SigV4Request } from './types.js';

/** Lowercased header names to their values, collecting a header given under several spellings. */
export function lowercaseHeaders(headers: SigV4Request['headers']): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const list = out.get(key) ?? [];
    if (typeof value === 'string') list.push(value);
    else list.push(...value);
    out.set(key, list);
  }
  return out;
}

/** Trimall: trim spaces and tabs, collapse every run of them to one space. */
export function canonicalHeaderValue(value: string): string {
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/**
 * CanonicalHeaders: one `name:value\n` line per signed header, in the order of SignedHeaders,
 * several values of one header trimmed and joined with ','. A signed header that is absent is
 * signed as empty, which only verifies if the client signed it empty.
 */
export function canonicalHeaders(headers: SigV4Request['headers'], signedHeaders: readonly string[]): string {
  const byName = lowercaseHeaders(headers);
  return signedHeaders
    .map((name) => `${name}:${(byName.get(name) ?? []).map(canonicalHeaderValue).join(',')}\n`)
    .join('');
}
