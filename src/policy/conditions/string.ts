/** StringEquals, StringNotEquals, …IgnoreCase, StringLike, StringNotLike (with policy variables). */
import { compileTemplate, resolveTemplate, type Template } from '../template.js';
import type { BaseOperator } from '../types.js';
import { compileWildcard, matchWildcard, type Matcher } from '../wildcard.js';
import type { CompiledValues, OperatorFamily, ValueMatcher } from './family.js';

function compileEquals(values: readonly string[], variables: boolean, ignoreCase: boolean): CompiledValues {
  const templates = values.map((v) => compileTemplate(v, variables, 'none'));
  const fold = ignoreCase ? (s: string) => s.toLowerCase() : (s: string) => s;
  const refs = templates.flatMap((t) => t.variables);
  if (refs.length === 0) {
    const constants = templates.map((t) => fold(t.constant ?? ''));
    if (constants.length === 1) {
      const only = constants[0] as string;
      return { match: (v) => fold(v) === only, variables: refs };
    }
    const set = new Set(constants);
    return { match: (v) => set.has(fold(v)), variables: refs };
  }
  const match: ValueMatcher = (v, ctx) => {
    const value = fold(v);
    for (const t of templates) {
      // A null value (a variable with no value) equals nothing; the other values still count.
      const resolved = resolveTemplate(t, ctx);
      if (resolved !== undefined && fold(resolved) === value) return true;
    }
    return false;
  };
  return { match, variables: refs };
}

function compileLike(values: readonly string[], variables: boolean): CompiledValues {
  const templates: Template[] = values.map((v) => compileTemplate(v, variables, 'plain'));
  const refs = templates.flatMap((t) => t.variables);
  if (refs.length === 0) {
    const matchers: Matcher[] = templates.map((t) => compileWildcard(t.constant ?? ''));
    return {
      match: (v) => {
        for (const m of matchers) if (m(v)) return true;
        return false;
      },
      variables: refs,
    };
  }
  const match: ValueMatcher = (v, ctx) => {
    for (const t of templates) {
      // A null value (a variable with no value) is like nothing; the other values still count.
      const resolved = resolveTemplate(t, ctx);
      if (resolved !== undefined && matchWildcard(resolved, v)) return true;
    }
    return false;
  };
  return { match, variables: refs };
}

export const stringFamily: OperatorFamily = {
  operators: new Map<BaseOperator, { negated: boolean }>([
    ['StringEquals', { negated: false }],
    ['StringNotEquals', { negated: true }],
    ['StringEqualsIgnoreCase', { negated: false }],
    ['StringNotEqualsIgnoreCase', { negated: true }],
    ['StringLike', { negated: false }],
    ['StringNotLike', { negated: true }],
  ]),
  validate: () => undefined,
  compile(op, values, variables) {
    if (op === 'StringLike' || op === 'StringNotLike') return compileLike(values, variables);
    return compileEquals(values, variables, op.endsWith('IgnoreCase'));
  },
};
