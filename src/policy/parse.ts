/**
 * Parse and validate a policy document (IAM User Guide, "Grammar of the IAM JSON policy
 * language"), refusing what AWS refuses with MalformedPolicyDocument. Messages use AWS's
 * wording where AWS has one, and say where the problem is.
 */
import { resourceFormatError } from './arn.js';
import { parseOperator, validateConditionValue } from './conditions/index.js';
import { PolicyError, show, SYNTAX_ERROR } from './errors.js';
import { parsePrincipalBlock } from './principal.js';
import type { ConditionClause, Effect, PolicyDocument, PolicyKind, PolicyVersion, PrincipalBlock, Statement } from './types.js';

export interface ParseOptions {
  readonly kind: PolicyKind;
  /**
   * Largest document accepted, in characters not counting whitespace (AWS's quotas count that
   * way). Callers pass the quota of the place the document goes; the default is the largest
   * per-document quota AWS has (a role's inline policies, 10,240).
   */
  readonly maxLength?: number;
}

export const DEFAULT_MAX_LENGTH = 10_240;
/** Refused before JSON.parse whatever the quota: bounds the parser's work on hostile input. */
export const MAX_TEXT_LENGTH = 131_072;

const VERSIONS: ReadonlySet<string> = new Set(['2012-10-17', '2008-10-17']);
const TOP_KEYS: ReadonlySet<string> = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS: ReadonlySet<string> = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ALNUM_SID = /^[0-9A-Za-z]*$/;
const VENDOR = /^[a-zA-Z0-9.-]+$/;
/** `vendor:name`; tag keys after the colon may hold spaces (`aws:PrincipalTag/cost center`). */
const CONDITION_KEY = /^[^:\s]+:\S.*$/;

function fail(message: string): never {
  throw new PolicyError(message);
}

/** Tab, LF, CR and U+0020..U+00FF: the characters AWS accepts in a policy document. */
function firstBadChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return i;
  }
  return -1;
}

function checkChars(s: string, where: string): void {
  const at = firstBadChar(s);
  if (at >= 0) {
    const code = s.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
    fail(`Policy document contains a character outside the allowed range (tab, LF, CR, U+0020..U+00FF): U+${code} in ${where}.`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function nonWhitespaceLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) n++;
  }
  return n;
}

/** A string or a list of strings; an empty list is `undefined` (the caller names the rule). */
function stringList(v: unknown, where: string): string[] | undefined {
  if (typeof v === 'string') {
    checkChars(v, where);
    return [v];
  }
  if (!Array.isArray(v)) fail(`${SYNTAX_ERROR} ${where} must be a string or a list of strings.`);
  for (const item of v) {
    if (typeof item !== 'string') fail(`${SYNTAX_ERROR} ${where} must be a string or a list of strings.`);
    checkChars(item, where);
  }
  return v.length === 0 ? undefined : (v as string[]);
}

function validateAction(action: string): void {
  if (action === '*') return;
  const parts = action.split(':');
  if (parts.length === 1) fail('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  if (parts.length > 2) fail('Actions/Condition can contain only one colon.');
  const [vendor, name] = parts as [string, string];
  if (!VENDOR.test(vendor)) fail(`Vendor ${vendor} is not valid`);
  if (name.length === 0 || /\s/.test(name)) fail(`Action ${action} is not valid`);
}

function conditionValues(v: unknown, where: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) fail(`Invalid condition value for ${where}: an empty list`);
  return list.map((item) => {
    if (typeof item === 'string') {
      checkChars(item, where);
      return item;
    }
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    return fail(`Invalid condition value for ${where}: ${show(item)}`);
  });
}

function parseConditions(raw: unknown, where: string, variables: boolean): ConditionClause[] {
  if (!isObject(raw)) fail(`${SYNTAX_ERROR} Condition in ${where} must be an object.`);
  const clauses: ConditionClause[] = [];
  for (const [operatorName, block] of Object.entries(raw)) {
    checkChars(operatorName, where);
    const op = parseOperator(operatorName);
    if (!op) fail(`Invalid Condition type : ${operatorName}`);
    if (!isObject(block)) fail(`Invalid condition value for ${operatorName} in ${where}: expected an object of condition keys.`);
    for (const [key, value] of Object.entries(block)) {
      checkChars(key, where);
      if (!CONDITION_KEY.test(key)) fail(`Invalid condition key: ${key} (a condition key is prefixed by a vendor, e.g. aws:SourceIp).`);
      const values = conditionValues(value, `${operatorName} ${key} in ${where}`);
      for (const v of values) {
        const problem = validateConditionValue(op.base, v, variables);
        if (problem) fail(`${problem} (${operatorName} ${key} in ${where})`);
      }
      clauses.push({ operatorName, qualifier: op.qualifier, base: op.base, ifExists: op.ifExists, key, values });
    }
  }
  return clauses;
}

