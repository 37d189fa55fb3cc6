/**
 * The one way a failure is described where people read it: the structured form for the log
 * (`describeError`) and its one line for stderr (`errorLine`, the CLI and a failed start).
 *
 * What is never shown: a statement's parameters (drizzle puts them in its query error's message,
 * and they may be sealed secrets or key ids) and the database's own message (PostgreSQL quotes the
 * value it refused: `invalid input syntax for type integer: "…"`). A database error is its SQLSTATE
 * and where (table, constraint); a driver error wrapped by drizzle is its cause.
 */

/** How deep a chain of causes is followed (a cycle of causes must not hang the logger). */
const MAX_DEPTH = 5;

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function describeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { value: String(err) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SQLSTATE.test(code)) {
    const { table, constraint } = err as { table?: unknown; constraint?: unknown };
    return { name: err.name, code, ...(typeof table === 'string' ? { table } : {}), ...(typeof constraint === 'string' ? { constraint } : {}) };
  }
  const cause = err.cause !== undefined && depth < MAX_DEPTH ? { cause: describeError(err.cause, depth + 1) } : {};
  // drizzle's query error: its message is the statement and its parameters.
  if ('params' in err) return { name: err.name, ...cause };
  return { name: err.name, ...(typeof code === 'string' ? { code } : {}), message: err.message, stack: err.stack, ...cause };
}

/** One line for stderr: the message, or for drizzle's query error the failure underneath it. */
export function errorLine(err: unknown, depth = 0): string {
  if (err instanceof Error && 'params' in err) return err.cause === undefined || depth >= MAX_DEPTH ? err.name : errorLine(err.cause, depth + 1);
  if (err instanceof Error) return err.message;
  return String(err);
}
