/**
 * A parse remembered by its text, for the parts of a signature a client sends the same on every
 * request (Credential, SignedHeaders). Only what parsed is kept, frozen; failures are parsed
 * (and thrown) again each time. Bounded: past `max` texts the table starts afresh.
 */
export class ParsedOnce<T extends object> {
  readonly #parsed = new Map<string, Readonly<T>>();

  constructor(
    private readonly max: number,
    private readonly parse: (text: string) => T,
  ) {}

  get(text: string): Readonly<T> {
    const known = this.#parsed.get(text);
    if (known !== undefined) return known;
    const value = Object.freeze(this.parse(text));
    if (this.#parsed.size >= this.max) this.#parsed.clear();
    this.#parsed.set(text, value);
    return value;
  }
}
