/**
 * Check a parsed input against its shape and answer as AWS does, every problem at once:
 *
 *   1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint:
 *   Member must satisfy regular expression pattern: [\w+=,.@-]*
 *
 *   2 validation errors detected: Value '' at 'roleArn' failed to …; Value null at 'tags.1.member.value' …
 *
 * Paths are AWS's: member names with the first letter lower-cased, list elements as
 * `name.N.member`. A missing required member is `Value null … Member must not be null` (what STS
 * and IAM answer, rather than MissingParameter). Per member the order is AWS's: pattern, then
 * length, then range, then enum. Values of `sensitive` shapes (passwords, tokens, SAML assertions)
 * are never echoed: `Value at 'samlAssertion' failed …`.
 */
import { AwsError } from '../errors.js';
import type { Input } from './parse-query.js';
import type { Shape, StructureShape } from './model.js';
import { toPathName } from './names.js';

/** Throw a ValidationError listing every constraint `input` breaks; return if there are none. */
export function validateInput(shape: StructureShape | undefined, input: Input): void {
  if (!shape) return;
  const problems: string[] = [];
  checkStructure(shape, input, '', problems);
  if (problems.length > 0) throw validationError(problems);
}

export function validationError(problems: readonly string[]): AwsError {
  const n = problems.length;
  return new AwsError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}

function checkStructure(shape: StructureShape, value: Input, path: string, problems: string[]): void {
  for (const member of shape.members) {
    const memberPath = path === '' ? toPathName(member.name) : `${path}.${toPathName(member.name)}`;
    const v = value[member.key];
    if (v === undefined || v === null) {
      if (member.required) problems.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    check(member.shape, v, memberPath, problems);
  }
}

function check(shape: Shape, value: unknown, path: string, problems: string[]): void {
  const fail = (constraint: string): void => {
    problems.push(`${describe(shape, value)} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  };
  switch (shape.type) {
    case 'structure':
      if (isRecord(value)) checkStructure(shape, value, path, problems);
      return;
    case 'list':
      if (!Array.isArray(value)) return;
      checkLength(shape, value.length, fail);
      value.forEach((v: unknown, i) => check(shape.member, v, `${path}.${i + 1}.member`, problems));
      return;
    case 'map': {
      if (!(value instanceof Map)) return;
      checkLength(shape, value.size, fail);
      let i = 0;
      for (const [k, v] of value) {
        i++;
        check(shape.key, k, `${path}.${i}.key`, problems);
        check(shape.value, v, `${path}.${i}.value`, problems);
      }
      return;
    }
    case 'string':
      if (typeof value !== 'string') return;
      if (shape.pattern && !shape.pattern.test(value)) fail(`satisfy regular expression pattern: ${shape.pattern.source}`);
      checkLength(shape, value.length, fail);
      if (shape.enum && !shape.enum.includes(value)) fail(`satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (typeof value !== 'number') return;
      if (shape.min !== undefined && value < shape.min) fail(`have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`have value less than or equal to ${shape.max}`);
      return;
    case 'blob':
      if (value instanceof Uint8Array) checkLength(shape, value.length, fail);
      return;
    default:
      return;
  }
}

function checkLength(shape: { min?: number; max?: number }, length: number, fail: (c: string) => void): void {
  if (shape.min !== undefined && length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) fail(`have length less than or equal to ${shape.max}`);
}

/** `Value 'x'` as AWS quotes it; lists in Java's `[a, b]` form; sensitive values withheld. */
function describe(shape: Shape, value: unknown): string {
  if ('sensitive' in shape && shape.sensitive) return 'Value';
  return `Value '${show(shape, value)}'`;
}

function show(shape: Shape, value: unknown): string {
  if ('sensitive' in shape && shape.sensitive) return '***';
  if (shape.type === 'list' && Array.isArray(value)) return `[${value.map((v: unknown) => show(shape.member, v)).join(', ')}]`;
  if (shape.type === 'structure' && isRecord(value)) {
    const parts = shape.members.filter((m) => value[m.key] !== undefined).map((m) => `${m.name}=${show(m.shape, value[m.key])}`);
    return `{${parts.join(', ')}}`;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${String(k)}=${String(v)}`).join(', ')}}`;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return String(value);
}

function isRecord(v: unknown): v is Input {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Date);
}
