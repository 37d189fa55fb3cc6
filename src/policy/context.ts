import type { ContextValueInput } from './types.js';

/** One context value: a string for a single-valued key, a list for a multivalued key. */
export type ContextValue = string | readonly string[];

/**
 * The request's condition keys, looked up case-insensitively (condition keys are
 * case-insensitive in AWS; their values are not). Built once per request and shared by every
 * policy evaluated for it.
 */
export class RequestContext {
  readonly #values: ReadonlyMap<string, ContextValue>;

  constructor(values: ReadonlyMap<string, ContextValue>) {
    this.#values = values;
  }

  /** The value under a key that is already lower-case. */
  get(lowerKey: string): ContextValue | undefined {
    return this.#values.get(lowerKey);
  }
}

function text(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

/**
 * Normalise caller-supplied values: keys lower-cased, booleans and numbers written as strings
 * (`true`, `3600`), lists kept as lists even with one element (a multivalued key).
 * A later key that differs from an earlier one only in case replaces it.
 */
export function createRequestContext(values: Readonly<Record<string, ContextValueInput | undefined>>): RequestContext {
  const map = new Map<string, ContextValue>();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    map.set(key.toLowerCase(), Array.isArray(value) ? value.map(text) : text(value as string | number | boolean));
  }
  return new RequestContext(map);
}
