/**
 * The one error the policy engine throws: a document AWS would refuse with
 * `MalformedPolicyDocument`. The HTTP layer maps `code` to AWS's status and XML; the engine
 * knows nothing of HTTP.
 */
export class PolicyError extends Error {
  readonly code = 'MalformedPolicyDocument' as const;

  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** AWS's generic message for anything that is not the policy grammar. */
export const SYNTAX_ERROR = 'Syntax errors in policy.';

/**
 * A short, safe rendering of a JSON value for an error message: never recursive (a hostile
 * document may nest a value 60,000 levels deep) and never long.
 */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return 'nothing';
}
