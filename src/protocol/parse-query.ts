/**
 * AWS Query parameters → the operation's input, following its input shape:
 *
 *   RoleArn=…                                   structure member (by wire name, case-sensitive)
 *   PolicyArns.member.1.arn=…                   list of structures, 1-based
 *   TransitiveTagKeys.member.1=…                list of scalars
 *   ContextEntries.member.1.ContextKeyValues.member.1=…   nested
 *   Attributes.entry.1.key=… / .value=…         map (flattened: Attributes.1.key)
 *   Tags=                                       an empty list (what the AWS SDKs send for [])
 *
 * Members come out camelCase (`roleArn`), lists as arrays, maps as `Map`, integers as numbers,
 * booleans, timestamps as `Date`, blobs as `Uint8Array`. Constraint checks are validate.ts's job.
 *
 * Choices where AWS is silent or unknowable (see README.md): parameters that name no member are
 * ignored, as AWS's Query services do; a list with a gap, index 0, a non-canonical or absurd index,
 * a duplicated parameter, or a value that does not convert to the member's type is refused with
 * `ValidationError`. Work is bounded: at most MAX_PARAMETERS parameters, indexes at most
 * MAX_PARAMETERS (a contiguous list can never be longer), and nesting only as deep as the shape.
 */
import { Buffer } from 'node:buffer';
import { AwsError } from '../errors.js';
import { MAX_PARAMETERS, tooMany, type Param } from './form.js';
import type { ListShape, MapShape, Shape, StructureShape } from './model.js';
import { toPathName } from './names.js';
import { validationError } from './validate.js';

export type Input = Record<string, unknown>;

/** One node of the parameter tree: a value, and/or children keyed by member key or index. */
interface Slot {
  value?: string;
  children?: Map<string | number, Slot>;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;
const INDEX = /^[1-9][0-9]{0,5}$/;

/** Refuse what no parser should see: too many parameters, duplicates, ill-formed Unicode. */
export function checkParams(params: readonly Param[]): void {
  if (params.length > MAX_PARAMETERS) throw tooMany();
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (LONE_SURROGATE.test(name) || LONE_SURROGATE.test(value)) {
      throw new AwsError('MalformedQueryString', 'The request contains text that is not valid Unicode.');
    }
    if (seen.has(name)) throw new AwsError('ValidationError', `Parameter ${quoteName(name)} appears more than once.`);
    seen.add(name);
  }
}

/**
 * Parse the parameters of one request into the input of `shape` (undefined: no input).
 * `checked`: the caller already ran checkParams() on these very parameters.
 */
export function parseQuery(shape: StructureShape | undefined, params: readonly Param[], options: { readonly checked?: boolean } = {}): Input {
  if (options.checked !== true) checkParams(params);
  if (!shape) return {};
  const root: Slot = {};
  for (const [name, value] of params) {
    const keys = locate(shape, name.split('.'), 0, name);
    if (keys) insert(root, keys, value);
  }
  const problems: string[] = [];
  const input = convertStructure(shape, root, '', problems);
  if (problems.length > 0) throw validationError(problems);
  return input;
}

/** The path of keys for a parameter name, or undefined if it names nothing in the shape. */
function locate(shape: Shape, segs: readonly string[], i: number, name: string): Array<string | number> | undefined {
  const seg = segs[i];
  if (shape.type === 'structure') {
    if (seg === undefined) return undefined;
    const member = shape.members.find((m) => m.wireName === seg);
    if (!member) return undefined;
    const rest = locate(member.shape, segs, i + 1, name);
    return rest && [member.key, ...rest];
  }
  if (shape.type === 'list') return locateList(shape, segs, i, name);
  if (shape.type === 'map') return locateMap(shape, segs, i, name);
  return seg === undefined ? [] : undefined;
}

function locateList(shape: ListShape, segs: readonly string[], i: number, name: string): Array<string | number> | undefined {
  if (segs[i] === undefined) return []; // `Tags=`: the empty list
  let at = i;
  if (!shape.flattened) {
    if (segs[at] !== shape.memberName) return undefined;
    at++;
  }
  const index = parseIndex(segs[at], name);
  const rest = locate(shape.member, segs, at + 1, name);
  return rest && [index, ...rest];
}

function locateMap(shape: MapShape, segs: readonly string[], i: number, name: string): Array<string | number> | undefined {
  if (segs[i] === undefined) return [];
  let at = i;
  if (!shape.flattened) {
    if (segs[at] !== 'entry') return undefined;
    at++;
  }
  const index = parseIndex(segs[at], name);
  const part = segs[at + 1];
  const target = part === shape.keyName ? shape.key : part === shape.valueName ? shape.value : undefined;
  if (!target || part === undefined) return undefined;
  const rest = locate(target, segs, at + 2, name);
  return rest && [index, part === shape.keyName ? 'key' : 'value', ...rest];
}

