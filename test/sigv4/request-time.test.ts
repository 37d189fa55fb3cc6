import { describe, expect, it } from 'vitest';
import { checkClockSkew, checkPresignedWindow, formatAmzDate, MAX_SKEW_MS, parseAmzDate } from '../../src/sigv4/index.js';

const T = Date.UTC(2013, 4, 24, 0, 1, 0); // 20130524T000100Z

describe('parseAmzDate', () => {
  it('reads the basic ISO 8601 form', () => {
    expect(parseAmzDate('20130524T000100Z')).toBe(T);
    expect(formatAmzDate(T)).toBe('20130524T000100Z');
  });
  it.each(['2013-05-24T00:01:00Z', '20130524T000100', '20130231T000000Z', '20130524T246000Z', '', 'Fri, 24 May 2013 00:00:00 GMT'])('rejects %j', (v) => {
    expect(parseAmzDate(v)).toBeUndefined();
  });
  it('agrees with reading the digits and writing them back, on valid and invalid dates alike', () => {
    // The reference: what Date makes of the digits, kept only if it formats back to the input.
    const reference = (v: string) => {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
      if (!m) return undefined;
      const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
      const ms = Date.UTC(y, mo - 1, d, h, mi, s);
      return formatAmzDate(ms) === v ? ms : undefined;
    };
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const cases = ['20240229T235959Z', '20230229T000000Z', '21000229T000000Z', '20000229T000000Z', '00990101T000000Z', '01000101T000000Z', '20241231T235960Z', '2024 101T000000Z', '20240101T000000z'];
    for (let i = 0; i < 5000; i++) {
      cases.push(`${pad(rand(10000), 4)}${pad(rand(14), 2)}${pad(rand(33), 2)}T${pad(rand(26), 2)}${pad(rand(62), 2)}${pad(rand(62), 2)}Z`);
    }
    for (const v of cases) expect(parseAmzDate(v), v).toBe(reference(v));
  });
});

describe('checkClockSkew', () => {
  it('accepts exactly 15 minutes either way', () => {
    expect(() => checkClockSkew(T - MAX_SKEW_MS, T)).not.toThrow();
    expect(() => checkClockSkew(T + MAX_SKEW_MS, T)).not.toThrow();
  });
  it("rejects an old request with AWS's message", () => {
    const now = Date.UTC(2013, 4, 24, 0, 16, 0);
    expect(() => checkClockSkew(Date.UTC(2013, 4, 24), now)).toThrow(
      expect.objectContaining({
        code: 'SignatureDoesNotMatch',
        message: 'Signature expired: 20130524T000000Z is now earlier than 20130524T000100Z (20130524T001600Z - 15 min.)',
      }),
    );
  });
  it("rejects a request from the future with AWS's message", () => {
    expect(() => checkClockSkew(Date.UTC(2013, 4, 24, 0, 30), Date.UTC(2013, 4, 24))).toThrow(
      expect.objectContaining({
        code: 'SignatureDoesNotMatch',
        message: 'Signature not yet current: 20130524T003000Z is still later than 20130524T001500Z (20130524T000000Z + 15 min.)',
      }),
    );
  });
});

describe('checkPresignedWindow', () => {
  it('accepts until X-Amz-Date + X-Amz-Expires, inclusive', () => {
    expect(() => checkPresignedWindow(T, 3600, T + 3600_000)).not.toThrow();
  });
  it('rejects after that with RequestExpired', () => {
    expect(() => checkPresignedWindow(T, 3600, T + 3600_001)).toThrow(expect.objectContaining({ code: 'RequestExpired' }));
  });
  it('rejects a presigned date more than 15 minutes ahead', () => {
    expect(() => checkPresignedWindow(T + MAX_SKEW_MS + 1000, 3600, T)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  });
});
