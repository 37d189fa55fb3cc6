import { describe, expect, it } from 'vitest';
import { percentDecode, uriEncode } from '../../src/sigv4/index.js';

describe('uriEncode', () => {
  it('leaves the unreserved characters alone', () => {
    const unreserved = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    expect(uriEncode(unreserved)).toBe(unreserved);
  });
  it('encodes everything else as upper-case %XY, space as %20 (never +)', () => {
    expect(uriEncode(" !'()*+=&")).toBe('%20%21%27%28%29%2A%2B%3D%26');
  });
  it("keeps '/' only when asked (paths)", () => {
    expect(uriEncode('/a b/')).toBe('%2Fa%20b%2F');
    expect(uriEncode('/a b/', true)).toBe('/a%20b/');
  });
  it('encodes UTF-8 bytes', () => {
    expect(uriEncode('ሴ')).toBe('%E1%88%B4');
    expect(uriEncode('😀')).toBe('%F0%9F%98%80');
  });
});

describe('percentDecode', () => {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  it('decodes upper- and lower-case escapes', () => {
    expect(text(percentDecode('a%20b%2fc%2F'))).toBe('a b/c/');
  });
  it("keeps '+' as a plus", () => {
    expect(text(percentDecode('a+b'))).toBe('a+b');
  });
  it("keeps a '%' that starts no escape", () => {
    expect(uriEncode(percentDecode('100%'))).toBe('100%25');
    expect(uriEncode(percentDecode('%zz%4'))).toBe('%25zz%254');
  });
  it('keeps bytes that are not valid UTF-8 exactly', () => {
    expect(uriEncode(percentDecode('%FF%FE'))).toBe('%FF%FE');
  });
  it('encodes raw non-ASCII as UTF-8', () => {
    expect(uriEncode(percentDecode('ሴ'))).toBe('%E1%88%B4');
  });
});
