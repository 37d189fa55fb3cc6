/**
 * Properties of SigV4 parsing under generated hostile input: the Authorization header, the
 * presigned query, the credential and its scope, X-Amz-Date, and a whole request built from
 * hostile pieces around a well-formed one. Whatever comes in, the only thing thrown is an
 * AwsError with a 4xx status (IncompleteSignature, SignatureDoesNotMatch, RequestExpired,
 * MissingAuthenticationToken), in bounded time, and what parses has the form the spec says.
 * (test/sigv4/oracle.test.ts covers signed requests changed in one place.)
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AwsError } from '../../src/errors.js';
import {
  checkCredentialScope,
  computeSignature,
  formatAmzDate,
  parseAmzDate,
  parseAuthorizationHeader,
  parseCredential,
  parsePresignedQuery,
  parseSignedRequest,
  verify,
  type PlainSigV4Request,
} from '../../src/sigv4/index.js';
import { readCredential } from '../../src/sigv4/credential.js';
import { parseSignedHeaders, readSignedHeaders } from '../../src/sigv4/signed-headers.js';
import { hostileText } from './arbitraries.js';
import { fuzzParams, thrownAwsError } from './settings.js';

const SIGV4_CODES = ['IncompleteSignature', 'SignatureDoesNotMatch', 'RequestExpired', 'MissingAuthenticationToken', 'InvalidClientTokenId'];

function onlySigV4Errors(fn: () => unknown, maxMs = 2_000): AwsError | undefined {
  const caught = thrownAwsError(fn, maxMs);
  if (caught === undefined) return undefined;
  expect(SIGV4_CODES).toContain(caught.code);
  expect(caught.status).toBeLessThan(500);
  return caught;
}

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const AMZ_NOW = formatAmzDate(NOW);
const DAY = AMZ_NOW.slice(0, 8);
const SIGNATURE = 'a'.repeat(64);
const CREDENTIAL = `AKIAIOSFODNN7EXAMPLE/${DAY}/us-east-1/sts/aws4_request`;
const HEADER = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIGNATURE}`;

/** `text` with a few pieces cut, doubled or replaced by hostile ones. */
function damaged(text: string): fc.Arbitrary<string> {
  const insert = fc.oneof(fc.constantFrom('', ',', '=', ' ', '/', ';', '\t', 'Credential=', 'Signature=', 'SignedHeaders=', 'AWS4-HMAC-SHA256', '%', '&'), hostileText);
  return fc
    .array(fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 6 }), insert), { minLength: 1, maxLength: 3 })
    .map((edits) => edits.reduce((t, [at, cut, piece]) => t.slice(0, at) + piece + t.slice(at + cut), text));
}

const nearOrAny = (valid: string): fc.Arbitrary<string> => fc.oneof({ arbitrary: damaged(valid), weight: 3 }, { arbitrary: hostileText, weight: 1 }, { arbitrary: fc.constant(valid), weight: 1 });

