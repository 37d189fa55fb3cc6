import type { SigV4Request } from './types.js';

/** Header values by lowercase name, a header sent under several spellings collected under one. */
export type HeaderValues = ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[] | undefined>>;

/**
 * Header values by lowercase name, each a list of the values as sent: what rawHeaderMap() makes.
 * The SigV4 steps take any Map given as a request's headers to be one (names lowercase already).
 *
 * A plain Map, not a subclass: with `class HeaderMap extends Map`, V8 (node 20) could fall into
 * compiling rawHeaderMap and the class's constructor again and again, each attempt aborted on a
 * map-stability dependency (seen with --trace-opt), and the process then served GetCallerIdentity
 * about 15% slower for as long as it ran.
 */
export type HeaderMap = Map<string, string[]>;

/**
 * node's rawHeaders (name, value, name, value, … exactly as sent) by lowercase name: what SigV4
 * signs, built in one pass with nothing joined or dropped (node's `headers` joins or drops
 * repeated headers; `headersDistinct` costs more to build). A Map: header names are data, and a
 * Map takes them with no prototype to reach and is about twice as quick to fill as an object
 * built key by key.
 */
export function rawHeaderMap(rawHeaders: readonly string[]): HeaderMap {
  const out: HeaderMap = new Map();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

const UPPER = /[A-Z]/;

/**
 * The request's headers by lowercase name, each as a list of values. A HeaderMap (rawHeaderMap(),
 * the service's own path) and node's `headersDistinct` already have that shape and are used as
 * they are (no copy on the hot path); anything else (mixed-case names, single strings) is
 * normalised into a new map.
 */
export function lowercaseHeaders(headers: SigV4Request['headers']): HeaderValues {
  if (headers instanceof Map) return headers;
  let lowercase = true;
  for (const name in headers) {
    const value = headers[name];
    if (UPPER.test(name) || (value !== undefined && typeof value === 'string')) {
      lowercase = false;
      break;
    }
  }
  if (lowercase) return headers as Readonly<Record<string, readonly string[] | undefined>>;
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    if (typeof value === 'string') list.push(value);
    else list.push(...value);
  }
  return out;
}

/** The values of one header (by lowercase name), if it was sent. */
export function headerValues(headers: HeaderValues, name: string): readonly string[] | undefined {
  if (headers instanceof Map) return headers.get(name);
  return Object.hasOwn(headers, name) ? (headers as Readonly<Record<string, readonly string[] | undefined>>)[name] : undefined;
}

/**
 * Anything trimall would change: a CR or LF, a tab, two spaces in a row, a space at either end.
 * Searched with indexOf (a session token is a kilobyte, and a regular expression with these
 * alternatives costs ten times as much over it).
 */
function needsTrim(value: string): boolean {
  return (
    value.charCodeAt(0) === 0x20 ||
    value.charCodeAt(value.length - 1) === 0x20 ||
    value.indexOf('\t') !== -1 ||
    value.indexOf('\n') !== -1 ||
    value.indexOf('\r') !== -1 ||
    value.indexOf('  ') !== -1
  );
}

/** Trimall: trim spaces and tabs, collapse every run of them to one space. */
export function canonicalHeaderValue(value: string): string {
  if (!needsTrim(value)) return value;
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
  return canonicalHeaderLines(lowercaseHeaders(headers), signedHeaders);
}

/** canonicalHeaders() over headers already by lowercase name (lowercaseHeaders()). */
export function canonicalHeaderLines(byName: HeaderValues, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) {
    const values = headerValues(byName, name);
    let line = '';
    if (values !== undefined) {
      for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : ',') + canonicalHeaderValue(values[i] ?? '');
    }
    out += `${name}:${line}\n`;
  }
  return out;
}
