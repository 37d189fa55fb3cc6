import { AwsError } from '../errors.js';

/** AWS allows 15 minutes between X-Amz-Date and its own clock, either way. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `yyyyMMdd'T'HHmmss'Z'` to ms since the epoch, or undefined if it is not a real UTC instant. */
export function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return formatAmzDate(ms) === value ? ms : undefined;
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
