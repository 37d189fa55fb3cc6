/**
 * The simulator's `ContextEntries` as engine context values. Each entry names a key, its values
 * (always a list on the wire) and a type; the `…List` types make a multivalued key (a list even
 * with one element, as `ForAnyValue:`/`ForAllValues:` expect), the others take exactly one value.
 * Values are checked against their type so that a typo is an InvalidInput, not a condition that
 * silently never matches.
 *
 * AWS fills in no global condition key for a simulation: keys such as aws:username or
 * aws:CurrentTime hold only what the caller supplies here, and a condition that needs one that is
 * absent is reported in MissingContextValues (IAM User Guide, "Testing IAM policies with the IAM
 * policy simulator").
 */
import { isIP } from 'node:net';
import { AwsError } from '../errors.js';
import type { ContextValueInput } from '../policy/index.js';

export interface ContextEntry {
  readonly contextKeyName?: string;
  readonly contextKeyValues?: readonly string[];
  readonly contextKeyType?: string;
}

type BaseType = 'string' | 'numeric' | 'boolean' | 'ip' | 'binary' | 'date';

/** Returns the value as the engine takes it, or undefined when it is not of the type. */
const CHECKS: Record<BaseType, (v: string) => string | undefined> = {
  string: (v) => v,
  numeric: (v) => (/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v) && Number.isFinite(Number(v)) ? v.trim() : undefined),
  boolean: (v) => (/^(true|false)$/i.test(v) ? v.toLowerCase() : undefined),
  ip: (v) => (isIpOrCidr(v) ? v : undefined),
  binary: (v) => (v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? v : undefined),
  date: (v) => (/^\d+$/.test(v) || (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) ? v : undefined),
};

function isIpOrCidr(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) return isIP(v) !== 0;
  const family = isIP(v.slice(0, slash));
  const bits = v.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function baseOf(type: string): { base: BaseType; list: boolean } | undefined {
  const list = type.endsWith('List');
  const base = list ? type.slice(0, -4) : type;
  return base in CHECKS ? { base: base as BaseType, list } : undefined;
}

/** Every entry as `{ key: value }`; a key given twice (in any case) keeps its last entry. */
export function contextFromEntries(entries: readonly ContextEntry[] | undefined): Record<string, ContextValueInput> {
  const out: Record<string, ContextValueInput> = {};
  const seen = new Map<string, string>();
  for (const [i, entry] of (entries ?? []).entries()) {
    const name = entry.contextKeyName;
    if (name === undefined) throw new AwsError('InvalidInput', `ContextEntries.member.${i + 1} must specify a ContextKeyName.`);
    if (entry.contextKeyType === undefined) throw new AwsError('InvalidInput', `Context key ${name} must specify a ContextKeyType.`);
    const type = baseOf(entry.contextKeyType);
    // The protocol layer has checked the enum; this guards the table above.
    if (!type) throw new AwsError('InvalidInput', `Context key ${name} has an unknown ContextKeyType ${entry.contextKeyType}.`);
    const raw = entry.contextKeyValues ?? [];
    if (!type.list && raw.length !== 1) {
      throw new AwsError('InvalidInput', `Context key ${name} of type ${entry.contextKeyType} must have exactly one value; use ${entry.contextKeyType}List for several.`);
    }
    const values = raw.map((v) => {
      const ok = CHECKS[type.base](v);
      if (ok === undefined) throw new AwsError('InvalidInput', `Context key ${name} has a value that is not of type ${type.base}: ${JSON.stringify(v.slice(0, 64))}.`);
      return ok;
    });
    const previous = seen.get(name.toLowerCase());
    if (previous !== undefined) delete out[previous];
    seen.set(name.toLowerCase(), name);
    out[name] = type.list ? values : (values[0] as string);
  }
  return out;
}
