/**
 * The policy simulator's core: given the policies, the simulated caller and the context, evaluate
 * every ActionNames × ResourceArns pair with the engine (the same evaluation authorization uses)
 * and explain each result as SimulatePrincipalPolicy / SimulateCustomPolicy do. Pure apart from
 * reading its arguments; the operations in simulate.ts gather them.
 */
import { arnAccountId } from '../arn.js';
import { AwsError } from '../errors.js';
import {
  evaluate,
  type AttachedPolicy,
  type CompiledPolicy,
  type DecisionValue,
  type EvaluationRequest,
  type MatchedStatement,
  type PolicySet,
  type RequestContext,
  type RequestPrincipal,
} from '../policy/index.js';
import { statementPositions, type StatementSpan } from '../policy/positions.js';
import { decodeMarker, encodeMarker, limitOf, type PageRequest } from './pagination.js';

/**
 * The simulator's `PolicySourceType`. The IAM model lists `user-managed` for customer managed
 * policies, but AWS answers `IAM Policy` for them (recorded for a user's, a group's and a role's
 * attached customer managed policy in LocalStack's AWS-validated test_simulate_principle_policy,
 * April 2025), and that is what clients see.
 */
export type SourcePolicyType = 'user' | 'group' | 'role' | 'aws-managed' | 'IAM Policy' | 'resource' | 'none';

/** A policy as results name it: its `SourcePolicyId` and type, and its text for positions. */
export interface SourcePolicy {
  readonly sourceId: string;
  readonly sourceType: SourcePolicyType;
  readonly text: string;
  readonly policy: CompiledPolicy;
}

export interface Simulation {
  readonly identity: readonly SourcePolicy[];
  readonly boundary: SourcePolicy | undefined;
  readonly resourcePolicy: SourcePolicy | undefined;
  readonly principal: RequestPrincipal;
  /** The simulated caller's account: a resource owned elsewhere is a cross-account simulation. */
  readonly callerAccount: string;
  /** ResourceOwner: the owner of resources whose ARN names none, and of the resource policy. */
  readonly resourceOwner: string | undefined;
  readonly context: RequestContext;
  readonly actions: readonly string[];
  /** At least one entry; `*` when the request named none. */
  readonly resources: readonly string[];
}

const DECISION: Record<DecisionValue, 'allowed' | 'explicitDeny' | 'implicitDeny'> = {
  Allow: 'allowed',
  ExplicitDeny: 'explicitDeny',
  ImplicitDeny: 'implicitDeny',
};

/** Engine policy ids are indexes into this list, so that two policies of the same name stay apart. */
class Sources {
  readonly #byId = new Map<string, { source: SourcePolicy; spans?: StatementSpan[] }>();

