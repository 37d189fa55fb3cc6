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
