/**
 * The encoded authorization message some AWS services attach to an AccessDenied ("Encoded
 * authorization failure message: …") and DecodeAuthorizationMessage turns back into JSON. AWS's
 * IAM and STS attach none, so ours carry one only with AUTHORIZATION_FAILURE_MESSAGES=encoded.
 * AWS encodes it "because the details of the authorization status can contain privileged
 * information that the user who requested the operation should not see" (STS API Reference,
 * DecodeAuthorizationMessage): here it is the decision's details in AWS's DecodedMessage shape,
 * deflated, then sealed by the keyring (AES-256-GCM, `kid` in the header, so it still opens after
 * a key rotation while the sealing key stays in `keys/`) with associated data that names its
 * purpose and the caller's account. Only this deployment can read it, and only for callers of
 * that account: a message copied into another account does not open there.
 *
 * The shape follows AWS's documented example (IAM User Guide, "Use DecodeAuthorizationMessage with
 * a CLI"): `{"allowed":false,"explicitDeny":…,"matchedStatements":{"items":[…]},"failures":{"items":[]},
 * "context":{"principal":{"id","name","arn"},"action","resource","conditions":{"items":[…]}}}`.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ContextValueInput, Decision } from '../policy/index.js';
import type { Keyring } from '../tokens/keyring.js';

const AAD_PREFIX = 'authorization-message:v1:';

/** EncodedMessage is at most 10,240 characters (the STS model's `encodedMessageType`). */
export const MAX_ENCODED_LENGTH = 10_240;

/** A decoded message is never larger than this: a guard on inflating, on top of the seal. */
const MAX_DECODED_BYTES = 256 * 1024;

interface Items<T> {
  readonly items: readonly T[];
}

interface Value {
  readonly value: string;
}

export interface DecodedCondition {
  readonly key: string;
  readonly values: Items<Value>;
}

export interface DecodedStatement {
  readonly statementId: string;
  readonly effect: 'ALLOW' | 'DENY';
  readonly principals: Items<Value>;
  readonly principalGroups: Items<Value>;
  readonly actions: Items<Value>;
  readonly resources: Items<Value>;
  readonly conditions: Items<DecodedCondition>;
}

/** AWS's DecodedMessage document. */
export interface DecodedAuthorization {
  readonly allowed: boolean;
  readonly explicitDeny: boolean;
  readonly matchedStatements: Items<DecodedStatement>;
  readonly failures: Items<Value>;
  readonly context: {
    readonly principal: { readonly id: string; readonly name?: string; readonly arn: string };
    readonly action: string;
    readonly resource: string;
    readonly conditions: Items<DecodedCondition>;
  };
}

/** What the authorizer knows about a refused request. */
export interface AuthorizationFailure {
  /** `aws:userid` (AIDA…, AROA…:session, ACCOUNT:name, or the account id for root), the IAM user's name if any, the caller's ARN. */
  readonly principal: { readonly id: string; readonly name?: string | undefined; readonly arn: string };
  readonly action: string;
  readonly resource: string;
  readonly decision: Decision;
  /** The condition keys the decision was evaluated with (global keys and the request's own). */
  readonly context: Readonly<Record<string, ContextValueInput | undefined>>;
}

function values(v: ContextValueInput): Items<Value> {
  const list = Array.isArray(v) ? v : [v as string | number | boolean];
  return { items: list.map((x) => ({ value: String(x) })) };
}

/**
 * The decision in AWS's DecodedMessage shape. The engine reports which statements decided (their
 * Sid, or, for statements without one, `POLICY-ID#INDEX` so that they can still be found) but not
 * their text, so a statement's actions, resources and conditions are left as empty lists.
 */
export function describeAuthorization(failure: AuthorizationFailure): DecodedAuthorization {
  const { principal, decision } = failure;
  // AWS lists the principal the policy is attached to by its unique id (the role's for a session).
  const owner = principal.id.split(':')[0] ?? principal.id;
  const matched = decision.matchedStatements.map(
    (s): DecodedStatement => ({
      statementId: s.sid ?? `${s.policyId}#${s.index}`,
      effect: s.effect === 'Deny' ? 'DENY' : 'ALLOW',
      principals: { items: [{ value: owner }] },
      principalGroups: { items: [] },
      actions: { items: [] },
      resources: { items: [] },
      conditions: { items: [] },
    }),
  );
  const conditions = Object.entries(failure.context)
    .filter((entry): entry is [string, ContextValueInput] => entry[1] !== undefined)
    .map(([key, v]) => ({ key, values: values(v) }));
  return {
    allowed: decision.decision === 'Allow',
    explicitDeny: decision.decision === 'ExplicitDeny',
    matchedStatements: { items: matched },
    failures: { items: [] },
    context: {
      principal: { id: principal.id, ...(principal.name === undefined ? {} : { name: principal.name }), arn: principal.arn },
      action: failure.action,
      resource: failure.resource,
      conditions: { items: conditions },
    },
  };
}

function aad(accountId: string): string {
  return AAD_PREFIX + accountId;
}

function seal(keyring: Keyring, accountId: string, details: DecodedAuthorization): string {
  return keyring.seal(deflateRawSync(Buffer.from(JSON.stringify(details), 'utf8')), aad(accountId));
}

/**
 * Seal the details for the caller's account. The result always fits DecodeAuthorizationMessage's
 * 10,240-character limit: when the full message would not, the condition values go first, then
 * the matched statements (the principal, action, resource and decision always remain).
 */
export function encodeAuthorizationMessage(keyring: Keyring, accountId: string, details: DecodedAuthorization): string {
  const full = seal(keyring, accountId, details);
  if (full.length <= MAX_ENCODED_LENGTH) return full;
  const noConditions: DecodedAuthorization = { ...details, context: { ...details.context, conditions: { items: [] } } };
  const shorter = seal(keyring, accountId, noConditions);
  if (shorter.length <= MAX_ENCODED_LENGTH) return shorter;
  return seal(keyring, accountId, { ...noConditions, matchedStatements: { items: [] } });
}

function isDecoded(v: unknown): v is DecodedAuthorization {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Partial<Record<keyof DecodedAuthorization, unknown>>;
  return typeof d.allowed === 'boolean' && typeof d.explicitDeny === 'boolean' && typeof d.context === 'object' && d.context !== null;
}

/**
 * The details sealed for `accountId`, or undefined for anything else: garbage, a tampered or
 * truncated message, one sealed for another account or by another deployment, or one sealed
 * with a key no longer in the ring.
 */
export function decodeAuthorizationMessage(keyring: Keyring, accountId: string, text: string): DecodedAuthorization | undefined {
  if (text.length > MAX_ENCODED_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const sealed = keyring.open(text, aad(accountId));
  if (!sealed) return undefined;
  try {
    const parsed: unknown = JSON.parse(inflateRawSync(sealed, { maxOutputLength: MAX_DECODED_BYTES }).toString('utf8'));
    return isDecoded(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
