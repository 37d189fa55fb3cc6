/**
 * The policy simulator: SimulatePrincipalPolicy (a stored user's, group's or role's policies,
 * plus any given as strings) and SimulateCustomPolicy (only policies given as strings), and the
 * context-key listings beside them (context-keys.ts). Each operation gathers its inputs in named
 * steps; simulate-run.ts evaluates and explains.
 */
import { accountOwner, userArnAccount } from '../arn.js';
import { AwsError } from '../errors.js';
import { defineOperation, type OperationContext, type DefinedOperation } from '../operation.js';
import type { OperationInput } from '../protocol/index.js';
import { createRequestContext, type CompiledPolicy, type PolicyCache, type RequestPrincipal } from '../policy/index.js';
import type { EntityPolicies, StoredPolicy } from '../store/policies/simulation.js';
import { contextKeyOperations } from './context-keys.js';
import { contextFromEntries } from './simulate-context.js';
import { compileInput, compileStored } from './simulate-documents.js';
import { resolvePolicySource, type PolicySource } from './simulate-principal.js';
import { runSimulation, type SourcePolicy } from './simulate-run.js';

/**
 * What both simulations read of their input: the model's SimulatePrincipalPolicy input without
 * its source (SimulateCustomPolicy's is the same with PolicyInputList required).
 * ResourceHandlingOption (EC2 scenarios) is not modelled here.
 */
type SimulateInput = Omit<OperationInput<'SimulatePrincipalPolicy'>, 'policySourceArn'>;

const ACTION = /^[A-Za-z0-9-]+:[^\s:]+$/;

/** Each action must name its service (`iam:CreateUser`); SimulateCustomPolicy takes no wildcards. */
function checkActions(actions: readonly string[], wildcards: boolean): void {
  for (const a of actions) {
    if (!ACTION.test(a)) throw new AwsError('InvalidInput', `Action ${a} is not valid: an action name must include the service identifier, such as iam:CreateUser.`);
    if (!wildcards && /[*?]/.test(a)) throw new AwsError('InvalidInput', `Action ${a} is not valid: SimulateCustomPolicy does not support wildcards in action names.`);
  }
}

/** CallerArn: "You can specify only the ARN of an IAM user." Returns its account. */
function callerAccountOf(arn: string): string {
  const account = userArnAccount(arn);
  if (account === undefined) throw new AwsError('InvalidInput', `Invalid CallerArn ${arn}: only the ARN of an IAM user can be the simulated caller.`);
  return account;
}

/** ResourceOwner: an account id, or the account's ARN `arn:aws:iam::ID:root`. */
function ownerOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const account = accountOwner(value);
  if (account === undefined) throw new AwsError('InvalidInput', `Invalid ResourceOwner ${value}: it must be an account ID or arn:aws:iam::ACCOUNT-ID:root.`);
  return account;
}

function inputPolicies(cache: PolicyCache, texts: readonly string[] | undefined): SourcePolicy[] {
  return (texts ?? []).map((text, i) => {
    const sourceId = `PolicyInputList.${i + 1}`;
    return { sourceId, sourceType: 'none', text, policy: compileInput(cache, text, ['identity'], sourceId) };
  });
}

/** PermissionsBoundaryPolicyInputList: "You can input only one permissions boundary". */
function inputBoundary(cache: PolicyCache, texts: readonly string[] | undefined): SourcePolicy | undefined {
  if (!texts || texts.length === 0) return undefined;
  if (texts.length > 1) throw new AwsError('InvalidInput', 'PermissionsBoundaryPolicyInputList can contain only one permissions boundary policy.');
  const text = texts[0] as string;
  const sourceId = 'PermissionsBoundaryPolicyInputList.1';
  return { sourceId, sourceType: 'none', text, policy: compileInput(cache, text, ['boundary'], sourceId) };
}

function inputResourcePolicy(cache: PolicyCache, text: string | undefined): SourcePolicy | undefined {
  if (text === undefined) return undefined;
  return { sourceId: 'ResourcePolicy', sourceType: 'resource', text, policy: compileInput(cache, text, ['resource'], 'ResourcePolicy') };
}

