/**
 * Access key ids carry their account as AWS's do (src/iam/ids.ts): our encoder checked against the
 * decoding the public research publishes (transcribed below with BigInt, independently of ours),
 * for every account and random bits fast-check generates, and against key ids published with
 * their accounts.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeAccessKeyId, encodeAccessKeyId, newAccessKeyId } from '../../src/iam/ids.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Tal Be'ery's decoder ("A short note on AWS KEY ID", 2020): strip the 4-letter prefix,
 * base32-decode the rest, z = the first 6 bytes as a big-endian integer,
 * account = (z & 0x7fffffffff80) >> 7, printed as 12 digits.
 */
function referenceAccount(keyId: string): string {
  let n = 0n;
  for (const ch of keyId.slice(4)) n = (n << 5n) | BigInt(ALPHABET.indexOf(ch));
  const z = n >> 32n; // 80 bits; the first 48 are z
  return ((z & 0x7fffffffff80n) >> 7n).toString().padStart(12, '0');
}

const accountIds = fc.stringMatching(/^\d{12}$/);
const randomBits = fc.uint8Array({ minLength: 5, maxLength: 5 });
const prefixes = fc.constantFrom('AKIA' as const, 'ASIA' as const);

describe('encoding the account in a key id', () => {
  test('the published decoding of every id we make yields its account (property)', () => {
    fc.assert(
      fc.property(prefixes, accountIds, randomBits, (prefix, account, random) => {
        const id = encodeAccessKeyId(prefix, account, random);
        expect(id).toMatch(/^(AKIA|ASIA)[A-Z2-7]{16}$/);
        expect(id.startsWith(prefix)).toBe(true);
        expect(referenceAccount(id)).toBe(account);
        expect(decodeAccessKeyId(id)).toEqual({ prefix, carriesAccount: true, accountId: account });
      }),
      { numRuns: 2_000 },
    );
  });

  test('our decoder agrees with the published one on any 16 characters of the alphabet (property)', () => {
    const body = fc.array(fc.constantFrom(...ALPHABET), { minLength: 16, maxLength: 16 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(prefixes, body, (prefix, rest) => {
        const decoded = decodeAccessKeyId(prefix + rest);
        const reference = referenceAccount(prefix + rest);
        // A 40-bit field can hold 13 digits; those name no account.
        expect(decoded?.accountId).toBe(reference.length === 12 ? reference : undefined);
        expect(decoded?.carriesAccount).toBe(ALPHABET.indexOf(rest[0] ?? '') >= 16);
      }),
      { numRuns: 2_000 },
    );
  });

  test('the 39 other bits are the random input: different random bits, different ids of one account', () => {
    const a = encodeAccessKeyId('AKIA', '123456789012', Uint8Array.of(0, 0, 0, 0, 0));
    const b = encodeAccessKeyId('AKIA', '123456789012', Uint8Array.of(0, 0, 0, 0, 1));
    const c = encodeAccessKeyId('AKIA', '123456789012', Uint8Array.of(1, 0, 0, 0, 0));
    expect(new Set([a, b, c]).size).toBe(3);
    // The flag bit is ours to set, not the random input's.
    expect(encodeAccessKeyId('AKIA', '123456789012', Uint8Array.of(0x80, 0, 0, 0, 0))).toBe(a);
  });

  test('newAccessKeyId: AKIA by default, ASIA for temporary keys, the account in both, fresh bits each time', () => {
    const ids = Array.from({ length: 50 }, () => newAccessKeyId('210987654321'));
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(decodeAccessKeyId(id)).toEqual({ prefix: 'AKIA', carriesAccount: true, accountId: '210987654321' });
    expect(decodeAccessKeyId(newAccessKeyId('000000000007', 'temporaryKey'))).toEqual({ prefix: 'ASIA', carriesAccount: true, accountId: '000000000007' });
  });

  test('an account id that is not 12 digits is a programming error', () => {
    expect(() => newAccessKeyId('12345')).toThrow('not a 12-digit account id');
    expect(() => newAccessKeyId('1234567890123')).toThrow('not a 12-digit account id');
  });
});

describe('key ids published with their accounts', () => {
  // Each id is re-encoded from its account and its own other bits: our layout is AWS's, bit for bit.
  test.each([
    ['ASIAY34FZKBOKMUTVV7A', '609629065308', 'Aidan Steele, "AWS Access Key ID formats"; Tal Be\'ery, "A short note on AWS KEY ID"'],
    ['ASIAVJ2E6QGR2WZILJFM', '364679954851', 'psanford/aws-account-id-from-key, README'],
    ['AKIASP2TPHJSQH3FJXYZ', '171436882533', 'the aws-account-id-from-key-id Rust crate, docs'],
    ['ASIAQAAAAAAAGMKEM7X5', '000000000000', "LocalStack's extract_account_id_from_access_key_id, docstring"],
  ])('%s belongs to %s (%s)', (id, account) => {
    expect(referenceAccount(id)).toBe(account);
    expect(decodeAccessKeyId(id)).toEqual({ prefix: id.slice(0, 4), carriesAccount: true, accountId: account });
    let n = 0n;
    for (const ch of id.slice(4)) n = (n << 5n) | BigInt(ALPHABET.indexOf(ch));
    const random = Uint8Array.of(Number((n >> 32n) & 0x7fn), Number((n >> 24n) & 0xffn), Number((n >> 16n) & 0xffn), Number((n >> 8n) & 0xffn), Number(n & 0xffn));
    expect(encodeAccessKeyId(id.slice(0, 4) as 'AKIA' | 'ASIA', account, random)).toBe(id);
  });

  test("AWS's documentation example AKIAIOSFODNN7EXAMPLE is of the old generation: no account in it", () => {
    expect(decodeAccessKeyId('AKIAIOSFODNN7EXAMPLE')?.carriesAccount).toBe(false);
  });

  test.each(['AKIA', 'AKIAIOSFODNN7EXAMPL', 'AKIAIOSFODNN7EXAMPLEX', 'AIDAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPL1', 'akiaiosfodnn7example'])(
    'not an access key id: %s',
    (id) => {
      expect(decodeAccessKeyId(id)).toBeUndefined();
    },
  );
});