describe('SigV4 parsing under hostile input', () => {
  test('the Authorization header parses into its three parameters or fails with IncompleteSignature', () => {
    fc.assert(
      fc.property(nearOrAny(HEADER), (value) => {
        let parsed: ReturnType<typeof parseAuthorizationHeader> | undefined;
        const e = onlySigV4Errors(() => (parsed = parseAuthorizationHeader(value)));
        if (e) expect(e.code).toBe('IncompleteSignature');
        if (parsed) {
          expect(parsed.credential).not.toBe('');
          expect(parsed.signedHeaders).not.toBe('');
          expect(parsed.signature).not.toBe('');
        }
      }),
      fuzzParams(1_000),
    );
  });

  test('a credential has exactly five non-empty parts, an eight-digit date and the aws4_request terminator, or fails', () => {
    fc.assert(
      fc.property(nearOrAny(CREDENTIAL), (value) => {
        let parsed: ReturnType<typeof parseCredential> | undefined;
        const e = onlySigV4Errors(() => (parsed = parseCredential(value)));
        if (e) expect(e.code).toBe('IncompleteSignature');
        if (parsed) {
          expect(value).toBe(`${parsed.accessKeyId}/${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`);
          expect(parsed.date).toMatch(/^\d{8}$/);
          for (const part of [parsed.accessKeyId, parsed.region, parsed.service]) expect(part).not.toMatch(/^$|\//);
          // The scope check then refuses any day, service or region other than the allowed ones.
          const scope = onlySigV4Errors(() => checkCredentialScope(parsed ?? { accessKeyId: '', date: '', region: '', service: '' }, AMZ_NOW, { services: ['sts'], regions: ['us-east-1'] }));
          const allowed = parsed.date === DAY && parsed.service === 'sts' && parsed.region === 'us-east-1';
          expect(scope === undefined).toBe(allowed);
        }
      }),
      fuzzParams(1_000),
    );
  });

  test('X-Amz-Date is a real UTC instant that reads back the same, or undefined', () => {
    const dates = fc.date({ min: new Date(Date.UTC(100, 0, 1)), max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59)), noInvalidDate: true }).map((d) => formatAmzDate(Math.floor(d.getTime() / 1000) * 1000));
    fc.assert(
      fc.property(fc.oneof(dates, dates.chain(damaged), hostileText), (value) => {
        const ms = parseAmzDate(value);
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(formatAmzDate(ms)).toBe(value);
        }
      }),
      fuzzParams(1_000),
    );
    fc.assert(
      fc.property(dates, (value) => {
        expect(parseAmzDate(value)).toBeDefined();
      }),
      fuzzParams(300),
    );
  });

  test('a presigned query parses, is not presigned, or fails with IncompleteSignature', () => {
    const valid = `Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(CREDENTIAL)}&X-Amz-Date=${AMZ_NOW}&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIGNATURE}&X-Amz-Security-Token=abc`;
    fc.assert(
      fc.property(nearOrAny(valid), (query) => {
        let parsed: ReturnType<typeof parsePresignedQuery>;
        const e = onlySigV4Errors(() => (parsed = parsePresignedQuery(query)));
        if (e) expect(e.code).toBe('IncompleteSignature');
        if (parsed) {
          expect(Number.isInteger(parsed.expires) && parsed.expires >= 0 && parsed.expires <= 604_800).toBe(true);
          expect(parsed.credential).not.toBe('');
        }
      }),
      fuzzParams(1_000),
    );
  });

  test('a whole request with hostile headers, path, query and body is refused with a SigV4 error, never verified', async () => {
    const headerName = fc.oneof(fc.constantFrom('authorization', 'Authorization', 'x-amz-date', 'X-Amz-Date', 'host', 'x-amz-security-token', 'x-amz-content-sha256', 'content-type'), hostileText);
    const headerValue = fc.oneof(fc.constantFrom(HEADER, AMZ_NOW, 'localhost', '', ' '), hostileText, damaged(HEADER));
    const request = fc.record({
      method: fc.oneof(fc.constantFrom('POST', 'GET', 'PUT', 'post'), hostileText),
      path: fc.oneof(fc.constantFrom('/', '//', '/./../', '/%2F', '/%zz', ''), hostileText),
      query: fc.oneof(fc.constant(''), hostileText, damaged(`X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(CREDENTIAL)}&X-Amz-Date=${AMZ_NOW}&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIGNATURE}`)),
      headers: fc.dictionary(headerName, fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), { maxKeys: 5 }),
      body: fc.uint8Array({ maxLength: 64 }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (req: PlainSigV4Request) => {
        onlySigV4Errors(() => parseSignedRequest(req, NOW, { services: ['sts'] }));
        // Even with the secret known for any key id, nothing generated here carries a valid signature.
        const start = performance.now();
        const outcome = await verify(req, { now: NOW, allowed: { services: ['sts'] }, lookupSigner: async () => ({ secret: 'secret' }) }).then(
          () => 'verified',
          (err: unknown) => err,
        );
        expect(performance.now() - start).toBeLessThan(2_000);
        expect(outcome).toBeInstanceOf(AwsError);
        expect(SIGV4_CODES).toContain((outcome as AwsError).code);
      }),
      fuzzParams(1_000),
    );
  });
});

describe('the hand-written HMAC (src/sigv4/signature.ts) against node:crypto', () => {
  test('computeSignature equals createHmac for any key and message, with keys used again in any order', () => {
    // Keys of every length around the block size (64 bytes; longer keys take createHmac's path),
    // messages of any Unicode text and length (the kept room is 256 bytes), each key reused.
    const key = fc.uint8Array({ minLength: 0, maxLength: 80 }).map((k) => Buffer.from(k));
    const message = fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), message), { minLength: 1, maxLength: 6 }), (keys, uses) => {
        for (const [i, m] of uses) {
          const k = keys[i % keys.length] ?? Buffer.alloc(0);
          expect(computeSignature(k, m)).toBe(createHmac('sha256', k).update(m, 'utf8').digest('hex'));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the remembered parses (Credential, SignedHeaders) against the plain ones', () => {
  /** The value, or the AwsError's code and message, of one parse. */
  const outcome = (parse: () => unknown): unknown => {
    try {
      return { value: parse() };
    } catch (err) {
      return { error: err instanceof AwsError ? [err.code, err.message] : String(err) };
    }
  };

  test('parseCredential answers what readCredential answers, the first time and every time after', () => {
    fc.assert(
      fc.property(fc.array(nearOrAny(CREDENTIAL), { minLength: 1, maxLength: 4 }), (texts) => {
        for (const text of [...texts, ...texts]) expect(outcome(() => parseCredential(text))).toEqual(outcome(() => readCredential(text)));
      }),
      { numRuns: 300 },
    );
  });

  test('parseSignedHeaders answers what readSignedHeaders answers, the first time and every time after', () => {
    const lists = fc.oneof(fc.constantFrom('host;x-amz-date', 'host;x-amz-date;x-amz-security-token', 'content-type;host;x-amz-date', 'host;host', 'Host;x-amz-date', ''), hostileText, damaged('host;x-amz-date;x-amz-security-token'));
    fc.assert(
      fc.property(fc.array(lists, { minLength: 1, maxLength: 4 }), (texts) => {
        for (const text of [...texts, ...texts]) expect(outcome(() => parseSignedHeaders(text))).toEqual(outcome(() => readSignedHeaders(text)));
      }),
      { numRuns: 300 },
    );
  });
});