function parseIndex(seg: string | undefined, name: string): number {
  if (seg === undefined || !INDEX.test(seg) || Number(seg) > MAX_PARAMETERS) {
    throw new AwsError('ValidationError', `Parameter ${quoteName(name)} has an invalid list index.`);
  }
  return Number(seg);
}

function insert(root: Slot, keys: ReadonlyArray<string | number>, value: string): void {
  let slot = root;
  for (const key of keys) {
    slot.children ??= new Map();
    let next = slot.children.get(key);
    if (!next) {
      next = {};
      slot.children.set(key, next);
    }
    slot = next;
  }
  slot.value = value;
}

function convert(shape: Shape, slot: Slot, path: string, problems: string[]): unknown {
  switch (shape.type) {
    case 'structure':
      return convertStructure(shape, slot, path, problems);
    case 'list':
      return elements(slot, path, problems).map(([i, s]) => convert(shape.member, s, `${path}.${i}.member`, problems));
    case 'map': {
      const out = new Map<string, unknown>();
      for (const [i, s] of elements(slot, path, problems)) {
        const k = s.children?.get('key');
        const v = s.children?.get('value');
        if (!k || !v) {
          problems.push(`Value null at '${path}.${i}.${k ? 'value' : 'key'}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        out.set(String(convert(shape.key, k, `${path}.${i}.key`, problems)), convert(shape.value, v, `${path}.${i}.value`, problems));
      }
      return out;
    }
    default:
      return scalar(shape, slot.value ?? '', path, problems);
  }
}

function convertStructure(shape: StructureShape, slot: Slot, path: string, problems: string[]): Input {
  const out: Input = {};
  for (const member of shape.members) {
    const child = slot.children?.get(member.key);
    if (!child) continue;
    const memberPath = path === '' ? toPathName(member.name) : `${path}.${toPathName(member.name)}`;
    out[member.key] = convert(member.shape, child, memberPath, problems);
  }
  return out;
}

/** The indexed children of a list or map slot, in order; a gap is a problem. */
function elements(slot: Slot, path: string, problems: string[]): Array<[number, Slot]> {
  const indexed = [...(slot.children ?? new Map<string | number, Slot>())].filter(
    (e): e is [number, Slot] => typeof e[0] === 'number',
  );
  if (indexed.length === 0 && slot.value !== undefined && slot.value !== '') {
    problems.push(`Value '${slot.value}' at '${path}' failed to satisfy constraint: Member must be a list`);
  }
  indexed.sort((a, b) => a[0] - b[0]);
  const gap = indexed.findIndex(([index], pos) => index !== pos + 1);
  if (gap !== -1) {
    problems.push(`Value null at '${path}.${gap + 1}.member' failed to satisfy constraint: List members must be numbered 1, 2, 3, … without gaps`);
    return indexed.slice(0, gap);
  }
  return indexed;
}

function scalar(shape: Shape, raw: string, path: string, problems: string[]): unknown {
  const bad = (what: string): undefined => {
    const value = 'sensitive' in shape && shape.sensitive ? 'Value' : `Value '${raw}'`;
    problems.push(`${value} at '${path}' failed to satisfy constraint: Member must be ${what}`);
    return undefined;
  };
  switch (shape.type) {
    case 'integer':
    case 'long': {
      const n = /^[-+]?[0-9]{1,19}$/.test(raw) ? Number(raw) : NaN;
      const limit = shape.type === 'integer' ? 2 ** 31 : Number.MAX_SAFE_INTEGER;
      return Number.isInteger(n) && n >= -limit && n < limit ? n : bad('an integer');
    }
    case 'float':
    case 'double': {
      const n = /^[-+]?[0-9.eE+-]{1,40}$/.test(raw) ? Number(raw) : NaN;
      return Number.isFinite(n) ? n : bad('a number');
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      return v === 'true' ? true : v === 'false' ? false : bad('true or false');
    }
    case 'timestamp': {
      const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i.test(raw);
      const d = new Date(raw);
      return ok && !Number.isNaN(d.getTime()) ? d : bad('an ISO 8601 timestamp');
    }
    case 'blob': {
      const ok = raw.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(raw);
      return ok ? new Uint8Array(Buffer.from(raw, 'base64')) : bad('base64-encoded');
    }
    default:
      return raw;
  }
}

/** A parameter name for a message, cut short so a hostile name cannot flood the response. */
function quoteName(name: string): string {
  return `'${name.length > 128 ? `${name.slice(0, 128)}…` : name}'`;
}
