/**
 * Properties of the AWS Query protocol under generated hostile input: form decoding, parameter
 * parsing and validation against the model, error rendering. Whatever comes in, the only thing
 * thrown is an AwsError with a client status (4xx), in bounded time; what decodes is what was sent.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AwsError, ERRORS } from '../../src/errors.js';
import { checkParams, decodeForm, decodeRequest, parseQuery, renderError, validateInput, type Param } from '../../src/protocol/index.js';
import { formBody } from '../negative/wire.js';
import { anyQueryParams, hostileText, queryParams, queryTargets } from './arbitraries.js';
import { fuzzParams, thrownAwsError } from './settings.js';
import { services } from '../protocol/helpers.js';

/** Run `fn`; it may return or throw an AwsError with a 4xx status, nothing else, within `maxMs`. */
function onlyClientErrors(fn: () => unknown, maxMs = 2_000): AwsError | undefined {
  const caught = thrownAwsError(fn, maxMs);
  if (caught === undefined) return undefined;
  expect(caught.status).toBeGreaterThanOrEqual(400);
  expect(caught.status).toBeLessThan(500);
  return caught;
}

const WELL_FORMED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

describe('form decoding under hostile input', () => {
  test('any text decodes to parameters or fails with an AwsError', () => {
    const formish = fc.array(fc.oneof(hostileText, fc.constantFrom('&', '=', '%', '+', '%2', '%%', '&&', '==')), { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(fc.property(fc.oneof(hostileText, formish), (text) => void onlyClientErrors(() => decodeForm(text))), fuzzParams(500));
  });

  test('any bytes decode to parameters or fail with MalformedQueryString', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const e = onlyClientErrors(() => decodeForm(bytes));
        if (e) expect(['MalformedQueryString', 'ValidationError']).toContain(e.code);
      }),
      fuzzParams(500),
    );
  });

  test('what a client encodes is exactly what decodes (well-formed Unicode, any characters)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(fc.array(fc.tuple(text.filter((n) => n !== ''), text), { maxLength: 10 }), (pairs) => {
        const params = pairs.map(([n, v]): Param => [n, v]);
        expect(decodeForm(formBody(params))).toEqual(params);
        expect(decodeForm(new TextEncoder().encode(formBody(params)))).toEqual(params);
      }),
      fuzzParams(300),
    );
  });

  test('decoded text is well-formed Unicode or refused', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('%ED%A0%80', '%F0%9F%98', '%C3%28', '%80', '%FF', 'a', '%41', '%E2%82%AC', '='), { maxLength: 8 }), (parts) => {
        let params: Param[] | undefined;
        onlyClientErrors(() => (params = decodeForm(parts.join(''))));
        for (const [n, v] of params ?? []) expect(WELL_FORMED.test(n) && WELL_FORMED.test(v)).toBe(true);
      }),
      fuzzParams(300),
    );
  });
});

describe('query parsing and validation against the model', () => {
  test('parameters for any operation are decoded, parsed and validated, or refused with a 4xx AwsError', () => {
    fc.assert(fc.property(anyQueryParams(services), (params) => void onlyClientErrors(() => decodeRequest(services, params), 2_000)), fuzzParams(400));
  });

  test('every operation of both models, with parameters from its own input shape', () => {
    const targets = queryTargets(services).filter((t) => t.operation?.input);
    fc.assert(
      fc.property(fc.constantFrom(...targets).chain((t) => queryParams(t).map((p) => [t, p] as const)), ([t, params]) => {
        onlyClientErrors(() => {
          checkParams(params);
          const input = parseQuery(t.operation?.input, params, { checked: true });
          validateInput(t.operation?.input, input);
        }, 2_000);
      }),
      fuzzParams(400),
    );
  });

  test('an AwsError from any parameters renders as a well-formed ErrorResponse', () => {
    fc.assert(
      fc.property(anyQueryParams(services), hostileText, (params, requestId) => {
        const e = onlyClientErrors(() => decodeRequest(services, params), 2_000);
        if (!e) return;
        expect(Object.keys(ERRORS)).toContain(e.code);
        const { status, body } = renderError(e, requestId, '"><x');
        expect(status).toBe(ERRORS[e.code].status);
        expect(body).toMatch(/^<ErrorResponse xmlns="[^"<]*"><Error><Type>Sender<\/Type><Code>\w+<\/Code><Message>[^<]*<\/Message><\/Error><RequestId>[^<]*<\/RequestId><\/ErrorResponse>$/);
        expect(XML_ILLEGAL.test(body)).toBe(false);
        expect(WELL_FORMED.test(body)).toBe(true);
      }),
      fuzzParams(300),
    );
  });
});
