/** ArnEquals, ArnLike, ArnNotEquals, ArnNotLike: one operator pair under two names, as in AWS. */
import { compileArnPattern, conditionArnError, matchArnPattern } from '../arn.js';
import type { BaseOperator } from '../types.js';
import type { OperatorFamily, ValueMatcher } from './family.js';

export const arnFamily: OperatorFamily = {
  operators: new Map<BaseOperator, { negated: boolean }>([
    ['ArnEquals', { negated: false }],
    ['ArnLike', { negated: false }],
    ['ArnNotEquals', { negated: true }],
    ['ArnNotLike', { negated: true }],
  ]),
  validate: (_op, value, variables) => conditionArnError(value, variables),
  compile(_op, values, variables) {
    const patterns = values.map((v) => compileArnPattern(v, variables));
    const match: ValueMatcher = (v, ctx) => {
      // A pattern holding a variable with no value matches nothing; the others still count.
      for (const p of patterns) if (matchArnPattern(p, v, ctx)) return true;
      return false;
    };
    return { match, variables: patterns.flatMap((p) => p.template.variables) };
  },
};
