/**
 * What a failure from the database means, read from its SQLSTATE or the driver's error code
 * anywhere in its chain of causes (drizzle wraps the driver's error in `cause`):
 * - `isConnectionError`: the database is not there right now (ServiceUnavailable, retryable),
 *   not our bug;
 * - `isConflict`: PostgreSQL aborted the transaction because of another one (run it again,
 *   store/conflicts.ts).
 */

/** The error codes of `err` and of what it wraps, outermost first (at most five deep). */
function* codes(err: unknown): Generator<string> {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') yield code;
  }
}

/** The first error code in the chain (a SQLSTATE or the driver's), else the error's class: never a message. */
export function errorCode(err: unknown): string {
  for (const code of codes(err)) return code;
  return err instanceof Error ? err.name : typeof err;
}

/**
 * "The database is not there right now": network errors, the driver's connection errors, and
 * SQLSTATE classes 08 (connection exception), 53 (insufficient resources, e.g. 53300 too many
 * connections) and 57P (operator intervention: shutdown, crash), plus 55000 (not accepting
 * connections), 3D000 (the database does not exist) and 57014 (canceled).
 */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  '55000', '3D000',
  // query_canceled: statement_timeout (a statement outlived the request deadline), or a
  // transaction rolled back because its deadline passed (DeadlineExceeded).
  '57014',
]);

export function isConnectionError(err: unknown): boolean {
  for (const code of codes(err)) if (CONNECTION_CODES.has(code) || /^(?:08|53)[0-9A-Z]{3}$|^57P[0-9A-Z]{2}$/.test(code)) return true;
  return false;
}

/** A deadlock (40P01) or a serialization failure (40001): PostgreSQL's remedy is to run it again. */
const CONFLICT_CODES: ReadonlySet<string> = new Set(['40P01', '40001']);

export function isConflict(err: unknown): boolean {
  for (const code of codes(err)) if (CONFLICT_CODES.has(code)) return true;
  return false;
}
