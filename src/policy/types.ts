/**
 * The public shapes of the policy engine: parsed documents, requests, decisions.
 *
 * Everything here is plain data. Time, identity and the request's context keys come in as
 * parameters; the engine never reads the clock or performs IO.
 */

/**
 * Which role a document plays. It decides which elements are allowed:
 * - identity, boundary, session and scp documents must not name a Principal;
 * - resource and trust documents must name one (Principal or NotPrincipal);
 * - trust documents (a role's AssumeRolePolicyDocument) must not name a Resource.
 */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'session' | 'scp';

export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Effect = 'Allow' | 'Deny';

/** A principal block (`Principal` or `NotPrincipal`), normalised: single strings become lists. */
export interface PrincipalBlock {
  /** `"Principal": "*"` or `{"AWS": "*"}`: everyone. */
  readonly wildcard: boolean;
  /** AWS principals, normalised: a bare account id becomes `arn:aws:iam::ID:root`. */
  readonly aws: readonly string[];
  readonly federated: readonly string[];
  readonly service: readonly string[];
  readonly canonicalUser: readonly string[];
}

export type SetQualifier = 'ForAllValues' | 'ForAnyValue';

export type BaseOperator =
  | 'StringEquals' | 'StringNotEquals' | 'StringEqualsIgnoreCase' | 'StringNotEqualsIgnoreCase'
  | 'StringLike' | 'StringNotLike'
  | 'NumericEquals' | 'NumericNotEquals' | 'NumericLessThan' | 'NumericLessThanEquals'
  | 'NumericGreaterThan' | 'NumericGreaterThanEquals'
  | 'DateEquals' | 'DateNotEquals' | 'DateLessThan' | 'DateLessThanEquals'
  | 'DateGreaterThan' | 'DateGreaterThanEquals'
  | 'Bool' | 'BinaryEquals' | 'IpAddress' | 'NotIpAddress'
  | 'ArnEquals' | 'ArnLike' | 'ArnNotEquals' | 'ArnNotLike'
  | 'Null';

/** One `operator: { key: values }` pair of a Condition block. */
export interface ConditionClause {
  /** The operator exactly as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operatorName: string;
  readonly qualifier: SetQualifier | undefined;
  readonly base: BaseOperator;
  readonly ifExists: boolean;
  /** The condition key as written (keys compare case-insensitively). */
  readonly key: string;
  /** The values, as strings (JSON numbers and booleans are written as AWS prints them). */
  readonly values: readonly string[];
}

export interface Statement {
  /** Zero-based position in the document's Statement list. */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly principal: PrincipalBlock | undefined;
  readonly notPrincipal: PrincipalBlock | undefined;
  readonly action: readonly string[] | undefined;
  readonly notAction: readonly string[] | undefined;
  readonly resource: readonly string[] | undefined;
  readonly notResource: readonly string[] | undefined;
  readonly conditions: readonly ConditionClause[];
}

export interface PolicyDocument {
  readonly kind: PolicyKind;
  /** `2008-10-17` when the document has no Version, as AWS assumes. */
  readonly version: PolicyVersion;
  readonly id: string | undefined;
  readonly statements: readonly Statement[];
}

/* ------------------------------------------------------------------------------------------ */
/* Requests                                                                                    */
/* ------------------------------------------------------------------------------------------ */

export type PrincipalType =
  | 'Account' // an account's root user
  | 'User' // an IAM user (also with GetSessionToken credentials)
  | 'AssumedRole' // a role session
  | 'FederatedUser' // a GetFederationToken session
  | 'WebIdentityUser' // before AssumeRoleWithWebIdentity: the IdP's user
  | 'SAMLUser' // before AssumeRoleWithSAML: the IdP's user
  | 'Service' // an AWS-style service principal
  | 'Anonymous';

/**
 * Who is asking. A principal is known under several identities, and a policy's Principal matches
 * any of them: an IAM user is `arn` and its account; a role session is its session ARN
 * (`arn`), its role (`parentArn`) and its account; a federated user is its federated-user ARN, the IAM
 * user that created it (`parentArn`) and its account.
 */
