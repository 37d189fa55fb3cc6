/**
 * GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy: every context key the
 * policies refer to, so that a caller knows which ContextEntries a simulation needs. A key is
 * referred to by a condition (`"Condition": {"StringEquals": {"aws:username": …}}`) and by a policy
 * variable where the engine substitutes one (`"Resource": "arn:aws:s3:::b/${aws:username}/*"`, and
 * the values of String and Arn conditions, in `2012-10-17` documents). The walk reads the compiled
 * policy, so it lists exactly what evaluation will look up. Each key is listed once (keys are
 * case-insensitive), spelt as first written, in order of first appearance.
 */
import { defineOperation, type DefinedOperation } from '../operation.js';
import type { CompiledPolicy, PolicyCache } from '../policy/index.js';
import { compileInput, compileStored } from './simulate-documents.js';
import { resolvePolicySource } from './simulate-principal.js';

export class ContextKeyList {
  readonly #seen = new Set<string>();
  readonly keys: string[] = [];

  add(key: string): void {
    const lower = key.toLowerCase();
    if (this.#seen.has(lower)) return;
    this.#seen.add(lower);
    this.keys.push(key);
  }

  /** Every key `policy` refers to, statement by statement: Resource variables, then conditions. */
  addPolicy(policy: CompiledPolicy): void {
    for (const s of policy.statements) {
      for (const r of s.resources ?? []) for (const v of r.template.variables) this.add(v.key);
      for (const c of s.conditions) {
        this.add(c.key);
        for (const v of c.variables) this.add(v.key);
      }
    }
  }
}

/** The documents of PolicyInputList: identity policies, or resource policies (with a Principal). */
function addInputs(list: ContextKeyList, cache: PolicyCache, inputs: readonly string[] | undefined): void {
  for (const [i, text] of (inputs ?? []).entries()) {
    list.addPolicy(compileInput(cache, text, ['identity', 'resource'], `PolicyInputList.${i + 1}`));
  }
}

export const getContextKeysForCustomPolicy = defineOperation('GetContextKeysForCustomPolicy', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(input, _ctx, deps) {
    const list = new ContextKeyList();
    addInputs(list, deps.policyCache, input.policyInputList);
    return { contextKeyNames: list.keys };
  },
});

export const getContextKeysForPrincipalPolicy = defineOperation('GetContextKeysForPrincipalPolicy', {
  authentication: 'sigv4',
  write: false,
  resource: (input) => input.policySourceArn,
  async handle(input, ctx, deps) {
    // The request's documents are checked before any lookup, so a bad one fails the same way
    // whatever the ARN names.
    const extra = new ContextKeyList();
    addInputs(extra, deps.policyCache, input.policyInputList);
    const source = await resolvePolicySource(ctx.db, ctx.accountId, input.policySourceArn);
    const list = new ContextKeyList();
    // The boundary limits every decision, so its keys are needed for a faithful simulation too.
    const stored = [...source.policies.identity, ...(source.policies.boundary ? [source.policies.boundary] : [])];
    for (const p of stored) {
      const compiled = compileStored(deps.policyCache, p.document);
      if (compiled) list.addPolicy(compiled);
    }
    for (const k of extra.keys) list.add(k);
    return { contextKeyNames: list.keys };
  },
});

export const contextKeyOperations: readonly DefinedOperation[] = [getContextKeysForCustomPolicy, getContextKeysForPrincipalPolicy];
