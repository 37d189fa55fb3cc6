/**
 * Verifying a user's MFA code, for everything that accepts one (GetSessionToken and AssumeRole
 * with SerialNumber and TokenCode; console sign-in): the same three rules everywhere.
 *
 * 1. **The device is the user's.** Only a device assigned to this user (in this account) counts;
 *    any other serial is "unknown", whether it exists or not.
 * 2. **A code is accepted at most once per device, on every node.** The code must be the device's
 *    for its step now, one before or one after (src/auth/totp.ts), and later than the last step
 *    accepted; the store then advances `last_time_step` with one conditional UPDATE, which only one
 *    of two concurrent requests presenting the same code can win (src/store/mfa-devices.ts).
 * 3. **Failures are throttled per device and per user, never for good** (src/store/throttles.ts):
 *    past a few failures in a window, attempts are refused until a time that grows with further
 *    failures but is capped, and a success clears both. A refusal while blocked does not check the
 *    code at all, so guessing during a block learns nothing. Each attempt is counted before its
 *    code is checked, so a burst of concurrent guesses gets no more checks than one after another.
 *    The user counter stops one person's eight devices from giving an attacker eight times the
 *    guesses.
 *
 * The seed is opened here, used and dropped: it and the code are never logged, never put in an
 * error, never written to the audit trail (the callers record the outcome, and the serial).
 */
import type { Db } from '../store/db.js';
import { acceptTimeStep, findMfaDevice, listMfaDevicesOf, type MfaDeviceRow } from '../store/mfa-devices.js';
import { attemptFailed, attemptSucceeded, takeAttempt, type ThrottlePolicy } from '../store/throttles.js';
import type { Keyring } from '../tokens/keyring.js';
import { stepAt, verifyCode } from './totp.js';

/** Failures of one device: 5 in 5 minutes, then a block of 1 minute doubling up to 15. */
export const DEVICE_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowMs: 5 * 60_000, blockMs: 60_000, maxBlockMs: 15 * 60_000 };

/** Failures of one user over all their devices: 10 in 5 minutes, then the same bounded block. */
export const USER_THROTTLE: ThrottlePolicy = { maxFailures: 10, windowMs: 5 * 60_000, blockMs: 60_000, maxBlockMs: 15 * 60_000 };

/** The associated data a device's seed is sealed with: a sealed seed copied onto another device does not open. */
export function seedAad(serial: string): string {
  return `mfa-seed:${serial}`;
}

export const deviceThrottleKey = (serial: string): string => `mfa:${serial}`;
export const userThrottleKey = (userId: string): string => `mfa-user:${userId}`;

export type MfaOutcome =
  /** Accepted: the device whose code it was, and when (the session's MFA time). */
  | { readonly ok: true; readonly serial: string; readonly at: Date }
  /** No device of this user has that serial (or the user has none). */
  | { readonly ok: false; readonly reason: 'unknown-device' }
  /** Wrong, out of its window, or already used. */
  | { readonly ok: false; readonly reason: 'invalid-code' }
  /** Too many failures: refused without looking at the code until `until`. */
  | { readonly ok: false; readonly reason: 'throttled'; readonly until: Date };

export interface MfaCheck {
  readonly accountId: string;
  /** The IAM user presenting the code. */
  readonly userId: string;
  readonly code: string;
  readonly now: Date;
}

/** The device's seed (Base32), opened; never to be logged or returned again. */
export function openSeed(keyring: Keyring, device: MfaDeviceRow): string {
  const seed = keyring.open(device.seedSealed, seedAad(device.serial));
  // Our keys do not open our own row: an operator's problem (a key removed from keys/), not the caller's.
  if (!seed) throw new Error(`the seed of MFA device ${device.serial} does not open with this keyring`);
  return seed.toString('utf8');
}

/** The step `code` is for, if it is a fresh code of this device at `now`. */
function stepOf(keyring: Keyring, device: MfaDeviceRow, code: string, now: Date): number | undefined {
  return verifyCode(openSeed(keyring, device), code, stepAt(now) + device.timeStepOffset, device.lastTimeStep);
}

/**
 * A code from the device `serial` (GetSessionToken, AssumeRole): the three rules above. Call it
 * outside any transaction that a failure would roll back, or the failure is not counted.
 */
export async function verifyDeviceCode(db: Db, keyring: Keyring, check: MfaCheck & { readonly serial: string }): Promise<MfaOutcome> {
  const { accountId, userId, serial, code, now } = check;
  const device = await findMfaDevice(db, accountId, serial);
  if (!device || device.userId !== userId) return { ok: false, reason: 'unknown-device' };
  const throttles = [
    { key: deviceThrottleKey(serial), policy: DEVICE_THROTTLE },
    { key: userThrottleKey(userId), policy: USER_THROTTLE },
  ];
  const taken = await takeAttempt(db, throttles, now);
  if (!taken.allowed) return { ok: false, reason: 'throttled', until: taken.until };
  const step = stepOf(keyring, device, code, now);
  if (step !== undefined && (await acceptTimeStep(db, serial, userId, step))) {
    await attemptSucceeded(db, taken.attempt, throttles.map((t) => t.key));
    return { ok: true, serial, at: now };
  }
  await attemptFailed(db, taken.attempt, now);
  return { ok: false, reason: 'invalid-code' };
}

/**
 * A code from any of the user's devices (console sign-in, where the person types a code without
 * naming a device): accepted from the first device it is a fresh code of, with the same
 * single-use rule and throttles as verifyDeviceCode. `unknown-device` when the user has no device.
 */
export async function verifyUserMfaCode(db: Db, keyring: Keyring, accountId: string, userId: string, code: string, now: Date): Promise<MfaOutcome> {
  const devices = await listMfaDevicesOf(db, accountId, userId);
  if (devices.length === 0) return { ok: false, reason: 'unknown-device' };
  const throttles = [
    { key: userThrottleKey(userId), policy: USER_THROTTLE },
    ...devices.map((d) => ({ key: deviceThrottleKey(d.serial), policy: DEVICE_THROTTLE })),
  ];
  const taken = await takeAttempt(db, throttles, now);
  if (!taken.allowed) return { ok: false, reason: 'throttled', until: taken.until };
  for (const device of devices) {
    const step = stepOf(keyring, device, code, now);
    if (step !== undefined && (await acceptTimeStep(db, device.serial, userId, step))) {
      await attemptSucceeded(db, taken.attempt, throttles.map((t) => t.key));
      return { ok: true, serial: device.serial, at: now };
    }
  }
  await attemptFailed(db, taken.attempt, now);
  return { ok: false, reason: 'invalid-code' };
}
