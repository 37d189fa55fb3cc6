/**
 * AWS-style identifiers. Unique ids are a four-letter prefix plus 17 characters of AWS's
 * alphabet (upper-case letters and digits 2-7, as in `AIDACKCEVSQ6C2EXAMPLE`): 21 characters, about
 * 85 bits of randomness. Secrets are 40 characters of base64 (240 bits).
 *
 * Access key ids (`AKIA…` long-term, `ASIA…` temporary) are 20 characters and carry their account
 * the way AWS's have since 2019, so that GetAccessKeyInfo can answer for any key id, even one of a
 * session nobody stored. AWS does not document the layout; it is public research (Aidan Steele,
 * "AWS Access Key ID formats", 2020; Tal Be'ery, "A short note on AWS KEY ID", 2020; WithSecure
 * Labs, "A bitwise analysis of AWS access key identifiers"): the 16 characters after the prefix are
 * RFC 4648 base32 of 10 bytes; their first 48 bits, big-endian, are
 *
 *   bit 47       1: the "new generation" flag (older ids, whose fifth character is `I` or `J`, have 0
 *                and carry no account)
 *   bits 46..7   the 12-digit account id as a 40-bit integer (10^12 < 2^40: every one fits)
 *   bits 6..0    random
 *
 * and the last 32 bits are random: 39 random bits per id, unique within an account (ids of two
 * accounts differ in the account bits).
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const ID_PREFIX = {
  user: 'AIDA',
  role: 'AROA',
  group: 'AGPA',
  policy: 'ANPA',
  accessKey: 'AKIA',
  temporaryKey: 'ASIA',
} as const;

export type AccessKeyPrefix = typeof ID_PREFIX.accessKey | typeof ID_PREFIX.temporaryKey;

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export function newUniqueId(kind: 'user' | 'role' | 'group' | 'policy'): string {
  return ID_PREFIX[kind] + randomBase32(17);
}

/** A new access key id of `accountId` (12 digits), with the account encoded as AWS encodes it. */
export function newAccessKeyId(accountId: string, kind: 'accessKey' | 'temporaryKey' = 'accessKey'): string {
  return encodeAccessKeyId(ID_PREFIX[kind], accountId, randomBytes(5));
}

const ACCOUNT_ID = /^\d{12}$/;
const KEY_ID = /^(AKIA|ASIA)([A-Z2-7]{16})$/;

/**
 * The key id of `accountId` whose other 39 bits come from `random` (5 bytes: the low 7 bits of the
 * first and the next 4). Exported for the tests; new ids come from newAccessKeyId.
 */
export function encodeAccessKeyId(prefix: AccessKeyPrefix, accountId: string, random: Uint8Array): string {
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`not a 12-digit account id: ${accountId}`);
  if (random.length !== 5) throw new Error('encodeAccessKeyId needs 5 random bytes');
  const account = Number(accountId);
  // The 48-bit head z = 1 << 47 | account << 7 | 7 random bits, written big-endian. 48 bits are
  // exact in a double; the shifts are multiplications because JS's bitwise operators are 32-bit.
  const z = 2 ** 47 + account * 128 + ((random[0] ?? 0) & 0x7f);
  const bytes = new Uint8Array(10);
  for (let i = 5, rest = z; i >= 0; i--, rest = Math.floor(rest / 256)) bytes[i] = rest % 256;
  bytes.set(random.subarray(1, 5), 6);
  return prefix + base32(bytes);
}

export interface DecodedAccessKeyId {
  readonly prefix: AccessKeyPrefix;
  /** The generation flag: set in AWS's ids since 2019 and in ours since they carry the account. */
  readonly carriesAccount: boolean;
  /**
   * The account the id names, 12 digits (zero-padded, as AWS prints account ids), or undefined
   * when the 40-bit field holds more than 12 digits can (no account's id). Meaningless when
   * `carriesAccount` is false: an old id's bits are random.
   */
  readonly accountId: string | undefined;
}

/**
 * What a key id says about itself, by the decoding the research above publishes (strip the prefix,
 * base32-decode, z = first 6 bytes big-endian, account = (z & 0x7fffffffff80) >> 7). Undefined for
 * anything but `AKIA`/`ASIA` and 16 characters of the base32 alphabet.
 */
export function decodeAccessKeyId(id: string): DecodedAccessKeyId | undefined {
  const m = KEY_ID.exec(id);
  if (!m) return undefined;
  const [, prefix, body] = m;
  if ((prefix !== 'AKIA' && prefix !== 'ASIA') || body === undefined) return undefined;
  const bytes = unbase32(body);
  let z = 0;
  for (let i = 0; i < 6; i++) z = z * 256 + (bytes[i] ?? 0);
  const account = Math.floor((z % 2 ** 47) / 128);
  return {
    prefix,
    carriesAccount: z >= 2 ** 47,
    accountId: account < 1e12 ? String(account).padStart(12, '0') : undefined,
  };
}

/** RFC 4648 §6 base32 of whole 5-byte groups (no padding needed). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(value >> bits) & 31];
    }
  }
  return out;
}

/** The inverse of base32() for a string of the alphabet whose length is a multiple of 8. */
function unbase32(text: string): Uint8Array {
  const out = new Uint8Array((text.length * 5) / 8);
  let bits = 0;
  let value = 0;
  let n = 0;
  for (const ch of text) {
    value = ((value << 5) | ALPHABET.indexOf(ch)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** A 12-digit account id that does not start with 0 (some clients strip leading zeros). */
export function newAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
  return id;
}
