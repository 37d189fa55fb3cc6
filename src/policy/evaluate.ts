/**
 * Evaluate a request against a set of policies in the order AWS documents ("Policy evaluation
 * logic", "Cross-account policy evaluation logic", "Permissions boundaries", "Session
 * policies"). Pure: everything comes in through the arguments.
 */
import { matchArnPattern } from './arn.js';
import type { CompiledStatement } from './compile.js';
import { evaluateClause, reportClauseMissing } from './conditions/index.js';
import type { RequestContext } from './context.js';
import { Grant, notPrincipalApplies, principalGrant } from './principal.js';
import { reportMissingVariables, type MissingSink } from './template.js';
import type { AttachedPolicy, Decision, EvaluationRequest, MatchedStatement, PolicySet, PolicyType, RequestPrincipal } from './types.js';

/** What one pass over some policies found. */
const ALLOW = 1;
const DENY = 2;

/** Records a missing context key once (case-insensitively) on the pass. */
function missingSink(pass: { missing: string[] | undefined }): MissingSink {
  return (key) => {
    const list = (pass.missing ??= []);
    const lower = key.toLowerCase();
    for (const k of list) if (k.toLowerCase() === lower) return;
    list.push(key);
  };
}

class Pass {
  readonly action: string;
  readonly resource: string;
  readonly principal: RequestPrincipal;
  readonly ctx: RequestContext;
  allows: MatchedStatement[] | undefined;
  denies: MatchedStatement[] | undefined;
  missing: string[] | undefined;
  /** The strongest Principal grant among matching Allow statements of the resource policy. */
  grant: Grant = Grant.None;
  readonly sink: MissingSink = missingSink(this);

  readonly boundedIamPrincipal: boolean;

  constructor(req: EvaluationRequest, hasBoundary: boolean) {
    this.boundedIamPrincipal = hasBoundary && (req.principal.type === 'User' || req.principal.type === 'AssumedRole');
    this.action = req.action.toLowerCase();
    this.resource = req.resource;
    this.principal = req.principal;
    this.ctx = req.context;
  }

  /**
   * Does the statement's Resource/NotResource element cover the request? An entry holding a
   * variable with no value "will not match any resource" (IAM User Guide, "Policy variables with
   * no value"), while the other entries still count: a Resource list then covers what its other
   * entries cover, and a NotResource list excludes only what its other entries match.
   */
  resourceMatches(s: CompiledStatement): boolean {
    const patterns = s.resources;
    if (patterns === undefined) return true;
    let hit = false;
    // Every entry is looked at (no early exit), so each one's missing variables are reported.
    for (const p of patterns) {
      if (matchArnPattern(p, this.resource, this.ctx)) hit = true;
      if (p.template.variables.length > 0) reportMissingVariables(p.template.variables, this.ctx, this.sink);
    }
    return s.notResource ? !hit : hit;
  }

  conditionsHold(s: CompiledStatement): boolean {
    let ok = true;
    for (const c of s.conditions) {
      if (ok) ok = evaluateClause(c, this.ctx, this.sink);
      else reportClauseMissing(c, this.ctx, this.sink);
    }
    return ok;
  }

  /** Scan policies of one type; returns ALLOW | DENY bits for what matched. */
  scan(policies: readonly AttachedPolicy[], type: PolicyType): number {
    let found = 0;
    for (const attached of policies) found |= this.scanOne(attached, type);
    return found;
  }

  /** Scan one policy (no array built for the single resource policy or boundary on the hot path). */
  scanOne(attached: AttachedPolicy, type: PolicyType): number {
    let found = 0;
    for (const s of attached.policy.statements) {
      if (!s.matchAction(this.action)) continue;
      let grant = Grant.Direct;
      if (s.principal !== undefined) {
        if (s.notPrincipal) {
          // IAM User Guide, "Permissions boundaries": NotPrincipal with Deny always denies an
          // IAM user or role that has a boundary, whatever the list says.
          if (!this.boundedIamPrincipal && !notPrincipalApplies(s.principal, this.principal)) continue;
        } else {
          grant = principalGrant(s.principal, this.principal);
          if (grant === Grant.None) continue;
        }
      }
      if (!this.resourceMatches(s)) continue;
      if (!this.conditionsHold(s)) continue;
      const m: MatchedStatement = { policyType: type, policyId: attached.id, sid: s.sid, index: s.index, effect: s.effect };
      if (s.effect === 'Deny') {
        (this.denies ??= []).push(m);
        found |= DENY;
      } else {
        (this.allows ??= []).push(m);
        found |= ALLOW;
        if (type === 'resource' && grant > this.grant) this.grant = grant;
      }
    }
    return found;
  }

