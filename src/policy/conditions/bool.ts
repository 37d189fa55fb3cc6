/** Bool: `true` / `false`, in any case, on both sides. */
import { anyOf, type OperatorFamily } from './family.js';

function parseBool(s: string): boolean | undefined {
  const l = s.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : undefined;
}

export const boolFamily: OperatorFamily = {
  operators: new Map([['Bool', { negated: false }]]),
  validate: (_op, value) => (parseBool(value) === undefined ? `Invalid boolean in condition value: ${value}` : undefined),
  compile(_op, values) {
    return anyOf(values.map((v) => parseBool(v) as boolean), (v, p) => parseBool(v) === p);
  },
};

export { parseBool };
