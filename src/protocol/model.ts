/**
 * The service model as a resolved graph: botocore's shapes (extracted by scripts/extract-models.py
 * into models/*.json) with every reference followed and every pattern compiled, once, at load.
 * A model that does not have the expected form throws at load, never at request time.
 */
import { toCamel } from './names.js';
import { compilePattern, type CompiledPattern } from './pattern.js';

export interface Member {
  /** The member name in the model (`RoleSessionName`). */
  readonly name: string;
  /** The name on the wire (the member's `locationName`, else its name). */
  readonly wireName: string;
  /** The property name inside the service (`roleSessionName`). */
  readonly key: string;
  readonly shape: Shape;
  readonly required: boolean;
}

export interface StructureShape {
  readonly type: 'structure';
  readonly name: string;
  readonly members: readonly Member[];
}

export interface ListShape {
  readonly type: 'list';
  readonly name: string;
  readonly member: Shape;
  /** Element name on the wire: `member` unless the model says otherwise. */
  readonly memberName: string;
  readonly flattened: boolean;
  readonly min?: number;
  readonly max?: number;
}

export interface MapShape {
  readonly type: 'map';
  readonly name: string;
  readonly key: Shape;
  readonly value: Shape;
  readonly keyName: string;
  readonly valueName: string;
  readonly flattened: boolean;
  readonly min?: number;
  readonly max?: number;
}

export interface StringShape {
  readonly type: 'string';
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: CompiledPattern;
  readonly enum?: readonly string[];
  readonly sensitive: boolean;
}

export interface NumberShape {
  readonly type: 'integer' | 'long' | 'float' | 'double';
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
}

export interface ScalarShape {
  readonly type: 'boolean' | 'timestamp' | 'blob';
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
  readonly sensitive: boolean;
}

export type Shape = StructureShape | ListShape | MapShape | StringShape | NumberShape | ScalarShape;

/** How the model says a request to the operation is authenticated: SigV4, or not at all (`authtype: none`). */
export type ModelAuthentication = 'sigv4' | 'none';

export interface Operation {
  readonly name: string;
  /** The model's auth type: `none` for the unsigned federation actions, SigV4 for every other. */
  readonly authentication: ModelAuthentication;
  readonly input?: StructureShape;
  readonly output?: StructureShape;
  readonly resultWrapper?: string;
}

export interface ServiceModel {
  readonly serviceId: string;
  readonly apiVersion: string;
  /** The service name requests are signed for (SigV4 credential scope): the model's signing name, else its endpoint prefix, else its id in lower case. */
  readonly signingName: string;
  readonly xmlNamespace: string;
  readonly origin: string;
  readonly operations: ReadonlyMap<string, Operation>;
}

type Raw = Record<string, unknown>;

function isRaw(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, what: string): Raw {
  if (!isRaw(v)) throw new Error(`model: ${what} is not an object`);
  return v;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`model: ${what} is not a string`);
  return v;
}

function bounds(raw: Raw): { min?: number; max?: number } {
  const out: { min?: number; max?: number } = {};
  if (typeof raw['min'] === 'number') out.min = raw['min'];
  if (typeof raw['max'] === 'number') out.max = raw['max'];
  return out;
}

