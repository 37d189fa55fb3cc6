/**
 * Condition clauses: operator names, value validation, and evaluation with AWS's rules for
 * missing keys, negated operators, `…IfExists`, `Null` and the set qualifiers
 * (IAM User Guide, "Condition operators" and "Single-valued vs. multivalued context keys").
 */
import type { ContextValue, RequestContext } from '../context.js';
import { reportMissingVariables, type MissingSink, type VariableRef } from '../template.js';
import type { BaseOperator, ConditionClause, SetQualifier } from '../types.js';
import { arnFamily } from './arn.js';
import { binaryFamily } from './binary.js';
import { boolFamily, parseBool } from './bool.js';
import { dateFamily } from './date.js';
import type { OperatorFamily, ValueMatcher } from './family.js';
import { ipFamily } from './ip.js';
import { numericFamily } from './numeric.js';
import { stringFamily } from './string.js';

const FAMILIES: readonly OperatorFamily[] = [stringFamily, numericFamily, dateFamily, boolFamily, binaryFamily, ipFamily, arnFamily];

const FAMILY_OF = new Map<BaseOperator, OperatorFamily>();
for (const family of FAMILIES) for (const op of family.operators.keys()) FAMILY_OF.set(op, family);

/** Operators whose values may hold policy variables (IAM User Guide, "Where you can use policy variables"). */
const VARIABLE_FAMILIES = new Set<OperatorFamily>([stringFamily, arnFamily]);

export interface ParsedOperator {
  readonly qualifier: SetQualifier | undefined;
  readonly base: BaseOperator;
  readonly ifExists: boolean;
}

/** `ForAnyValue:StringLikeIfExists` → its parts; undefined for anything AWS does not define. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let qualifier: SetQualifier | undefined;
  if (rest.startsWith('ForAllValues:')) qualifier = 'ForAllValues';
  else if (rest.startsWith('ForAnyValue:')) qualifier = 'ForAnyValue';
  if (qualifier) rest = rest.slice(qualifier.length + 1);
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (rest === 'Null') return ifExists ? undefined : { qualifier, base: 'Null', ifExists };
  const base = rest as BaseOperator;
  return FAMILY_OF.has(base) ? { qualifier, base, ifExists } : undefined;
}

/** A MalformedPolicyDocument message for a bad value of `base`, or undefined. */
export function validateConditionValue(base: BaseOperator, value: string, variables: boolean): string | undefined {
  if (base === 'Null') return parseBool(value) === undefined ? `Invalid boolean in condition value: ${value}` : undefined;
  const family = FAMILY_OF.get(base) as OperatorFamily;
  return family.validate(base, value, variables && VARIABLE_FAMILIES.has(family));
}

const NONE = 0;
const ALL = 1;
const ANY = 2;

export interface CompiledClause {
  readonly key: string;
  readonly lowerKey: string;
  readonly isNull: boolean;
  /** For Null: which presence the clause accepts (both, if the values say true and false). */
  readonly nullAcceptsMissing: boolean;
  readonly nullAcceptsPresent: boolean;
  readonly qualifier: number;
  readonly ifExists: boolean;
  readonly negated: boolean;
  readonly match: ValueMatcher;
  readonly variables: readonly VariableRef[];
}

const NEVER: ValueMatcher = () => false;

export function compileClause(c: ConditionClause, variables: boolean): CompiledClause {
  const lowerKey = c.key.toLowerCase();
  const qualifier = c.qualifier === 'ForAllValues' ? ALL : c.qualifier === 'ForAnyValue' ? ANY : NONE;
  if (c.base === 'Null') {
    const wants = c.values.map((v) => parseBool(v));
    return {
      key: c.key, lowerKey, isNull: true, qualifier, ifExists: false, negated: false, match: NEVER, variables: [],
      nullAcceptsMissing: wants.includes(true),
      nullAcceptsPresent: wants.includes(false),
    };
  }
  const family = FAMILY_OF.get(c.base) as OperatorFamily;
  const compiled = family.compile(c.base, c.values, variables && VARIABLE_FAMILIES.has(family));
  return {
    key: c.key, lowerKey, isNull: false, qualifier, ifExists: c.ifExists,
    negated: family.operators.get(c.base)?.negated ?? false,
    match: compiled.match, variables: compiled.variables,
    nullAcceptsMissing: false, nullAcceptsPresent: false,
  };
}

function isMissing(v: ContextValue | undefined): v is undefined {
  return v === undefined || (typeof v !== 'string' && v.length === 0);
}

/**
 * Does the clause hold? Reports to `missing` its key when the context lacks it and each variable
 * with no value and no default in its values (all of them, whether or not evaluation needed them).
 *
 * A policy value holding a variable with no value is null (IAM User Guide, "Policy variables
 * with no value"): it matches no context value, so "condition operators like `StringEquals` or
 * `StringLike` do not match" and "inverted condition operators like `StringNotEquals` or
 * `StringNotLike` do match against a null value". That falls out of the value matchers (a null
 * value is simply one that matches nothing); the rules below, for a missing key, `…IfExists`,
 * `Null` and the set qualifiers, are about the context key and are not changed by it.
 */
export function evaluateClause(c: CompiledClause, ctx: RequestContext, missing: MissingSink): boolean {
  if (c.variables.length > 0) reportMissingVariables(c.variables, ctx, missing);
  const raw = ctx.get(c.lowerKey);
  if (isMissing(raw)) {
    missing(c.key);
    if (c.isNull) return c.nullAcceptsMissing;
    if (c.ifExists || c.qualifier === ALL) return true;
    if (c.qualifier === ANY) return false;
    return c.negated;
  }
  if (c.isNull) return c.nullAcceptsPresent;

  if (typeof raw === 'string') return c.match(raw, ctx) !== c.negated;

  // A multivalued key.
  if (c.qualifier === ALL) {
    for (const v of raw) if (c.match(v, ctx) === c.negated) return false;
    return true;
  }
  if (c.qualifier === ANY) {
    for (const v of raw) if (c.match(v, ctx) !== c.negated) return true;
    return false;
  }
  // No qualifier (our documented choice): positive means "some value matches"; negated means
  // "no value matches".
  for (const v of raw) if (c.match(v, ctx)) return !c.negated;
  return c.negated;
}

/** For explanations: report the clause's missing key and variables without evaluating it. */
export function reportClauseMissing(c: CompiledClause, ctx: RequestContext, missing: MissingSink): void {
  if (isMissing(ctx.get(c.lowerKey))) missing(c.key);
  if (c.variables.length > 0) reportMissingVariables(c.variables, ctx, missing);
}
