/**
 * Policy variables (IAM User Guide, "Policy variables"): `${key}`, `${key, 'default'}` and the
 * escapes `${*}`, `${?}`, `${$}`, compiled once into literal parts and variable references.
 *
 * Wildcards in the literal parts become sentinels (see wildcard.ts); text that a variable or an
 * escape produces is always literal.
 */
import type { RequestContext } from './context.js';
import { ANY, ONE, SEG, hasSentinel } from './wildcard.js';

export interface VariableRef {
  readonly key: string;
  readonly lowerKey: string;
  readonly fallback: string | undefined;
}

export type TemplatePart = string | VariableRef;

/** How `*` and `?` in literal text are read. */
export type WildcardMode = 'none' | 'plain' | 'arn';

export interface Template {
  /** Set when the text has no variables: the final (sentinel) string. */
  readonly constant: string | undefined;
  readonly parts: readonly TemplatePart[];
  readonly variables: readonly VariableRef[];
}

const VARIABLE = /^\s*([^\s,'{}$]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Convert wildcards in literal text; in ARN mode a `*` that ends a colon segment spans colons. */
function convertLiteral(raw: string, mode: WildcardMode, nextChar: string | undefined): string {
  if (mode === 'none') return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '*') {
      const after = i + 1 < raw.length ? raw[i + 1] : nextChar;
      out += mode === 'plain' || after === undefined || after === ':' ? ANY : SEG;
    } else if (c === '?') {
      out += ONE;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Compile `text`. With `variables` false (a `2008-10-17` document, or a place where AWS does not
 * substitute), `${…}` is literal text.
 */
export function compileTemplate(text: string, variables: boolean, mode: WildcardMode): Template {
  // Split into raw literal runs and ${…} items first, so that a literal star can see whether
  // the raw text after it (possibly a variable) continues its segment.
  type Item = { raw: string } | { escape: string } | { ref: VariableRef };
  const items: Item[] = [];
  let i = 0;
  let literal = '';
  while (i < text.length) {
    const start = variables ? text.indexOf('${', i) : -1;
    if (start < 0) {
      literal += text.slice(i);
      break;
    }
    const end = text.indexOf('}', start + 2);
    if (end < 0) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, start);
    const inner = text.slice(start + 2, end);
    const trimmed = inner.trim();
    if (trimmed === '*' || trimmed === '?' || trimmed === '$') {
      if (literal) items.push({ raw: literal });
      literal = '';
      items.push({ escape: trimmed });
    } else {
      const m = VARIABLE.exec(inner);
      if (m && m[1]) {
        if (literal) items.push({ raw: literal });
        literal = '';
        items.push({ ref: { key: m[1], lowerKey: m[1].toLowerCase(), fallback: m[2] } });
      } else {
        literal += text.slice(start, end + 1);
      }
    }
    i = end + 1;
  }
  if (literal) items.push({ raw: literal });

  const parts: TemplatePart[] = [];
  const refs: VariableRef[] = [];
  for (let k = 0; k < items.length; k++) {
    const item = items[k] as Item;
    let piece: TemplatePart;
    if ('raw' in item) {
      const following = items[k + 1];
      const nextChar = following === undefined ? undefined : 'raw' in following ? following.raw[0] : '$';
      piece = convertLiteral(item.raw, mode, nextChar);
    } else if ('escape' in item) {
      piece = item.escape;
    } else {
      piece = item.ref;
      refs.push(item.ref);
    }
    const last = parts[parts.length - 1];
    if (typeof piece === 'string' && typeof last === 'string') parts[parts.length - 1] = last + piece;
    else parts.push(piece);
  }
  const only = parts[0];
  const constant = parts.length === 0 ? '' : parts.length === 1 && typeof only === 'string' ? only : undefined;
  return { constant, parts, variables: refs };
}

/** Receives each variable key that had no value and no default. */
export type MissingSink = (key: string) => void;

/**
 * Substitute the variables. Returns undefined when the value is null (IAM User Guide, "Policy
 * variables with no value": a variable whose key "has no value or is not present ... is
 * effectively null. There is no equal or like value"): a missing key with no default, a
 * multivalued key with no default ("You can't use a multivalued condition key as a variable"),
 * or a value holding a wildcard sentinel, which could not stay literal text. The caller treats a
 * null value as matching nothing; the statement itself still counts (see README.md).
 */
export function resolveTemplate(t: Template, ctx: RequestContext): string | undefined {
  if (t.constant !== undefined) return t.constant;
  let out = '';
  for (const part of t.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const v = ctx.get(part.lowerKey);
    if (typeof v === 'string') {
      if (hasSentinel(v)) return undefined;
      out += v;
    } else if (part.fallback !== undefined) {
      out += part.fallback;
    } else {
      return undefined;
    }
  }
  return out;
}

/**
 * For explanations: report each variable with no default whose key the context lacks (a
 * multivalued key is present, so it is not reported). No allocation when every key is there.
 */
export function reportMissingVariables(refs: readonly VariableRef[], ctx: RequestContext, missing: MissingSink): void {
  for (const ref of refs) {
    if (ref.fallback === undefined && ctx.get(ref.lowerKey) === undefined) missing(ref.key);
  }
}