/** Load and resolve an extracted model (the parsed JSON of models/sts.json or models/iam.json). */
export function loadModel(json: unknown): ServiceModel {
  const root = obj(json, 'root');
  const meta = obj(root['metadata'], 'metadata');
  const rawShapes = obj(root['shapes'], 'shapes');
  const resolved = new Map<string, Shape>();
  const pending: Array<() => void> = [];

  const resolve = (name: string): Shape => {
    const done = resolved.get(name);
    if (done) return done;
    const raw = obj(rawShapes[name], `shape ${name}`);
    const shape = build(name, raw);
    resolved.set(name, shape);
    return shape;
  };

  const ref = (raw: unknown, what: string): { shape: Shape; raw: Raw } => {
    const r = obj(raw, what);
    return { shape: resolve(str(r['shape'], `${what}.shape`)), raw: r };
  };

  const build = (name: string, raw: Raw): Shape => {
    const type = str(raw['type'], `${name}.type`);
    const limits = bounds(raw);
    const sensitive = raw['sensitive'] === true;
    switch (type) {
      case 'structure': {
        const members: Member[] = [];
        const shape: StructureShape = { type, name, members };
        // Members are filled after registration, so recursive shapes resolve to this object.
        pending.push(() => fillMembers(shape, members, raw, ref));
        return shape;
      }
      case 'list': {
        const m = ref(raw['member'], `${name}.member`);
        const memberName = typeof m.raw['locationName'] === 'string' ? m.raw['locationName'] : 'member';
        return { type, name, member: m.shape, memberName, flattened: raw['flattened'] === true, ...limits };
      }
      case 'map': {
        const k = ref(raw['key'], `${name}.key`);
        const v = ref(raw['value'], `${name}.value`);
        const keyName = typeof k.raw['locationName'] === 'string' ? k.raw['locationName'] : 'key';
        const valueName = typeof v.raw['locationName'] === 'string' ? v.raw['locationName'] : 'value';
        return { type, name, key: k.shape, value: v.shape, keyName, valueName, flattened: raw['flattened'] === true, ...limits };
      }
      case 'string': {
        const pattern = typeof raw['pattern'] === 'string' ? { pattern: compilePattern(raw['pattern']) } : {};
        const values = raw['enum'];
        const en = Array.isArray(values) ? { enum: values.map((v, i) => str(v, `${name}.enum[${i}]`)) } : {};
        return { type, name, sensitive, ...limits, ...pattern, ...en };
      }
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return { type, name, ...limits };
      case 'boolean':
      case 'timestamp':
      case 'blob':
        return { type, name, sensitive, ...limits };
      default:
        throw new Error(`model: shape ${name} has unsupported type ${type}`);
    }
  };

  const operations = new Map<string, Operation>();
  for (const [name, rawOp] of Object.entries(obj(root['operations'], 'operations'))) {
    const op = obj(rawOp, `operation ${name}`);
    const input = typeof op['input'] === 'string' ? { input: structure(resolve(op['input']), name) } : {};
    const output = typeof op['output'] === 'string' ? { output: structure(resolve(op['output']), name) } : {};
    const wrapper = typeof op['resultWrapper'] === 'string' ? { resultWrapper: op['resultWrapper'] } : {};
    operations.set(name, { name, authentication: authenticationOf(op['authtype'], name), ...input, ...output, ...wrapper });
  }
  while (pending.length > 0) pending.shift()?.();

  return {
    serviceId: str(meta['serviceId'], 'metadata.serviceId'),
    apiVersion: str(meta['apiVersion'], 'metadata.apiVersion'),
    signingName: str(meta['signingName'] ?? meta['endpointPrefix'] ?? str(meta['serviceId'], 'metadata.serviceId').toLowerCase(), 'metadata.endpointPrefix'),
    xmlNamespace: str(meta['xmlNamespace'], 'metadata.xmlNamespace'),
    origin: str(root['origin'], 'origin'),
    operations,
  };
}

/** The extraction keeps an auth type only when it is not SigV4 (scripts/extract-models.py). */
function authenticationOf(authtype: unknown, op: string): ModelAuthentication {
  if (authtype === undefined || authtype === 'v4') return 'sigv4';
  if (authtype === 'none') return 'none';
  throw new Error(`model: operation ${op} has unsupported authtype ${String(authtype)}`);
}

function structure(shape: Shape, op: string): StructureShape {
  if (shape.type !== 'structure') throw new Error(`model: ${op} input/output is not a structure`);
  return shape;
}

function fillMembers(
  shape: StructureShape,
  members: Member[],
  raw: Raw,
  ref: (raw: unknown, what: string) => { shape: Shape; raw: Raw },
): void {
  const required = new Set(Array.isArray(raw['required']) ? raw['required'] : []);
  const keys = new Set<string>();
  for (const [name, rawRef] of Object.entries(obj(raw['members'] ?? {}, `${shape.name}.members`))) {
    const m = ref(rawRef, `${shape.name}.${name}`);
    const wireName = typeof m.raw['locationName'] === 'string' ? m.raw['locationName'] : name;
    const key = toCamel(name);
    if (keys.has(key)) throw new Error(`model: ${shape.name} has two members named ${key}`);
    keys.add(key);
    members.push({ name, wireName, key, shape: m.shape, required: required.has(name) });
  }
}
