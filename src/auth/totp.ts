/**
 * TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps from the Unix epoch), as AWS's virtual MFA
 * devices and every authenticator app use it. The only importer of otplib (v13, its functional
 * API), so the library is behind one file (test/architecture/dependencies.test.ts checks it).
 *
 * Pure: no IO, no clock (the time is a parameter), no state. otplib is stateless too: "It does not
 * track which tokens have already been verified"; replay is the caller's (src/auth/mfa.ts stores
 * the last accepted time step and advances it with one conditional UPDATE).
 *
 * Time steps here are the *device's*: our step plus the device's learnt offset (ResyncMFADevice).
 */
import { randomBytes } from 'node:crypto';
import { generateSync, ScureBase32Plugin, verifySync } from 'otplib';

/** RFC 6238's X. */
export const STEP_SECONDS = 30;

/** Seeds are 20 random bytes (160 bits, RFC 4226's recommended length), Base32 as AWS returns them. */
export const SEED_BYTES = 20;

/** How far EnableMFADevice and ResyncMFADevice look for the first code, in steps either way (±10 minutes). */
export const SEARCH_STEPS = 20;

const base32 = new ScureBase32Plugin();

/** A fresh seed: Base32 (RFC 4648, no padding: 32 characters) of 20 random bytes. */
export function newSeed(): string {
  return base32.encode(randomBytes(SEED_BYTES), { padding: false });
}

/** Our time step at `now`. */
export function stepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / STEP_SECONDS);
}

/** The code a device with this seed shows during time step `step`. */
export function codeAt(seed: string, step: number): string {
  return generateSync({ secret: seed, epoch: step * STEP_SECONDS });
}

/** Six ASCII digits: anything else is no code (otplib would throw on it). */
function isCode(code: string): boolean {
  return /^[0-9]{6}$/.test(code);
}

/**
 * The time step of `code` if it is the device's code for the step `expected` (the device's step
 * now), one before or one after it (±1 step, otplib's `epochTolerance: 30`), and later than
 * `after` (the last step accepted, if any). Compared in constant time by otplib's crypto plugin.
 */
export function verifyCode(seed: string, code: string, expected: number, after: number | null): number | undefined {
  if (!isCode(code)) return undefined;
  // otplib refuses an afterTimeStep past the window's end: then no step in the window is later.
  if (after !== null && after >= expected + 1) return undefined;
  const result = verifySync({
    secret: seed,
    token: code,
    epoch: expected * STEP_SECONDS,
    epochTolerance: STEP_SECONDS,
    ...(after !== null && after >= 0 ? { afterTimeStep: after } : {}),
  });
  // The functional API's result type covers HOTP too; a TOTP result carries its time step.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/**
 * EnableMFADevice and ResyncMFADevice: the step of `code2` when `code1` is the device's code for
 * some step t within SEARCH_STEPS of `expected` and `code2` the code for t + 1 ("a subsequent
 * authentication code", IAM API Reference). Every step of the window is computed and compared, so
 * the time taken says nothing about where (or whether) the code matched.
 */
export function findConsecutive(seed: string, code1: string, code2: string, expected: number): number | undefined {
  if (!isCode(code1) || !isCode(code2)) return undefined;
  let found: number | undefined;
  for (let step = expected - SEARCH_STEPS; step <= expected + SEARCH_STEPS; step++) {
    const first = verifySync({ secret: seed, token: code1, epoch: step * STEP_SECONDS });
    const second = verifySync({ secret: seed, token: code2, epoch: (step + 1) * STEP_SECONDS });
    // The match closest to `expected` wins (two consecutive pairs repeating in 41 steps is ~1e-10).
    if (first.valid && second.valid && (found === undefined || Math.abs(step + 1 - expected) < Math.abs(found - expected))) found = step + 1;
  }
  return found;
}

/**
 * The otpauth URI an authenticator app scans, as AWS builds it (CreateVirtualMFADevice, QRCodePNG):
 * `otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String`, AccountName being "the
 * user name if set, otherwise the account ID" (a new device has no user yet: the account id).
 */
export function otpauthUri(deviceName: string, accountName: string, seed: string): string {
  return `otpauth://totp/${encodeURIComponent(deviceName)}@${encodeURIComponent(accountName)}?secret=${seed}`;
}
