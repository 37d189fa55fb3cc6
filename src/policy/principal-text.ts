/**
 * The `AWS` principals of a policy document, rewritten in its text: what IAM does to a role's
 * trust policy when it saves it (each IAM user or role ARN becomes the principal's unique id) and
 * when it shows it (each unique id becomes the ARN of the principal that still has it). IAM User
 * Guide, "AWS JSON policy elements: Principal" (IAM role and IAM user principals): "If your
 * Principal element in a role trust policy contains an ARN that points to a specific IAM role,
 * then that ARN transforms to the role's unique principal ID when you save the policy … If you
 * delete the role, then you break the relationship … the policy displays the principal ID".
 *
 * Only the strings at `Statement` (one object, or each element of its list) → `Principal` →
 * `AWS` (a string, or each string of its list) change; every other byte of the text, formatting
 * included, stays as written. A Condition that names the same ARN is left alone, as IAM leaves it.
 * Keys are compared decoded (`"Princip\u0061l"` is `Principal`, as JSON.parse reads it); every
 * duplicate of a key is visited, the one JSON.parse keeps among them. The scan is iterative (no
 * recursion), so hostile nesting cannot exhaust the stack.
 */

/** What a value is, from where it sits in the document. */
const enum Role {
  Other,
  Root,
  StatementList,
  Statement,
  Principal,
  AwsList,
  /** A string to map. */
  Target,
}

interface Frame {
  readonly kind: 'object' | 'array';
  readonly role: Role;
  /** Objects: the next string is a key. */
  expectKey: boolean;
  /** Objects: the last key read, decoded. */
  key: string | undefined;
}

/** The end of the JSON string that starts at `i` (the index just past the closing quote), or -1. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

function decode(raw: string): string | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The role of a value inside `parent` (under its current key for an object). */
function childRole(parent: Frame | undefined, isObject: boolean, isArray: boolean, isString: boolean): Role {
  if (!parent) return isObject ? Role.Root : Role.Other;
  switch (parent.role) {
    case Role.Root:
      if (parent.key !== 'Statement') return Role.Other;
      return isObject ? Role.Statement : isArray ? Role.StatementList : Role.Other;
    case Role.StatementList:
      return isObject ? Role.Statement : Role.Other;
    case Role.Statement:
      return parent.key === 'Principal' && isObject ? Role.Principal : Role.Other;
    case Role.Principal:
      if (parent.key !== 'AWS') return Role.Other;
      return isString ? Role.Target : isArray ? Role.AwsList : Role.Other;
    case Role.AwsList:
      return isString ? Role.Target : Role.Other;
    default:
      return Role.Other;
  }
}

/**
 * `text` with each `AWS` principal string replaced by `map(value)` when that gives a string
 * (written as a JSON string), and left as written when it gives undefined. Text that is not a
 * well-formed JSON object comes back unchanged.
 */
export function mapAwsPrincipals(text: string, map: (value: string) => string | undefined): string {
  const stack: Frame[] = [];
  let out = '';
  let copiedTo = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return text;
      if (top?.kind === 'object' && top.expectKey) {
        top.key = decode(text.slice(i, end));
        top.expectKey = false;
      } else if (childRole(top, false, false, true) === Role.Target) {
        const value = decode(text.slice(i, end));
        const mapped = value === undefined ? undefined : map(value);
        if (mapped !== undefined) {
          out += text.slice(copiedTo, i) + JSON.stringify(mapped);
          copiedTo = end;
        }
      }
      i = end - 1;
    } else if (c === '{' || c === '[') {
      if (!top && c !== '{') return text;
      stack.push({ kind: c === '{' ? 'object' : 'array', role: childRole(top, c === '{', c === '[', false), expectKey: c === '{', key: undefined });
    } else if (c === '}' || c === ']') {
      const frame = stack.pop();
      if (!frame || (frame.kind === 'object') !== (c === '}')) return text;
      if (stack.length === 0) return out + text.slice(copiedTo);
    } else if (c === ',') {
      if (top?.kind === 'object') top.expectKey = true;
    }
  }
  return text;
}

/** Every `AWS` principal string of the document, as written (decoded), in order. */
export function awsPrincipalValues(text: string): string[] {
  const values: string[] = [];
  mapAwsPrincipals(text, (v) => {
    values.push(v);
    return undefined;
  });
  return values;
}
