import { AwsError } from '../errors.js';

/** AWS allows 15 minutes between X-Amz-Date and its own clock, either way. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** The number the digits at value[from, from + n) spell, or -1 if any is not a digit. */
function digits(value: string, from: number, n: number): number {
  let out = 0;
  for (let i = from; i < from + n; i++) {
    const c = value.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    out = out * 10 + c;
  }
  return out;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0);
}

/**
 * `yyyyMMdd'T'HHmmss'Z'` to ms since the epoch, or undefined if it is not a real UTC instant
 * (no 13th month, 30 February, 24th hour or leap second). Years before 100 are refused: they
 * have no four-digit ISO form that reads back the same.
 */
export function parseAmzDate(value: string): number | undefined {
  if (value.length !== 16 || value.charCodeAt(8) !== 0x54 /* T */ || value.charCodeAt(15) !== 0x5a /* Z */) return undefined;
  const y = digits(value, 0, 4);
  const mo = digits(value, 4, 2);
  const d = digits(value, 6, 2);
  const h = digits(value, 9, 2);
  const mi = digits(value, 11, 2);
  const s = digits(value, 13, 2);
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  if (d > daysIn(y, mo)) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** X-Amz-Date as ms, or IncompleteSignature. */
export function requireAmzDate(value: string | undefined): number {
  const ms = value === undefined ? undefined : parseAmzDate(value);
  if (ms === undefined) {
    throw new AwsError('IncompleteSignature', "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  return ms;
}

/** Not more than 15 minutes in the future (both kinds of request). */
export function checkNotInFuture(requestMs: number, now: number): void {
  if (requestMs > now + MAX_SKEW_MS) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      `Signature not yet current: ${formatAmzDate(requestMs)} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
}

/** An Authorization-header request must be within 15 minutes of now, either way. */
export function checkClockSkew(requestMs: number, now: number): void {
  if (requestMs < now - MAX_SKEW_MS) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      `Signature expired: ${formatAmzDate(requestMs)} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  checkNotInFuture(requestMs, now);
}

/** A presigned request is good from X-Amz-Date (less the skew) until X-Amz-Date + X-Amz-Expires. */
export function checkPresignedWindow(requestMs: number, expiresSeconds: number, now: number): void {
  checkNotInFuture(requestMs, now);
  if (now > requestMs + expiresSeconds * 1000) {
    throw new AwsError('RequestExpired');
  }
}