function parseStatement(raw: unknown, index: number, kind: PolicyKind, variables: boolean): Statement {
  if (!isObject(raw)) fail(`${SYNTAX_ERROR} Statement ${index + 1} must be an object.`);
  const sid = raw['Sid'];
  const where = `statement ${index + 1}${typeof sid === 'string' && sid ? ` (Sid ${sid})` : ''}`;
  for (const key of Object.keys(raw)) {
    checkChars(key, where);
    if (!STATEMENT_KEYS.has(key)) fail(`${SYNTAX_ERROR} Unknown field ${key} in ${where}.`);
  }
  const resourceLike = kind === 'resource' || kind === 'trust';

  if (sid !== undefined && typeof sid !== 'string') fail(`${SYNTAX_ERROR} Sid in ${where} must be a string.`);
  if (typeof sid === 'string') {
    checkChars(sid, where);
    if (!resourceLike && !ALNUM_SID.test(sid)) {
      fail('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
    }
  }

  const effect = raw['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') {
    fail(`Invalid effect in ${where}: Effect must be "Allow" or "Deny", got ${show(effect)}.`);
  }

  let principal: PrincipalBlock | undefined;
  let notPrincipal: PrincipalBlock | undefined;
  const hasP = 'Principal' in raw;
  const hasNP = 'NotPrincipal' in raw;
  if (hasP || hasNP) {
    if (!resourceLike) fail('Policy document should not specify a principal.');
    if (hasP && hasNP) fail(`${SYNTAX_ERROR} ${where} has both Principal and NotPrincipal.`);
    // IAM User Guide, "NotPrincipal": it must be used with Deny, and not in a role trust policy.
    if (hasNP && kind === 'trust') fail('Has prohibited field NotPrincipal');
    if (hasNP && effect !== 'Deny') fail(`NotPrincipal must be used with "Effect": "Deny" (${where}).`);
    const block = parsePrincipalBlock(hasP ? raw['Principal'] : raw['NotPrincipal']);
    if (typeof block === 'string') fail(block);
    for (const v of [...block.aws, ...block.federated, ...block.service, ...block.canonicalUser]) checkChars(v, `the principal of ${where}`);
    if (hasP) principal = block;
    else notPrincipal = block;
  } else if (resourceLike) {
    fail(`Missing required field Principal in ${where}.`);
  }

  if ('Action' in raw && 'NotAction' in raw) fail(`${SYNTAX_ERROR} ${where} has both Action and NotAction.`);
  const action = 'Action' in raw ? stringList(raw['Action'], `Action in ${where}`) : undefined;
  const notAction = 'NotAction' in raw ? stringList(raw['NotAction'], `NotAction in ${where}`) : undefined;
  if (!action && !notAction) fail('Policy statement must contain actions.');
  for (const a of action ?? notAction ?? []) {
    validateAction(a);
    // A trust policy governs only how the role is assumed (and what comes with it).
    if (kind === 'trust' && a !== '*' && !a.toLowerCase().startsWith('sts:')) fail('AssumeRole policy may only specify STS AssumeRole actions.');
  }

  if ('Resource' in raw && 'NotResource' in raw) {
    fail(kind === 'trust' ? 'Has prohibited field Resource' : `${SYNTAX_ERROR} ${where} has both Resource and NotResource.`);
  }
  if (kind === 'trust') {
    if ('Resource' in raw) fail('Has prohibited field Resource');
    if ('NotResource' in raw) fail('Has prohibited field NotResource');
  }
  const resource = 'Resource' in raw ? stringList(raw['Resource'], `Resource in ${where}`) : undefined;
  const notResource = 'NotResource' in raw ? stringList(raw['NotResource'], `NotResource in ${where}`) : undefined;
  if (kind !== 'trust' && !resource && !notResource) fail('Policy statement must contain resources.');
  for (const r of resource ?? notResource ?? []) {
    const problem = resourceFormatError(r);
    if (problem) fail(problem);
  }

  const conditions = 'Condition' in raw ? parseConditions(raw['Condition'], where, variables) : [];
  return {
    index,
    sid: typeof sid === 'string' && sid !== '' ? sid : undefined,
    effect: effect as Effect,
    principal,
    notPrincipal,
    action,
    notAction,
    resource,
    notResource,
    conditions,
  };
}

/**
 * Parse `text` as a policy of the given kind, or throw PolicyError. Nothing else escapes: should
 * any check be missed, a hostile document still gets AWS's generic syntax error, never a crash.
 */
export function parsePolicy(text: string, options: ParseOptions): PolicyDocument {
  try {
    return parseUnsafe(text, options);
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    throw new PolicyError(SYNTAX_ERROR);
  }
}

function parseUnsafe(text: string, options: ParseOptions): PolicyDocument {
  if (typeof text !== 'string') fail(SYNTAX_ERROR);
  const max = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (text.length > MAX_TEXT_LENGTH) fail(`Policy document exceeds the maximum text length of ${MAX_TEXT_LENGTH} characters.`);
  checkChars(text, 'the document');
  const size = nonWhitespaceLength(text);
  if (size > max) fail(`Policy document length ${size} exceeds the maximum of ${max} characters (whitespace excluded).`);

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail(SYNTAX_ERROR);
  }
  if (!isObject(raw)) fail(SYNTAX_ERROR);
  for (const key of Object.keys(raw)) {
    checkChars(key, 'the document');
    if (!TOP_KEYS.has(key)) fail(`${SYNTAX_ERROR} Unknown field ${key} at the top level.`);
  }
  const version = raw['Version'];
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    fail('The policy must contain a valid version string (2012-10-17 or 2008-10-17).');
  }
  const id = raw['Id'];
  if (id !== undefined && typeof id !== 'string') fail(`${SYNTAX_ERROR} Id must be a string.`);
  if (typeof id === 'string') checkChars(id, 'Id');

  const rawStatements = raw['Statement'];
  const list = isObject(rawStatements) ? [rawStatements] : rawStatements;
  if (!Array.isArray(list) || list.length === 0) fail(`${SYNTAX_ERROR} Statement must be an object or a non-empty list.`);

  const v: PolicyVersion = (version as PolicyVersion | undefined) ?? '2008-10-17';
  const statements = list.map((s, i) => parseStatement(s, i, options.kind, v === '2012-10-17'));
  const seen = new Set<string>();
  for (const s of statements) {
    if (s.sid === undefined) continue;
    if (seen.has(s.sid)) fail('Statement IDs (SID) in a single policy must be unique.');
    seen.add(s.sid);
  }
  return { kind: options.kind, version: v, id, statements };
}
