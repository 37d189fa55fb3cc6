/**
 * Session policies passed to AssumeRole and GetFederationToken, and the packed size of what the
 * session carries (STS API Reference, AssumeRole, Policy / PolicyArns / PackedPolicySize).
 *
 * - At most 10 PolicyArns. "The plaintext that you use for both inline and managed session
 *   policies can't exceed 2,048 characters": the inline document as sent plus the ARNs passed
 *   (what the caller uses; AWS packs the ARNs, not the documents).
 * - The inline policy is validated by the engine as a session policy (MalformedPolicyDocument).
 * - PolicyArns name customer managed policies of the account whose session is made (the role's
 *   account for AssumeRole, the caller's for GetFederationToken: "Customer managed policies must
 *   be in the same AWS account as the IAM role") or AWS managed policies. A policy that does not
 *   exist there is refused with IAM's wording, as InvalidParameterValue **(choice: AWS does not
 *   document the code)**.
 * - What the token carries for each (resolvePolicyArns): an AWS managed policy this node ships is
 *   named by its ARN, resolved at evaluation from the policies held in memory
 *   (src/auth/aws-managed-session-policies.ts), as AWS packs ARNs and not documents: so
 *   ReadOnlyAccess (~74,000 characters) fits, and it applies as the node's current version of it.
 *   A customer managed policy's default version is sealed as text, and so is an AWS managed one
 *   this node does not ship (another release put it in the database).
 * - PackedPolicySize. AWS compresses the policies and tags "into a packed binary format that has a
 *   separate limit" and does not say how. Here the packed form is the raw-deflated JSON of the
 *   session policies' texts and the tags, against PACKED_LIMIT_BYTES; a small policy comes out
 *   near AWS's figures (a few percent), and a 2,048-character policy of incompressible text can
 *   pass 100 % as it can on AWS. An AWS managed policy counts as its ARN, the form the token
 *   holds, as AWS counts it. Our session tokens carry the policies and tags uncompressed, so
 *   their plain JSON (with the transitive keys) must also fit TOKEN_BUDGET_BYTES, which keeps every
 *   token well under what a node opens (16 KiB) and what an HTTP header may hold. The size
 *   reported is the larger of the two percentages; over 100 % fails with PackedPolicyTooLarge and
 *   AWS's message for the policies or for the tags, whichever is the larger part.
 */
import { deflateRawSync } from 'node:zlib';
import { AwsError } from '../errors.js';
import { DOCUMENT_LIMITS, validateDocument } from '../iam/documents.js';
import { MAX_TEXT_LENGTH, type PolicyCache } from '../policy/index.js';
import type { AwsManagedSessionPolicies } from '../auth/aws-managed-session-policies.js';
import type { Db } from '../store/db.js';
import { managedPolicyDocuments } from '../store/policies/managed.js';
import type { SessionTag } from '../tokens/session-token.js';

export const MAX_POLICY_ARNS = 10;
export const SESSION_POLICY_PLAINTEXT_LIMIT = 2048;
/** The packed (raw-deflated) policies and tags that make 100 %. */
export const PACKED_LIMIT_BYTES = 2048;
/** The plain JSON of policies, tags and transitive keys a session token may carry (100 %). */
export const TOKEN_BUDGET_BYTES = 6144;
/** The longest session token any node opens (src/tokens/session-token.ts). */
const MAX_TOKEN_LENGTH = 16_384;

export interface PolicyDescriptor {
  readonly arn?: string;
}

export interface SessionPolicyInput {
  readonly policy?: string | undefined;
  readonly policyArns?: readonly PolicyDescriptor[] | undefined;
}

function validation(problem: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: ${problem}`);
}

/**
 * Check what the request passes, before anything is read: the number of ARNs, the plaintext
 * limit, and the inline document. Returns the ARNs.
 */
export function checkSessionPolicyInput(cache: PolicyCache, input: SessionPolicyInput): readonly string[] {
  const descriptors = input.policyArns ?? [];
  if (descriptors.length > MAX_POLICY_ARNS) {
    const shown = descriptors.map((d) => (d.arn === undefined ? '{}' : `{arn=${d.arn}}`)).join(', ');
    throw validation(`Value '[${shown}]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`);
  }
  const arns: string[] = [];
  descriptors.forEach((d, i) => {
    if (d.arn === undefined) throw validation(`Value null at 'policyArns.${i + 1}.member.arn' failed to satisfy constraint: Member must not be null`);
    arns.push(d.arn);
  });
  const inline = input.policy;
  if (inline !== undefined && inline.length > SESSION_POLICY_PLAINTEXT_LIMIT) {
    throw validation(`Value '${inline}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${SESSION_POLICY_PLAINTEXT_LIMIT}`);
  }
  const plaintext = (inline?.length ?? 0) + arns.reduce((n, a) => n + a.length, 0);
  if (plaintext > SESSION_POLICY_PLAINTEXT_LIMIT) {
    throw new AwsError(
      'ValidationError',
      `The plaintext that you use for both inline and managed session policies can't exceed ${SESSION_POLICY_PLAINTEXT_LIMIT} characters (this request uses ${plaintext}).`,
    );
  }
  if (inline !== undefined) validateDocument(cache, inline, 'session');
  return arns;
}

