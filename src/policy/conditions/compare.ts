/**
 * The ordered-comparison operators (Numeric*, Date*) share one shape: parse both sides to a
 * number, then Equals / NotEquals / LessThan / LessThanEquals / GreaterThan / GreaterThanEquals.
 */
import type { BaseOperator } from '../types.js';
import { anyOf, type OperatorFamily } from './family.js';

type Compare = (a: number, b: number) => boolean;

const SUFFIXES: readonly (readonly [string, Compare])[] = [
  ['Equals', (a, b) => a === b],
  // The negation is applied by the clause evaluator; the test is the positive one.
  ['NotEquals', (a, b) => a === b],
  ['LessThan', (a, b) => a < b],
  ['LessThanEquals', (a, b) => a <= b],
  ['GreaterThan', (a, b) => a > b],
  ['GreaterThanEquals', (a, b) => a >= b],
];

export function comparisonFamily(prefix: 'Numeric' | 'Date', parse: (s: string) => number | undefined, what: string): OperatorFamily {
  const compare = new Map<BaseOperator, Compare>(SUFFIXES.map(([suffix, fn]) => [`${prefix}${suffix}` as BaseOperator, fn]));
  return {
    operators: new Map([...compare.keys()].map((op) => [op, { negated: op === `${prefix}NotEquals` }])),
    validate: (_op, value) => (parse(value) === undefined ? `Invalid ${what} in condition value: ${value}` : undefined),
    compile(op, values) {
      const fn = compare.get(op) as Compare;
      return anyOf(values.map((v) => parse(v) as number), (v, p) => {
        const n = parse(v);
        return n !== undefined && fn(n, p);
      });
    },
  };
}
