/**
 * Where each statement of a policy document starts and ends in its JSON text, as IAM's policy
 * simulator reports it (`MatchedStatements[].StartPosition` / `EndPosition`): 1-based line and
 * column of the statement object's `{` and of its `}`. AWS's published responses fix the
 * convention: the single statement of
 * `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], …}]}`
 * is reported from line 1 column 41 (the `{`) to column 145 (the `}`).
 *
 * A stored managed policy whose `Statement` is one object (no list) is reported one column further
 * right on the statement's first line, start and end alike, as if AWS had wrapped it in `[…]`
 * when storing it (option `wrapLoneStatement`): recorded against AWS (LocalStack's AWS-validated
 * test_simulate_principle_policy), the attached policy
 * `{"Version": "2012-10-17", "Statement": {"Sid": "", …, "Resource": "*"}}`, whose statement's
 * `{` is the 40th character and `}` the 112th, is reported from column 41 to column 113. A
 * document passed to SimulateCustomPolicy is not shifted (AWS's published example reports its
 * lone statement at its own braces).
 *
 * Statement order is the parser's: a `Statement` given as one object is statement 0; given as a
 * list, element N is statement N. A top-level `Statement` key written twice keeps the last one,
 * as JSON.parse does. The scan is iterative (no recursion), so hostile nesting cannot exhaust the
 * stack; text that is not a JSON object yields an empty list.
 */

export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

export interface StatementSpan {
  readonly start: TextPosition;
  readonly end: TextPosition;
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** Objects: the next string is a key. */
  expectKey: boolean;
  /** Objects: the last key read. */
  key: string | undefined;
  /** The `Statement` list at the top level. */
  readonly statementList: boolean;
  /** A statement object: where it started. */
  readonly statementStart: TextPosition | undefined;
  /** The statement is `Statement`'s value itself, not an element of a list. */
  readonly lone: boolean;
}

/** One column to the right when on `line` (see the header: a lone statement's shift). */
function shifted(p: TextPosition, line: number): TextPosition {
  return p.line === line ? { line: p.line, column: p.column + 1 } : p;
}

/** The end of the JSON string that starts at `i` (the index just past the closing quote), or -1. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++; // backslash: skip the escaped character
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

function decodeKey(raw: string): string | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function statementPositions(text: string, options: { readonly wrapLoneStatement?: boolean } = {}): StatementSpan[] {
  let spans: StatementSpan[] = [];
  const stack: Frame[] = [];
  let line = 1;
  let column = 1;
  /** Set when the next value is the top-level `Statement` member's value. */
  let statementValue = false;

  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const here: TextPosition = { line, column };
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return [];
      if (top?.kind === 'object' && top.expectKey) {
        top.key = decodeKey(text.slice(i, end));
        top.expectKey = false;
      } else {
        statementValue = false;
      }
      // Strings hold no line breaks (JSON forbids raw control characters in them).
      column += end - i;
      i = end - 1;
      continue;
    }
    if (c === '{' || c === '[') {
      const isTop = stack.length === 0;
      if (isTop && c !== '{') return [];
      const inStatementList = top?.statementList === true;
      const isStatementObject = c === '{' && (statementValue || inStatementList);
      const isStatementList = c === '[' && statementValue;
      if (statementValue) spans = [];
      statementValue = false;
      stack.push({
        kind: c === '{' ? 'object' : 'array',
        expectKey: c === '{',
        key: undefined,
        statementList: isStatementList,
        statementStart: isStatementObject ? here : undefined,
        lone: isStatementObject && !inStatementList && options.wrapLoneStatement === true,
      });
    } else if (c === '}' || c === ']') {
      const frame = stack.pop();
      if (!frame || (frame.kind === 'object') !== (c === '}')) return [];
      const start = frame.statementStart;
      if (start) {
        spans.push(frame.lone ? { start: shifted(start, start.line), end: shifted(here, start.line) } : { start, end: here });
      }
      if (stack.length === 0) return spans;
    } else if (c === ':') {
      // The value of a member of the top-level object: note whether it is `Statement`'s.
      statementValue = stack.length === 1 && top?.key === 'Statement';
    } else if (c === ',') {
      if (top?.kind === 'object') top.expectKey = true;
      statementValue = false;
    } else if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      column = 1;
      continue;
    } else if (c !== ' ' && c !== '\t' && c !== '\r') {
      // A number, true, false or null: the top-level Statement is not a statement list.
      statementValue = false;
    }
    column++;
  }
  return [];
}
