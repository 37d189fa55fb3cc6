/**
 * src/auth/totp.ts: RFC 6238's SHA-1 test vectors (Appendix B, the last six digits), the ±1 step
 * window, the single-use bound (`after`), the enrolment search for two consecutive codes, seeds and
 * the otpauth URI.
 */
import { describe, expect, test } from 'vitest';
import { codeAt, findConsecutive, newSeed, otpauthUri, SEARCH_STEPS, stepAt, verifyCode } from '../../src/auth/totp.js';

/** RFC 6238's SHA-1 key, "12345678901234567890", in Base32. */
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('RFC 6238 vectors (SHA-1, 6 digits)', () => {
  test.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('T = %i s: %s', (seconds, code) => {
    const step = stepAt(new Date(seconds * 1000));
    expect(codeAt(RFC_SEED, step)).toBe(code);
    expect(verifyCode(RFC_SEED, code, step, null)).toBe(step);
  });
});

describe('verifyCode', () => {
  const seed = newSeed();
  const now = 60_000_000;

  test('accepts the step before, the step itself and the step after; not two away', () => {
    for (const d of [-1, 0, 1]) expect(verifyCode(seed, codeAt(seed, now + d), now, null)).toBe(now + d);
    for (const d of [-2, 2]) expect(verifyCode(seed, codeAt(seed, now + d), now, null)).toBeUndefined();
  });

  test('refuses a step at or before the last accepted one (replay), even inside the window', () => {
    expect(verifyCode(seed, codeAt(seed, now), now, now)).toBeUndefined();
    expect(verifyCode(seed, codeAt(seed, now - 1), now, now)).toBeUndefined();
    expect(verifyCode(seed, codeAt(seed, now + 1), now, now)).toBe(now + 1);
    // A last step past the window's end (a resync into the future): nothing in the window is later.
    expect(verifyCode(seed, codeAt(seed, now + 1), now, now + 5)).toBeUndefined();
  });

  test('anything but six digits is no code (never an exception)', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456', '１２３４５６']) expect(verifyCode(seed, bad, now, null)).toBeUndefined();
  });
});

describe('findConsecutive', () => {
  const seed = newSeed();
  const now = 60_000_000;

  test('finds a pair anywhere within the search window, and returns the second code’s step', () => {
    for (const t of [now - SEARCH_STEPS, now - 3, now, now + 7, now + SEARCH_STEPS]) expect(findConsecutive(seed, codeAt(seed, t), codeAt(seed, t + 1), now)).toBe(t + 1);
  });

  test('refuses pairs outside the window, out of order, repeated or not consecutive', () => {
    expect(findConsecutive(seed, codeAt(seed, now + SEARCH_STEPS + 1), codeAt(seed, now + SEARCH_STEPS + 2), now)).toBeUndefined();
    expect(findConsecutive(seed, codeAt(seed, now + 1), codeAt(seed, now), now)).toBeUndefined();
    expect(findConsecutive(seed, codeAt(seed, now), codeAt(seed, now + 2), now)).toBeUndefined();
    expect(findConsecutive(seed, 'abcdef', codeAt(seed, now + 1), now)).toBeUndefined();
  });
});

test('seeds are 20 random bytes in Base32, different each time', () => {
  const a = newSeed();
  expect(a).toMatch(/^[A-Z2-7]{32}$/);
  expect(newSeed()).not.toBe(a);
});

test('the otpauth URI is AWS’s: otpauth://totp/NAME@ACCOUNT?secret=SEED', () => {
  expect(otpauthUri('alice', '123456789012', 'ABC')).toBe('otpauth://totp/alice@123456789012?secret=ABC');
  expect(otpauthUri('a b', '123456789012', 'ABC')).toBe('otpauth://totp/a%20b@123456789012?secret=ABC');
});
