import { createHash } from 'node:crypto';
import { BoundedCache } from '../cache.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { parsePolicy, type ParseOptions } from './parse.js';

/**
 * How much policy text the cache holds at most, in characters. A compiled policy takes about
 * 20 bytes per character of its text (a 128 KiB document SimulateCustomPolicy accepts compiles
 * to about 2.5 MiB), so a bound on the count alone let any caller allowed to simulate fill
 * 10,000 entries with gigabytes (found by `npm run fuzz`); this keeps the cache near 80 MiB at
 * worst, and ten thousand policies of typical size (a few hundred characters) still fit.
 */
export const DEFAULT_MAX_CHARS = 4 * 1024 * 1024;

/**
 * Compiled policies keyed by a SHA-256 of their kind, quota and text: the same document attached
 * to many principals is parsed and compiled once. Bounded by count and by total text size (a
 * BoundedCache weighed in characters), the oldest first out. One instance per app (no
 * module state); a failed parse is not cached.
 */
export class PolicyCache {
  readonly #entries: BoundedCache<string, { readonly policy: CompiledPolicy; readonly chars: number }>;

  constructor(maxEntries = 10_000, maxChars = DEFAULT_MAX_CHARS) {
    this.#entries = new BoundedCache({ maxEntries, maxWeight: maxChars, weigh: (entry) => entry.chars });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Characters of policy text behind the cached entries. */
  get chars(): number {
    return this.#entries.weight;
  }

  /** Parse (throwing PolicyError) and compile `text`, or return the cached result. */
  get(text: string, options: ParseOptions): CompiledPolicy {
    const key = createHash('sha256')
      .update(`${options.kind}\0${options.maxLength ?? ''}\0`)
      .update(text)
      .digest('base64url');
    const hit = this.#entries.get(key);
    if (hit) return hit.policy;
    const compiled = compilePolicy(parsePolicy(text, options));
    this.#entries.set(key, { policy: compiled, chars: text.length });
    return compiled;
  }
}
