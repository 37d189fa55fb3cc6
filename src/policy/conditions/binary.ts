/** BinaryEquals: base64 values, compared byte for byte. */
import { Buffer } from 'node:buffer';
import { anyOf, type OperatorFamily } from './family.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decode(s: string): Buffer | undefined {
  return BASE64.test(s) ? Buffer.from(s, 'base64') : undefined;
}

export const binaryFamily: OperatorFamily = {
  operators: new Map([['BinaryEquals', { negated: false }]]),
  validate: (_op, value) => (decode(value) === undefined ? `Invalid base64 in condition value: ${value}` : undefined),
  compile(_op, values) {
    return anyOf(values.map((v) => decode(v) as Buffer), (v, p) => {
      const bytes = decode(v);
      return bytes !== undefined && bytes.equals(p);
    });
  },
};
