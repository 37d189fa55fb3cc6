import type { RequestContext } from '../context.js';
import type { VariableRef } from '../template.js';
import type { BaseOperator } from '../types.js';

/**
 * Does one context value match at least one of the clause's policy values, in the operator's
 * positive sense (`StringNotEquals` compiles to the `StringEquals` test and is negated by the
 * caller)? A policy value holding a variable with no value is null and matches no context value
 * (IAM User Guide, "Policy variables with no value"), so the negated operator holds against it.
 */
export type ValueMatcher = (value: string, ctx: RequestContext) => boolean;

export interface CompiledValues {
  readonly match: ValueMatcher;
  /** Variables used by the values, for explanations. */
  readonly variables: readonly VariableRef[];
}

/** One family of condition operators (String, Numeric, Date, …), one file each. */
export interface OperatorFamily {
  /** The family's operators, and whether each is the negation of its positive test. */
  readonly operators: ReadonlyMap<BaseOperator, { readonly negated: boolean }>;
  /** A MalformedPolicyDocument message for a bad policy value, or undefined. */
  validate(op: BaseOperator, value: string, variables: boolean): string | undefined;
  compile(op: BaseOperator, values: readonly string[], variables: boolean): CompiledValues;
}

export const NO_VARIABLES: readonly VariableRef[] = [];

/** Build a matcher from per-value tests that need no variables. */
export function anyOf<T>(parsed: readonly T[], test: (value: string, policy: T) => boolean): CompiledValues {
  if (parsed.length === 1) {
    const only = parsed[0] as T;
    return { match: (v) => test(v, only), variables: NO_VARIABLES };
  }
  return {
    match: (v) => {
      for (const p of parsed) if (test(v, p)) return true;
      return false;
    },
    variables: NO_VARIABLES,
  };
}
