/** Numeric* operators: decimal numbers, compared as IEEE doubles. */
import type { BaseOperator } from '../types.js';
import { anyOf, type OperatorFamily } from './family.js';

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A decimal number, or undefined for anything else (a policy or context value of the wrong type). */
export function parseNumber(s: string): number | undefined {
  return NUMBER.test(s) ? Number(s) : undefined;
}

type Compare = (a: number, b: number) => boolean;

const COMPARE: ReadonlyMap<BaseOperator, Compare> = new Map<BaseOperator, Compare>([
  ['NumericEquals', (a, b) => a === b],
  ['NumericNotEquals', (a, b) => a === b],
  ['NumericLessThan', (a, b) => a < b],
  ['NumericLessThanEquals', (a, b) => a <= b],
  ['NumericGreaterThan', (a, b) => a > b],
  ['NumericGreaterThanEquals', (a, b) => a >= b],
]);

export const numericFamily: OperatorFamily = {
  operators: new Map([...COMPARE.keys()].map((op) => [op, { negated: op === 'NumericNotEquals' }])),
  validate: (_op, value) => (parseNumber(value) === undefined ? `Invalid number in condition value: ${value}` : undefined),
  compile(op, values) {
    const compare = COMPARE.get(op) as Compare;
    const parsed = values.map((v) => parseNumber(v) as number);
    return anyOf(parsed, (v, p) => {
      const n = parseNumber(v);
      return n !== undefined && compare(n, p);
    });
  },
};
