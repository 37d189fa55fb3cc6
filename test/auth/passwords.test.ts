import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { classesOf, expiresAt, isExpired, policyViolation, type PasswordPolicy } from '../../src/password-rules.js';
import { ARGON2_PARAMS, DUMMY_HASH, hashParams, hashPassword, needsRehash, verifyNothing, verifyPassword } from '../../src/auth/passwords.js';

describe('argon2id (src/auth/passwords.ts)', () => {
  test('hashes with OWASP parameters as a PHC string, verifies, and refuses a wrong password', async () => {
    const phc = await hashPassword('correct horse');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(phc, 'correct horse')).toBe(true);
    expect(await verifyPassword(phc, 'correct hors')).toBe(false);
    expect(needsRehash(phc)).toBe(false);
  });

  test('src/auth/passwords.ts is the only file of src/ that imports @node-rs/argon2', () => {
    const importers = (readdirSync('src', { recursive: true, encoding: 'utf8' }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '@node-rs\/argon2'/.test(readFileSync(join('src', f), 'utf8')));
    expect(importers).toEqual([join('auth', 'passwords.ts')]);
  });

  test('the dummy hash used for missing users has the same parameters, so it costs the same', () => {
    expect(hashParams(DUMMY_HASH)).toEqual({ ...ARGON2_PARAMS });
  });

  test('verifyNothing spends a verification and fails', async () => {
    expect(await verifyNothing('anything')).toBe(false);
  });

  test('weaker or other parameters, other algorithms and garbage need a rehash; garbage never verifies', async () => {
    expect(needsRehash(await hashPassword('x', { memoryCost: 4096, timeCost: 3 }))).toBe(true);
    expect(needsRehash('$argon2i$v=19$m=19456,t=2,p=1$5N8vSF/5MUK9XT0jLqyCRg$2vJAqHlzMVMM5HC7R9PdfedSAcY7STK+6zF9h3/SeFk')).toBe(true);
    expect(needsRehash('not a hash')).toBe(true);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(await verifyPassword('', '')).toBe(false);
  });
});

describe('password rules (src/password-rules.ts)', () => {
  const policy = (p: Partial<PasswordPolicy>): PasswordPolicy => ({
    minimumPasswordLength: 6,
    requireSymbols: false,
    requireNumbers: false,
    requireUppercaseCharacters: false,
    requireLowercaseCharacters: false,
    allowUsersToChangePassword: false,
    maxPasswordAge: null,
    passwordReusePrevention: null,
    hardExpiry: null,
    ...p,
  });
  const account = { id: '123456789012', alias: 'acme' };

  test('character classes are ISO basic Latin letters, digits and exactly AWS symbol list', () => {
    expect(classesOf("Aa1!@#$%^&*()_+-=[]{}|'")).toEqual({ uppercase: true, lowercase: true, numbers: true, symbols: true });
    for (const ch of ['~', '`', '.', ',', '?', '"', 'é', 'Ü', ' ', '\t']) expect(classesOf(ch)).toEqual({ uppercase: false, lowercase: false, numbers: false, symbols: false });
  });

  test('a custom policy lists every unmet requirement; a met one passes', () => {
    expect(policyViolation(policy({ minimumPasswordLength: 10, requireNumbers: true }), 'abc', account)).toBe('Password should have a minimum length of 10, Password should have at least one number');
    expect(policyViolation(policy({ requireSymbols: true }), 'abcdef|', account)).toBeUndefined();
  });

  test('the default policy: 8 characters, three of four classes, not the account id or alias', () => {
    expect(policyViolation(undefined, 'Abcdef1', account)).toBe('Password should have a minimum length of 8');
    expect(policyViolation(undefined, 'Abcdefg1', account)).toBeUndefined();
    expect(policyViolation(undefined, 'abcdefg1', account)).toBe('Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol');
    expect(policyViolation(undefined, '123456789012', account)).toMatch(/identical to the account name/);
  });

  test('expiry counts days from when the password was set, and never without MaxPasswordAge', () => {
    const set = new Date('2026-01-01T00:00:00Z');
    expect(expiresAt(policy({ maxPasswordAge: 90 }), set)).toEqual(new Date('2026-04-01T00:00:00Z'));
    expect(isExpired(policy({ maxPasswordAge: 1 }), set, new Date('2026-01-01T23:59:59Z'))).toBe(false);
    expect(isExpired(policy({ maxPasswordAge: 1 }), set, new Date('2026-01-02T00:00:00Z'))).toBe(true);
    expect(isExpired(policy({}), set, new Date('2099-01-01T00:00:00Z'))).toBe(false);
    expect(isExpired(undefined, set, new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });
});
