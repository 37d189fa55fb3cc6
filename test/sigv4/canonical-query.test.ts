import { getCanonicalQuery } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { canonicalQueryString } from '../../src/sigv4/index.js';
import { toWireQuery } from './helpers/oracle.js';
import { Rng } from './helpers/rng.js';

const header = { presigned: false };

describe('canonicalQueryString', () => {
  it('is empty for no query', () => {
    expect(canonicalQueryString('', header)).toBe('');
  });
  it('sorts by key, then by value (get-vanilla-query-order-*)', () => {
    expect(canonicalQueryString('Param2=value2&Param1=value1', header)).toBe('Param1=value1&Param2=value2');
    expect(canonicalQueryString('Param1=value2&Param1=Value1', header)).toBe('Param1=Value1&Param1=value2');
  });
  it('sorts by the encoded key (%2F sorts before .)', () => {
    expect(canonicalQueryString('a.=1&a%2F=2', header)).toBe('a%2F=2&a.=1');
  });
  it("gives a key without '=' an empty value and skips empty pieces", () => {
    expect(canonicalQueryString('b&&a=', header)).toBe('a=&b=');
  });
  it('re-encodes: lower-case hex, raw reserved characters, + as %2B, raw UTF-8', () => {
    expect(canonicalQueryString("k=%c3%a9!'()*&p=a+b&u=ሴ", header)).toBe('k=%C3%A9%21%27%28%29%2A&p=a%2Bb&u=%E1%88%B4');
  });
  it('leaves out X-Amz-Signature only for presigned requests', () => {
    expect(canonicalQueryString('X-Amz-Signature=abc&a=1', { presigned: true })).toBe('a=1');
    expect(canonicalQueryString('X-Amz-Signature=abc&a=1', header)).toBe('X-Amz-Signature=abc&a=1');
  });
  it('agrees with the SDK signer on 300 generated queries', () => {
    const rng = new Rng(42);
    const chars = Array.from('aAzZ09-._~ !*()\'+=&%/?#[]éሴ😀');
    for (let i = 0; i < 300; i++) {
      const query: Record<string, string | string[]> = {};
      for (let n = rng.int(0, 5); n > 0; n--) {
        query[rng.string(chars, 1, 6)] = rng.bool(0.3) ? [rng.string(chars, 0, 6), rng.string(chars, 0, 6)] : rng.string(chars, 0, 6);
      }
      expect(canonicalQueryString(toWireQuery(query, rng), header)).toBe(getCanonicalQuery({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/', headers: {}, query }));
    }
  });
});