/**
 * What the session carries for each of the managed policies `arns` names, in order, from
 * `accountId` only (or AWS's own):
 * - an AWS managed policy this node holds in memory: its ARN, a reference resolved at evaluation
 *   (src/auth/aws-managed-session-policies.ts). It is counted in the packed size as its ARN, as
 *   AWS packs it, so ReadOnlyAccess (~74,000 characters) is a session policy as on AWS.
 * - a customer managed policy: its default version's document, sealed into the token as text and
 *   validated again as a session policy (it was validated as an identity policy when stored). A
 *   customer policy can change or be deleted during the session; following it would need a
 *   database read per request (or a cache kept in step with every node's writes) on the
 *   authorization path, so the session keeps the document it was issued with **(choice: AWS does
 *   not document which version a session evaluates after a change)**.
 * - an AWS managed policy this node does not ship (a node of a newer release put it in the
 *   database): its document, sealed as text like a customer policy's, so that every node can
 *   evaluate the session; a large one is then too large, as before references.
 */
export async function resolvePolicyArns(
  db: Db,
  cache: PolicyCache,
  awsManaged: AwsManagedSessionPolicies,
  accountId: string,
  arns: readonly string[],
): Promise<string[]> {
  if (arns.length === 0) return [];
  const unknown = new Set(arns.filter((arn) => awsManaged.sessionPolicy(arn) === undefined));
  const rows = await managedPolicyDocuments(db, [...unknown]);
  return arns.map((arn) => {
    if (!unknown.has(arn)) return arn;
    // AWS managed policies may be session policies too ("You can use AWS managed policies or
    // customer managed policies in the same account as the role").
    const row = rows.find((r) => r.arn === arn && (r.accountId === accountId || r.accountId === null));
    if (!row) throw new AwsError('InvalidParameterValue', `Policy ${arn} does not exist or is not attachable.`);
    validateDocument(cache, row.document, 'session', row.accountId === null ? MAX_TEXT_LENGTH : DOCUMENT_LIMITS.managed);
    return row.document;
  });
}

export interface PackedSession {
  /** As the token holds them: texts, and ARNs of AWS managed policies (resolvePolicyArns). */
  readonly policies: readonly string[];
  readonly tags: readonly SessionTag[];
  readonly transitive: readonly string[];
}

/** PackedPolicySize in percent (0 when the session carries no policy and no tag). */
export function packedPolicySize(session: PackedSession): number {
  return measure(session).percent;
}

function measure(session: PackedSession): { percent: number; tagsDominate: boolean } {
  const { policies, tags, transitive } = session;
  if (policies.length === 0 && tags.length === 0) return { percent: 0, tagsDominate: false };
  const tagPairs = tags.map((t) => [t.key, t.value]);
  const packed = deflateRawSync(Buffer.from(JSON.stringify([policies, tagPairs]), 'utf8')).length;
  // As the token will hold them (src/tokens/session-token.ts: pol, tags, tt).
  const policyBytes = Buffer.byteLength(JSON.stringify(policies), 'utf8');
  const tagBytes = Buffer.byteLength(JSON.stringify(tags), 'utf8') + Buffer.byteLength(JSON.stringify(transitive), 'utf8');
  const ratio = Math.max(packed / PACKED_LIMIT_BYTES, (policyBytes + tagBytes) / TOKEN_BUDGET_BYTES);
  return { percent: Math.ceil(ratio * 100), tagsDominate: tagBytes > policyBytes };
}

/** PackedPolicySize, or PackedPolicyTooLarge with AWS's message when over 100 %. */
export function checkPackedPolicySize(session: PackedSession): number {
  const { percent, tagsDominate } = measure(session);
  if (percent > 100) {
    throw new AwsError(
      'PackedPolicyTooLarge',
      tagsDominate
        ? `Packed size of session tags consumes ${percent}% of allotted space.`
        : `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`,
    );
  }
  return percent;
}

/**
 * A last guard: a token no node could open must never be handed out. The budget above keeps
 * tokens far below this; should a session still not fit, the request fails as too large.
 */
export function assertTokenFits(sessionToken: string): void {
  if (sessionToken.length > MAX_TOKEN_LENGTH) {
    throw new AwsError('PackedPolicyTooLarge', 'Packed policy consumes more than 100% of allotted space, please use smaller policy.');
  }
}
