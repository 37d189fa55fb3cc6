/**
 * AWS-style identifiers. Unique ids are a four-letter prefix plus 17 characters of AWS's
 * alphabet (upper-case letters and digits 2-7, as in `AIDACKCEVSQ6C2EXAMPLE`): 21 characters, about
 * 85 bits of randomness. Access key ids are 20 characters (`AKIA` + 16); secrets are 40 characters
 * of base64 (240 bits).
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

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export function newUniqueId(kind: 'user' | 'role' | 'group' | 'policy'): string {
  return ID_PREFIX[kind] + randomBase32(17);
}

export function newAccessKeyId(kind: 'accessKey' | 'temporaryKey' = 'accessKey'): string {
  return ID_PREFIX[kind] + randomBase32(16);
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
