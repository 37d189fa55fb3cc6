/** Hostile input: every one yields an AwsError (a 4xx), never a crash, and in bounded time. */
import { describe, expect, test } from 'vitest';
import { decodeForm, decodeRequest, MAX_PARAMETERS, parseQuery } from '../../src/protocol/index.js';
import { awsError, params, services, sts } from './helpers.js';

const HEAD = 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1';

function timed(fn: () => unknown): { code: string; status: number; ms: number } {
  const start = performance.now();
  const e = awsError(fn);
  return { code: e.code, status: e.status, ms: performance.now() - start };
}

describe('hostile input', () => {
  test('10,000 parameters (form body and pre-decoded pairs)', () => {
    const body = Array.from({ length: 10_000 }, (_, i) => `P${i}=v`).join('&');
    const a = timed(() => decodeForm(body));
    expect(a.code).toBe('ValidationError');
    // A hang guard, not a speed test (those are the bench's): quadratic work here would take seconds.
    expect(a.ms).toBeLessThan(1_000);
    const b = timed(() => decodeRequest(services, params(body)));
    expect([b.code, b.status]).toEqual(['ValidationError', 400]);
  });

  test(`exactly ${MAX_PARAMETERS} parameters are accepted`, () => {
    const body = Array.from({ length: MAX_PARAMETERS }, (_, i) => `P${i}=v`).join('&');
    expect(decodeForm(body)).toHaveLength(MAX_PARAMETERS);
  });

  test('a maximal valid list is fast (999 tags, then refused by the 50-tag limit)', () => {
    const tags = Array.from({ length: 498 }, (_, i) => `Tags.member.${i + 1}.Key=k&Tags.member.${i + 1}.Value=v`).join('&');
    const r = timed(() => decodeRequest(services, params(`${HEAD}&${tags}`)));
    expect(r.code).toBe('ValidationError');
    expect(r.ms).toBeLessThan(500);
  });

  test.each(['99999999', '4294967297', '9'.repeat(400), '1e9', '0x10', '１'])('giant or odd index member.%s does not allocate', (index) => {
    const r = timed(() => parseQuery(sts('AssumeRole').input, params(`Tags.member.${index}.Key=a`)));
    expect(r.code).toBe('ValidationError');
    // Filling an array of that many members takes seconds; a GC pause on a loaded machine does not.
    expect(r.ms).toBeLessThan(300);
  });

  test('deep nesting beyond the shape is ignored; deep nesting within it is bounded by the shape', () => {
    const deep = `${'Tags.member.1.'.repeat(5_000)}Key=x`;
    expect(parseQuery(sts('AssumeRole').input, params(deep))).toEqual({});
    const dotted = `${'a.'.repeat(50_000)}b=1`;
    expect(parseQuery(sts('AssumeRole').input, params(dotted))).toEqual({});
  });

  test.each([
    ['a bad percent sequence', 'Action=%ZZ'],
    ['a truncated percent sequence', 'Action=Assume%2'],
    ['percent-encoded invalid UTF-8', 'RoleSessionName=%C3%28'],
    ['a percent-encoded lone surrogate', 'RoleSessionName=%ED%A0%80'],
    ['an overlong encoding', 'RoleSessionName=%C0%AF'],
  ])('%s', (_, body) => {
    const r = timed(() => decodeForm(body));
    expect([r.code, r.status]).toEqual(['MalformedQueryString', 404]);
  });

  test('raw bytes that are not UTF-8', () => {
    expect(awsError(() => decodeForm(new Uint8Array([0x41, 0x3d, 0xff, 0xfe]))).code).toBe('MalformedQueryString');
    expect(decodeForm(new TextEncoder().encode('A=é+b&B'))).toEqual([['A', 'é b'], ['B', '']]);
  });

  test('lone surrogates in pre-decoded pairs', () => {
    expect(awsError(() => decodeRequest(services, [['Action', 'AssumeRole'], ['RoleSessionName', 'a\uD800']])).code).toBe('MalformedQueryString');
  });

  test('prototype-polluting names are just unknown parameters', () => {
    const input = parseQuery(sts('AssumeRole').input, params('__proto__.x=1&constructor.prototype.y=2&Tags.member.1.__proto__=3&toString=4'));
    expect(input).toEqual({});
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  test('a huge value is carried (the session policy has no model max; its 2048 limit is the handler\'s), and a bad one is reported fast', () => {
    const start = performance.now();
    expect(decodeRequest(services, params(`${HEAD}&Policy=${'x'.repeat(1_000_000)}`)).input['policy']).toHaveLength(1_000_000);
    expect(performance.now() - start).toBeLessThan(500);
    const r = timed(() => decodeRequest(services, params(`${HEAD}&Policy=${'x'.repeat(1_000_000)}\u0001`)));
    expect(r.code).toBe('ValidationError');
    expect(r.ms).toBeLessThan(500);
  });

  test('an empty body', () => {
    expect(decodeForm('')).toEqual([]);
    expect(awsError(() => decodeRequest(services, decodeForm(''))).code).toBe('MissingAction');
  });
});