  attach(source: SourcePolicy): AttachedPolicy {
    const id = String(this.#byId.size);
    this.#byId.set(id, { source });
    return { id, policy: source.policy };
  }

  /** A matched statement as the `Statement` shape, with its place in the document. */
  describe(m: MatchedStatement) {
    const entry = this.#byId.get(m.policyId);
    if (!entry) throw new Error(`simulate: unknown policy id ${m.policyId}`);
    // Stored managed policies are reported as AWS stores them (see statementPositions).
    entry.spans ??= statementPositions(entry.source.text, { wrapLoneStatement: entry.source.sourceType === 'IAM Policy' || entry.source.sourceType === 'aws-managed' });
    const span = entry.spans[m.index];
    return {
      sourcePolicyId: entry.source.sourceId,
      sourcePolicyType: entry.source.sourceType,
      ...(span
        ? { startPosition: { line: span.start.line, column: span.start.column }, endPosition: { line: span.end.line, column: span.end.column } }
        : {}),
    };
  }
}

/** The pair at position `k` of ActionNames × ResourceArns (every resource for the first action, then the next). */
function pairAt(sim: Simulation, k: number): { action: string; resource: string } {
  const r = sim.resources.length;
  return { action: sim.actions[Math.floor(k / r)] as string, resource: sim.resources[k % r] as string };
}

/** Where a page starts: our marker is the position of the next pair. */
function startOf(marker: string | undefined, total: number): number {
  const key = decodeMarker(marker);
  if (key === undefined) return 0;
  if (!/^\d{1,9}$/.test(key) || Number(key) > total) throw new AwsError('InvalidInput', 'Invalid Marker.');
  return Number(key);
}

export function runSimulation(sim: Simulation, page: PageRequest) {
  const sources = new Sources();
  const identity = sim.identity.map((p) => sources.attach(p));
  const boundary = sim.boundary && sources.attach(sim.boundary);
  const resourcePolicy = sim.resourcePolicy && sources.attach(sim.resourcePolicy);

  const total = sim.actions.length * sim.resources.length;
  const start = startOf(page.marker, total);
  const end = Math.min(total, start + limitOf(page));
  const evaluationResults: ReturnType<typeof explain>[] = [];
  for (let k = start; k < end; k++) {
    const { action, resource } = pairAt(sim, k);
    // ResourceOwner wins; otherwise the resource ARN's own account; otherwise the caller's.
    const owner = sim.resourceOwner ?? arnAccountId(resource) ?? sim.callerAccount;
    const set: PolicySet = {
      identity,
      boundary,
      resource: resourcePolicy && { ...resourcePolicy, account: owner },
    };
    const req: EvaluationRequest = { principal: sim.principal, action, resource, context: sim.context };
    evaluationResults.push(explain(sim, sources, set, req, owner));
  }
  return {
    evaluationResults,
    isTruncated: end < total,
    ...(end < total ? { marker: encodeMarker(String(end)) } : {}),
  };
}

function explain(sim: Simulation, sources: Sources, set: PolicySet, req: EvaluationRequest, owner: string) {
  const decision = evaluate(set, req);
  const evalDecision = DECISION[decision.decision];
  // AWS lists "the statements that determine the result": the denying ones for an explicit deny,
  // the allowing ones for an allow, and none for an implicit deny (nothing decided it).
  const matchedStatements = decision.decision === 'ImplicitDeny' ? [] : decision.matchedStatements.map((m) => sources.describe(m));
  const boundaryDetail = set.boundary && {
    permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: evaluate({ identity: [set.boundary] }, req).decision === 'Allow' },
  };
  const missing = decision.missingContextKeys;
  if (req.resource === '*') {
    // AWS: with all resources, missing context values are reported here and
    // EvalDecisionDetails is not returned.
    return { evalActionName: req.action, evalResourceName: req.resource, evalDecision, matchedStatements, missingContextValues: [...missing], ...boundaryDetail };
  }
  const evalDecisionDetails = owner === sim.callerAccount ? {} : crossAccountDetails(set, req);
  return {
    evalActionName: req.action,
    evalResourceName: req.resource,
    evalDecision,
    matchedStatements,
    // AWS: with named resources the missing context values go in ResourceSpecificResults instead.
    missingContextValues: [],
    ...boundaryDetail,
    evalDecisionDetails,
    resourceSpecificResults: [
      {
        evalResourceName: req.resource,
        evalResourceDecision: evalDecision,
        matchedStatements,
        missingContextValues: [...missing],
        evalDecisionDetails,
        ...boundaryDetail,
      },
    ],
  };
}

/**
 * For a resource owned by another account AWS summarises each side of the cross-account
 * evaluation (both must allow). The keys name the policy types, as AWS's console labels them
 * **(choice: AWS does not document the key names)**.
 */
function crossAccountDetails(set: PolicySet, req: EvaluationRequest): Record<string, string> {
  const identitySide = evaluate({ identity: set.identity, boundary: set.boundary }, req).decision;
  let resourceSide: DecisionValue = 'ImplicitDeny';
  if (set.resource) {
    // The resource policy alone, for a caller outside the owner's account: the engine denies
    // for want of a Principal match (deniedBy 'resource') or, with one, for want of identity
    // policies, which this side does not judge.
    const alone = evaluate({ resource: set.resource }, req);
    resourceSide = alone.decision === 'ExplicitDeny' ? 'ExplicitDeny' : alone.deniedBy === 'resource' ? 'ImplicitDeny' : 'Allow';
  }
  return { 'IAM Policy': DECISION[identitySide], 'Resource Policy': DECISION[resourceSide] };
}