export interface RequestPrincipal {
  readonly type: PrincipalType;
  /** The caller's ARN (`arn:aws:iam::ACCOUNT:root` for root). Absent for web identity, SAML, service, anonymous. */
  readonly arn?: string | undefined;
  /** The caller's 12-digit account. Absent for principals outside every account. */
  readonly account?: string | undefined;
  /** AssumedRole: the role's ARN (with its path). FederatedUser: the IAM user (or root) that called GetFederationToken. */
  readonly parentArn?: string | undefined;
  /**
   * User: the user's unique id (`AIDA…`). IAM stores a trust policy's user and role principals
   * as unique ids, so a principal deleted and recreated under the same name is not the one the
   * policy names; a Principal entry matches the caller by ARN or by this id.
   */
  readonly id?: string | undefined;
  /** AssumedRole: the role's unique id (`AROA…`). FederatedUser: the unique id of the IAM user behind it. */
  readonly parentId?: string | undefined;
  /** WebIdentityUser / SAMLUser: the provider (its ARN, or a well-known name such as `accounts.google.com`). */
  readonly provider?: string | undefined;
  /** Service: the service principal, such as `ec2.amazonaws.com`. */
  readonly service?: string | undefined;
}

/** What a caller may put in a request context: one value or a list (a multivalued key). */
export type ContextValueInput = string | number | boolean | readonly (string | number | boolean)[];

export interface EvaluationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`, matched case-insensitively. */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** Built once per request with `createRequestContext`. */
  readonly context: import('./context.js').RequestContext;
}

/* ------------------------------------------------------------------------------------------ */
/* Policy sets and decisions                                                                   */
/* ------------------------------------------------------------------------------------------ */

export type PolicyType = 'identity' | 'resource' | 'boundary' | 'session' | 'scp';

/** A compiled policy together with the id that explanations refer to (an ARN, or `user/x/inline/y`). */
export interface AttachedPolicy {
  readonly id: string;
  readonly policy: import('./compile.js').CompiledPolicy;
}

export interface PolicySet {
  /** The principal's identity-based policies: inline and managed, user, groups, or role. */
  readonly identity?: readonly AttachedPolicy[] | undefined;
  /** A resource-based policy and the account that owns the resource. */
  readonly resource?: (AttachedPolicy & { readonly account: string }) | undefined;
  /**
   * The resource policy is a role's trust policy: it must allow explicitly, whatever the
   * identity-based policies say (AWS: "a role trust policy must allow").
   */
  readonly resourceIsTrustPolicy?: boolean | undefined;
  /** The principal's permissions boundary, if it has one. */
  readonly boundary?: AttachedPolicy | undefined;
  /**
   * The session's policies, for temporary credentials. When `federated` is true (a
   * GetFederationToken session) and `policies` is empty, the session has no permissions.
   */
  readonly session?: { readonly policies: readonly AttachedPolicy[]; readonly federated?: boolean | undefined } | undefined;
  /** Service control policies, one list per level of the organisation above the account; each level must allow. */
  readonly scps?: readonly (readonly AttachedPolicy[])[] | undefined;
}

export type DecisionValue = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface MatchedStatement {
  readonly policyType: PolicyType;
  readonly policyId: string;
  readonly sid: string | undefined;
  readonly index: number;
  readonly effect: Effect;
}

export interface Decision {
  readonly decision: DecisionValue;
  /**
   * ExplicitDeny: every Deny statement that matched. Allow and ImplicitDeny: every Allow
   * statement that matched, in any policy type.
   */
  readonly matchedStatements: readonly MatchedStatement[];
  /** Condition keys that a considered statement needed but the context did not hold (as written in the policy). */
  readonly missingContextKeys: readonly string[];
  /** For ImplicitDeny: the policy type that did not allow. */
  readonly deniedBy: PolicyType | undefined;
}
