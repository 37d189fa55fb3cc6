/**
 * Principal and NotPrincipal: validation of the block and matching against the caller's
 * identities (IAM User Guide, "Principal" and "NotPrincipal").
 */
import { show } from './errors.js';
import type { PrincipalBlock, RequestPrincipal } from './types.js';

/** How strongly a Principal names the caller; the evaluator needs the difference. */
export const enum Grant {
  None = 0,
  /** Names the caller's account: defers to the caller's identity policies. */
  Account = 1,
  /** Names the role of a role session, or the IAM user behind a federated user. */
  Parent = 2,
  /** Names the caller itself (user, session, federated user, provider, service, or `*`). */
  Direct = 3,
}

const ACCOUNT = /^\d{12}$/;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(?:root|user\/.+|role\/.+)$/;
const STS_PRINCIPAL = /^arn:aws[a-z-]*:sts::\d{12}:(?:assumed-role\/[^/]+\/.+|federated-user\/.+)$/;
/**
 * Unique ids (AIDA…, AROA…): what IAM stores for a trust policy's users and roles. They match the
 * user, or the sessions of the role, that has the id; a deleted principal's id matches no one.
 */
const UNIQUE_ID = /^A[A-Z0-9]{15,127}$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*$/;
const CANONICAL_USER = /^[0-9a-f]{64}$/;

const PRINCIPAL_TYPES = ['AWS', 'Federated', 'Service', 'CanonicalUser'] as const;

function invalid(type: string, value: unknown): string {
  return `Invalid principal in policy: "${type}":${show(value)}`;
}

function valueError(type: (typeof PRINCIPAL_TYPES)[number], v: string): boolean {
  if (v === '*') return type !== 'AWS';
  switch (type) {
    case 'AWS':
      return !(ACCOUNT.test(v) || IAM_PRINCIPAL.test(v) || STS_PRINCIPAL.test(v) || UNIQUE_ID.test(v)) || /[*?]/.test(v);
    case 'Federated':
      return v.length === 0 || /[*?\s]/.test(v);
    case 'Service':
      return !SERVICE.test(v);
    case 'CanonicalUser':
      return !CANONICAL_USER.test(v);
  }
}

/**
 * Validate and normalise a Principal/NotPrincipal value. Returns the block, or a message for
 * MalformedPolicyDocument. A bare account id becomes `arn:aws:iam::ID:root`.
 */
export function parsePrincipalBlock(raw: unknown): PrincipalBlock | string {
  if (raw === '*') return { wildcard: true, aws: [], federated: [], service: [], canonicalUser: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `Invalid principal in policy: ${show(raw)}`;
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return 'Invalid principal in policy: {}';
  const lists: Record<(typeof PRINCIPAL_TYPES)[number], string[]> = { AWS: [], Federated: [], Service: [], CanonicalUser: [] };
  let wildcard = false;
  for (const [type, value] of entries) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) return invalid(type, value);
    const t = type as (typeof PRINCIPAL_TYPES)[number];
    const values = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(values) || values.length === 0) return invalid(type, value);
    for (const v of values) {
      if (typeof v !== 'string' || valueError(t, v)) return invalid(type, v);
      if (t === 'AWS' && v === '*') wildcard = true;
      else lists[t].push(t === 'AWS' && ACCOUNT.test(v) ? `arn:aws:iam::${v}:root` : v);
    }
  }
  return { wildcard, aws: lists.AWS, federated: lists.Federated, service: lists.Service, canonicalUser: lists.CanonicalUser };
}

export interface CompiledPrincipal {
  readonly wildcard: boolean;
  readonly aws: ReadonlySet<string>;
  readonly federated: ReadonlySet<string>;
  readonly service: ReadonlySet<string>;
}

export function compilePrincipal(b: PrincipalBlock): CompiledPrincipal {
  return { wildcard: b.wildcard, aws: new Set(b.aws), federated: new Set(b.federated), service: new Set(b.service) };
}

function accountArn(p: RequestPrincipal): string | undefined {
  return p.account === undefined ? undefined : `arn:aws:iam::${p.account}:root`;
}

/** Does `cp` list this identity, by its ARN or by its unique id? */
function names(cp: CompiledPrincipal, arn: string | undefined, id: string | undefined): boolean {
  return (arn !== undefined && cp.aws.has(arn)) || (id !== undefined && cp.aws.has(id));
}

/**
 * The strongest way `cp` names the caller. Root is its account (identity checks then apply as
 * for any principal of the account).
 */
export function principalGrant(cp: CompiledPrincipal, p: RequestPrincipal): Grant {
  if (cp.wildcard) return Grant.Direct;
  switch (p.type) {
    case 'WebIdentityUser':
    case 'SAMLUser':
      return p.provider !== undefined && cp.federated.has(p.provider) ? Grant.Direct : Grant.None;
    case 'Service':
      return p.service !== undefined && cp.service.has(p.service) ? Grant.Direct : Grant.None;
    case 'Anonymous':
      return Grant.None;
    default:
      break;
  }
  if (cp.aws.size === 0) return Grant.None;
  if (p.type !== 'Account' && names(cp, p.arn, p.id)) return Grant.Direct;
  if (names(cp, p.parentArn, p.parentId)) return Grant.Parent;
  const account = accountArn(p);
  if (account !== undefined && cp.aws.has(account)) return Grant.Account;
  return Grant.None;
}

/**
 * NotPrincipal applies unless every identity of the caller is listed: AWS checks the account,
 * then the role or user, then the session, which is why its documentation tells you to list
 * all of them.
 */
export function notPrincipalApplies(cp: CompiledPrincipal, p: RequestPrincipal): boolean {
  if (cp.wildcard) return false;
  switch (p.type) {
    case 'WebIdentityUser':
    case 'SAMLUser':
      return !(p.provider !== undefined && cp.federated.has(p.provider));
    case 'Service':
      return !(p.service !== undefined && cp.service.has(p.service));
    case 'Anonymous':
      return true;
    default:
      break;
  }
  const account = accountArn(p);
  if (account === undefined || !cp.aws.has(account)) return true;
  if (p.type === 'Account') return false;
  if (!names(cp, p.arn, p.id)) return true;
  if (p.type === 'AssumedRole' && !names(cp, p.parentArn, p.parentId)) return true;
  return false;
}
