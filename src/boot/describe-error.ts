/**
 * A failure in one line, for stderr. drizzle puts a statement's parameters (sealed secrets, key
 * ids) in its message: show only the database's own error underneath.
 */
export function describeError(e: unknown): string {
  if (e instanceof Error && 'params' in e) return e.cause === undefined ? e.name : describeError(e.cause);
  if (e instanceof Error) return e.message;
  return String(e);
}
