/** Numeric* operators: decimal numbers, compared as IEEE doubles. */
import { comparisonFamily } from './compare.js';

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A decimal number, or undefined for anything else (a policy or context value of the wrong type). */
export function parseNumber(s: string): number | undefined {
  return NUMBER.test(s) ? Number(s) : undefined;
}

export const numericFamily = comparisonFamily('Numeric', parseNumber, 'number');