/** A boundary that no longer compiles must not become "no boundary": it allows nothing. */
const ALLOWS_NOTHING: CompiledPolicy = { kind: 'boundary', statements: [] };

function storedPolicies(cache: PolicyCache, policies: EntityPolicies): { identity: SourcePolicy[]; boundary: SourcePolicy | undefined } {
  const one = (p: StoredPolicy, policy: CompiledPolicy): SourcePolicy => ({ sourceId: p.name, sourceType: p.source, text: p.document, policy });
  const identity: SourcePolicy[] = [];
  for (const p of policies.identity) {
    const compiled = compileStored(cache, p.document);
    if (compiled) identity.push(one(p, compiled));
  }
  const b = policies.boundary;
  return { identity, boundary: b && one(b, compileStored(cache, b.document) ?? ALLOWS_NOTHING) };
}

/**
 * Who the simulated request comes from. CallerArn, when given, is the caller ("as if Bob had
 * David's policies"); otherwise a user source is its own caller. A role source calls as a session
 * of the role; a group, or a custom simulation, has no caller identity beyond the account.
 */
function principalOf(accountId: string, callerArn: string | undefined, source: PolicySource | undefined): RequestPrincipal {
  if (callerArn !== undefined) return { type: 'User', arn: callerArn, account: callerAccountOf(callerArn) };
  if (source?.entity.kind === 'user') return { type: 'User', arn: source.arn, account: accountId };
  if (source?.entity.kind === 'role') return { type: 'AssumedRole', arn: source.arn, parentArn: source.arn, account: accountId };
  return { type: 'User', account: accountId };
}

async function simulate(ctx: OperationContext, cache: PolicyCache, input: SimulateInput, source: PolicySource | undefined) {
  checkActions(input.actionNames, source !== undefined);
  const resourceOwner = ownerOf(input.resourceOwner);
  const context = createRequestContext(contextFromEntries(input.contextEntries));
  const extra = inputPolicies(cache, input.policyInputList);
  const boundaryOverride = inputBoundary(cache, input.permissionsBoundaryPolicyInputList);
  const resourcePolicy = inputResourcePolicy(cache, input.resourcePolicy);
  // AWS: "CallerArn is required if you include a ResourcePolicy" (and, for
  // SimulatePrincipalPolicy, the PolicySourceArn is not a user), so that the resource policy's
  // Principal element has a value to match.
  if (resourcePolicy && input.callerArn === undefined && source?.entity.kind !== 'user') {
    throw new AwsError('InvalidInput', 'CallerArn must be specified when a ResourcePolicy is included and PolicySourceArn is not the ARN of an IAM user.');
  }
  const principal = principalOf(ctx.accountId, input.callerArn, source);
  const stored = source ? storedPolicies(cache, source.policies) : { identity: [], boundary: undefined };
  return runSimulation(
    {
      identity: [...stored.identity, ...extra],
      // "If a permissions boundary is attached to an entity and you pass in a different permissions
      // boundary policy using this parameter, then the new permissions boundary policy is used."
      boundary: boundaryOverride ?? stored.boundary,
      resourcePolicy,
      principal,
      callerAccount: principal.account ?? ctx.accountId,
      resourceOwner,
      context,
      actions: input.actionNames,
      resources: input.resourceArns && input.resourceArns.length > 0 ? input.resourceArns : ['*'],
    },
    input,
  );
}

export const simulatePrincipalPolicy = defineOperation('SimulatePrincipalPolicy', {
  authentication: 'sigv4',
  write: false,
  resource: (input) => input.policySourceArn,
  async handle(input, ctx, deps) {
    const source = await resolvePolicySource(ctx.db, ctx.accountId, input.policySourceArn);
    return simulate(ctx, deps.policyCache, input, source);
  },
});

export const simulateCustomPolicy = defineOperation('SimulateCustomPolicy', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  handle: (input, ctx, deps) => simulate(ctx, deps.policyCache, input, undefined),
});

export const simulateOperations: readonly DefinedOperation[] = [simulatePrincipalPolicy, simulateCustomPolicy, ...contextKeyOperations];