  decide(decision: Decision['decision'], deniedBy: PolicyType | undefined): Decision {
    const matchedStatements = (decision === 'ExplicitDeny' ? this.denies : this.allows) ?? [];
    return { decision, matchedStatements, missingContextKeys: this.missing ?? [], deniedBy };
  }
}

const NONE: readonly AttachedPolicy[] = [];

export function evaluate(set: PolicySet, req: EvaluationRequest): Decision {
  const pass = new Pass(req, set.boundary !== undefined);
  let denied = false;

  const identity = pass.scan(set.identity ?? NONE, 'identity');
  denied ||= (identity & DENY) !== 0;
  const resource = set.resource ? pass.scanOne(set.resource, 'resource') : 0;
  denied ||= (resource & DENY) !== 0;
  const boundary = set.boundary ? pass.scanOne(set.boundary, 'boundary') : ALLOW;
  denied ||= (boundary & DENY) !== 0;
  const sessionPolicies = set.session?.policies ?? NONE;
  const session = pass.scan(sessionPolicies, 'session');
  denied ||= (session & DENY) !== 0;
  let scpAllowed = true;
  for (const level of set.scps ?? []) {
    const found = pass.scan(level, 'scp');
    denied ||= (found & DENY) !== 0;
    scpAllowed &&= (found & ALLOW) !== 0;
  }

  // 1. An explicit deny anywhere wins.
  if (denied) return pass.decide('ExplicitDeny', undefined);
  // 2. Every level of SCPs above the account must allow.
  if (!scpAllowed) return pass.decide('ImplicitDeny', 'scp');

  const boundaryOk = (boundary & ALLOW) !== 0;
  // A session with policies must be allowed by one; a federated-user session without any has
  // no permissions; other sessions without session policies are not limited.
  const sessionOk = set.session === undefined
    ? true
    : sessionPolicies.length === 0
      ? set.session.federated !== true
      : (session & ALLOW) !== 0;

  // Principals outside every account have no identity policies: the resource policy decides.
  if (req.principal.account === undefined) {
    return pass.grant !== Grant.None ? pass.decide('Allow', undefined) : pass.decide('ImplicitDeny', set.resource ? 'resource' : 'identity');
  }

  if (set.resource) {
    if (set.resourceIsTrustPolicy && pass.grant === Grant.None) return pass.decide('ImplicitDeny', 'resource');
    if (set.resource.account === req.principal.account) {
      // Same account: a grant to the caller itself stands alone; a grant to its role (or the
      // IAM user behind a federated user) stands without identity policies but within the
      // boundary and the session policies; a grant to the account defers to identity policies.
      if (pass.grant === Grant.Direct) return pass.decide('Allow', undefined);
      if (pass.grant === Grant.Parent) {
        if (!boundaryOk) return pass.decide('ImplicitDeny', 'boundary');
        if (!sessionOk) return pass.decide('ImplicitDeny', 'session');
        return pass.decide('Allow', undefined);
      }
    } else if (pass.grant === Grant.None) {
      // Cross-account: the resource's owner must allow, and so must the caller's own policies.
      return pass.decide('ImplicitDeny', 'resource');
    }
  }

  // An account's root user is not governed by identity policies: it may do anything its
  // account may, so its identity side always allows (explicit denies and SCPs still apply).
  if ((identity & ALLOW) === 0 && req.principal.type !== 'Account') return pass.decide('ImplicitDeny', 'identity');
  if (!boundaryOk) return pass.decide('ImplicitDeny', 'boundary');
  if (!sessionOk) return pass.decide('ImplicitDeny', 'session');
  return pass.decide('Allow', undefined);
}
