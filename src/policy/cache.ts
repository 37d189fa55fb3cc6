import { createHash } from 'node:crypto';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { parsePolicy, type ParseOptions } from './parse.js';

/**
 * Compiled policies keyed by a SHA-256 of their kind, quota and text: the same document attached
 * to many principals is parsed and compiled once. Bounded, least recently used first out.
 * One instance per app (no module state); a failed parse is not cached.
 */
export class PolicyCache {
  readonly #max: number;
  readonly #entries = new Map<string, CompiledPolicy>();

  constructor(maxEntries = 10_000) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Parse (throwing PolicyError) and compile `text`, or return the cached result. */
  get(text: string, options: ParseOptions): CompiledPolicy {
    const key = createHash('sha256')
      .update(`${options.kind}\0${options.maxLength ?? ''}\0`)
      .update(text)
      .digest('base64url');
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const compiled = compilePolicy(parsePolicy(text, options));
    this.#entries.set(key, compiled);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return compiled;
  }
}
