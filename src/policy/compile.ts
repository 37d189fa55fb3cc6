/**
 * Compile a parsed document once into matchers and condition functions, so that evaluation is
 * a tight loop with no parsing.
 */
import { compileArnPattern, type ArnPattern } from './arn.js';
import { compileClause, type CompiledClause } from './conditions/index.js';
import { compilePrincipal, type CompiledPrincipal } from './principal.js';
import type { Effect, PolicyDocument, PolicyKind, Statement } from './types.js';
import { ANY, ONE, compileWildcard, type Matcher } from './wildcard.js';

/** Matches a lower-cased action. */
export type ActionMatcher = (lowerAction: string) => boolean;

export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly matchAction: ActionMatcher;
  /** undefined: the statement names no resource (a trust policy) and applies to any. */
  readonly resources: readonly ArnPattern[] | undefined;
  readonly notResource: boolean;
  readonly principal: CompiledPrincipal | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledClause[];
}

export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly statements: readonly CompiledStatement[];
}

function compileActions(patterns: readonly string[], negate: boolean): ActionMatcher {
  const lower = patterns.map((p) => p.toLowerCase());
  if (lower.includes('*')) return negate ? () => false : () => true;
  const exact = new Set<string>();
  const wild: Matcher[] = [];
  for (const p of lower) {
    if (p.includes('*') || p.includes('?')) wild.push(compileWildcard(p.replaceAll('*', ANY).replaceAll('?', ONE)));
    else exact.add(p);
  }
  const matches = (a: string): boolean => {
    if (exact.has(a)) return true;
    for (const m of wild) if (m(a)) return true;
    return false;
  };
  return negate ? (a) => !matches(a) : matches;
}

function compileStatement(s: Statement, variables: boolean): CompiledStatement {
  const actions = s.action ?? s.notAction ?? [];
  const resources = s.resource ?? s.notResource;
  const principal = s.principal ?? s.notPrincipal;
  return {
    index: s.index,
    sid: s.sid,
    effect: s.effect,
    matchAction: compileActions(actions, s.action === undefined),
    resources: resources?.map((r) => compileArnPattern(r, variables)),
    notResource: s.resource === undefined && s.notResource !== undefined,
    principal: principal && compilePrincipal(principal),
    notPrincipal: s.notPrincipal !== undefined,
    conditions: s.conditions.map((c) => compileClause(c, variables)),
  };
}

export function compilePolicy(doc: PolicyDocument): CompiledPolicy {
  const variables = doc.version === '2012-10-17';
  return { kind: doc.kind, statements: doc.statements.map((s) => compileStatement(s, variables)) };
}
