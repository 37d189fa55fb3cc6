/**
 * Strict `application/x-www-form-urlencoded` decoding (WHATWG URL "urlencoded parser", minus its
 * silent repairs): a malformed percent sequence or a byte sequence that is not UTF-8 is refused
 * with `MalformedQueryString` instead of being turned into U+FFFD, so what we validate and sign
 * is exactly what the client sent.
 */
import { isAscii } from 'node:buffer';
import { AwsError } from '../errors.js';

export type Param = readonly [name: string, value: string];

/** Most parameters a request may carry; enough for the largest IAM simulation request. */
export const MAX_PARAMETERS = 1000;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode a form body or a query string (without the leading `?`) into name/value pairs.
 * `plus`: what a `+` is. In a form body, a space (the body is signed as bytes, so either reading
 * is what was signed). In a query string, itself (`'literal'`), as SigV4's canonical query reads
 * it: otherwise `%2B` and `+` sign alike but read differently, and anyone holding a signed or
 * presigned URL could turn a signed plus into an unsigned space (found in review).
 */
export function decodeForm(input: string | Uint8Array, plus: 'space' | 'literal' = 'space'): Param[] {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (isAscii(input)) {
    // ASCII (nearly every request) is its own UTF-8: no decoder needed.
    text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  } else {
    try {
      text = UTF8.decode(input);
    } catch {
      throw new AwsError('MalformedQueryString', 'The request body is not valid UTF-8.');
    }
  }
  const pairs: Param[] = [];
  if (text === '') return pairs;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      if (pairs.length === MAX_PARAMETERS) throw tooMany();
      const part = text.slice(start, end);
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      pairs.push([decodeComponent(name, plus), decodeComponent(value, plus)]);
    }
    start = end + 1;
  }
  return pairs;
}

export function tooMany(): AwsError {
  return new AwsError('ValidationError', `The request has more than ${MAX_PARAMETERS} parameters.`);
}

function decodeComponent(s: string, plus: 'space' | 'literal'): string {
  const text = plus === 'space' && s.includes('+') ? s.replaceAll('+', ' ') : s;
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new AwsError('MalformedQueryString', 'The request contains an invalid percent-encoded sequence.');
  }
}
