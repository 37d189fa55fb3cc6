/**
 * Policy documents given to the simulator as strings. AWS lists only InvalidInput (and
 * PolicyEvaluation) for these operations, so a document the engine refuses is an InvalidInput
 * naming the parameter it came in, with the engine's reason. Stored documents were validated when
 * they were written; one that no longer compiles is left out, as authorization leaves it out.
 */
import { AwsError } from '../errors.js';
import { MAX_TEXT_LENGTH, PolicyError, type CompiledPolicy, type PolicyCache, type PolicyKind } from '../policy/index.js';

/**
 * Compile a document passed in the request. Its size is bounded by the model (131,072
 * characters including whitespace), not by the quota of any place a policy is stored.
 */
export function compileInput(cache: PolicyCache, text: string, kinds: readonly PolicyKind[], label: string): CompiledPolicy {
  let first: PolicyError | undefined;
  for (const kind of kinds) {
    try {
      return cache.get(text, { kind, maxLength: MAX_TEXT_LENGTH });
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      first ??= err;
    }
  }
  throw new AwsError('InvalidInput', `${label} is not a valid policy document: ${first?.message ?? 'Syntax errors in policy.'}`);
}

/**
 * Compile a stored document, or undefined when it no longer compiles. Stored documents were
 * checked against their quota when written; AWS managed ones are larger than any customer quota
 * (ReadOnlyAccess runs to 70,000 characters), so only the model's bound applies here.
 */
export function compileStored(cache: PolicyCache, text: string): CompiledPolicy | undefined {
  try {
    return cache.get(text, { kind: 'identity', maxLength: MAX_TEXT_LENGTH });
  } catch {
    return undefined;
  }
}
