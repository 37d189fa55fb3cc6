/**
 * Policy documents at the IAM edge: every document is validated by the engine before it is
 * stored (MalformedPolicyDocument with the engine's message), and documents in results are
 * URL-encoded as IAM returns them (RFC 3986; the AWS CLI and SDK helpers decode them).
 */
import { AwsError } from '../errors.js';
import { PolicyError, type CompiledPolicy, type PolicyCache, type PolicyKind } from '../policy/index.js';

/** IAM's size limits (non-whitespace characters), per kind of document. */
export const DOCUMENT_LIMITS = {
  /** Managed policies: 6,144 characters. */
  managed: 6144,
  /** Role trust policies: 2,048 by default (AWS allows a quota increase up to 4,096). */
  trust: 2048,
  /** Inline policies: a user's together may not exceed 2,048, a role's 10,240, a group's 5,120. */
  inlineUser: 2048,
  inlineRole: 10_240,
  inlineGroup: 5120,
} as const;

/**
 * AWS words a trust policy that is not JSON at all differently from an identity policy's "Syntax
 * errors in policy." (CreateRole, recorded against AWS in LocalStack's
 * test_create_role_with_malformed_assume_role_policy_document).
 */
const TRUST_NOT_JSON = 'This policy contains invalid Json';

/** Only on the error path: whether the text is JSON at all. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Parse and compile (cached), or throw MalformedPolicyDocument with the engine's message. */
export function validateDocument(cache: PolicyCache, text: string, kind: PolicyKind, maxLength?: number): CompiledPolicy {
  try {
    return cache.get(text, { kind, ...(maxLength === undefined ? {} : { maxLength }) });
  } catch (err) {
    if (err instanceof PolicyError) throw new AwsError('MalformedPolicyDocument', kind === 'trust' && !isJson(text) ? TRUST_NOT_JSON : err.message);
    throw err;
  }
}

/** As IAM returns documents in Get*Policy / GetPolicyVersion / GetRole results. */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
