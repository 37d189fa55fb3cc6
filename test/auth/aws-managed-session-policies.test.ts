/**
 * Resolving the session policies a token carries: text as it is, an AWS managed policy's ARN
 * from the policies held in memory, and a reference this node cannot resolve denying everything
 * (never read as "no session policy", which would widen a role session to its role).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { AwsManagedSessionPolicies } from '../../src/auth/aws-managed-session-policies.js';
import { compileSessionPolicies } from '../../src/auth/authorize.js';
import { createRequestContext, evaluate, PolicyCache, type AttachedPolicy, type EvaluationRequest } from '../../src/policy/index.js';
import { loadAwsManagedPolicies, type AwsManagedPolicy } from '../../src/store/policies/aws-managed.js';
import { isPolicyReference } from '../../src/tokens/session-token.js';

const ACCT = '111122223333';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
/** A policy a newer release might ship, which this one does not. */
const FROM_THE_FUTURE = 'arn:aws:iam::aws:policy/AmazonQuantumTeleportFullAccess';
const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

let shipped: AwsManagedPolicy[];
let cache: PolicyCache;
let registry: AwsManagedSessionPolicies;

beforeAll(async () => {
  shipped = await loadAwsManagedPolicies();
  cache = new PolicyCache();
  registry = new AwsManagedSessionPolicies(shipped, cache);
});

const principal: EvaluationRequest['principal'] = { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/admin/s`, account: ACCT };

/** A role session whose role allows everything, limited by `session`. */
function decide(session: readonly AttachedPolicy[], action: string, resource = '*'): string {
  const identity = [{ id: 'all', policy: cache.get(ALLOW_ALL, { kind: 'identity' }) }];
  return evaluate({ identity, session: { policies: session } }, { principal, action, resource, context: createRequestContext({}) }).decision;
}

describe('the AWS managed policies held in memory', () => {
  test('hold every shipped policy, compiled as a session policy once', () => {
    expect(registry.size).toBe(shipped.length);
    const first = registry.sessionPolicy(READ_ONLY);
    expect(first).toBeDefined();
    expect(registry.sessionPolicy(READ_ONLY)).toBe(first);
  });

  test('know nothing of a policy this release does not ship', () => {
    expect(registry.sessionPolicy(FROM_THE_FUTURE)).toBeUndefined();
    expect(registry.sessionPolicy('arn:aws:iam::111122223333:policy/ReadOnlyAccess')).toBeUndefined();
  });
});

describe('compileSessionPolicies', () => {
  test('a reference to ReadOnlyAccess allows what the policy allows and nothing else', () => {
    const policies = compileSessionPolicies(cache, registry, [READ_ONLY]);
    expect(policies.map((p) => p.id)).toEqual(['session-policy-1']);
    expect(decide(policies, 'iam:ListUsers')).toBe('Allow');
    expect(decide(policies, 'iam:GetRole', `arn:aws:iam::${ACCT}:role/r`)).toBe('Allow');
    expect(decide(policies, 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/x`)).toBe('ImplicitDeny');
  });

  test('an unresolvable reference denies the session everything, even beside a policy that allows it', () => {
    for (const pol of [[FROM_THE_FUTURE], [ALLOW_ALL, FROM_THE_FUTURE], [READ_ONLY, FROM_THE_FUTURE]]) {
      const policies = compileSessionPolicies(cache, registry, pol);
      expect(decide(policies, 'iam:ListUsers')).toBe('ExplicitDeny');
      expect(decide(policies, 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/x`)).toBe('ExplicitDeny');
    }
  });

  test('without the policies in memory every reference is unresolvable: denied', () => {
    expect(decide(compileSessionPolicies(cache, undefined, [READ_ONLY]), 'iam:ListUsers')).toBe('ExplicitDeny');
    expect(decide(compileSessionPolicies(cache, new AwsManagedSessionPolicies([], cache), [READ_ONLY]), 'iam:ListUsers')).toBe('ExplicitDeny');
  });

  test('a text (every token issued before references) evaluates as before', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }] });
    const policies = compileSessionPolicies(cache, registry, [text]);
    expect(decide(policies, 'iam:ListUsers')).toBe('Allow');
    expect(decide(policies, 'iam:GetUser', `arn:aws:iam::${ACCT}:user/x`)).toBe('ImplicitDeny');
  });

  test('a text that no longer parses allows nothing', () => {
    expect(decide(compileSessionPolicies(cache, registry, ['{"Version":"2012-10-17","Statement":"x"}']), 'iam:ListUsers')).toBe('ExplicitDeny');
  });
});

describe('isPolicyReference', () => {
  test('an ARN is a reference; a policy document, with or without leading white space, is not', () => {
    expect(isPolicyReference(READ_ONLY)).toBe(true);
    expect(isPolicyReference(ALLOW_ALL)).toBe(false);
    expect(isPolicyReference(` \n${ALLOW_ALL}`)).toBe(false);
  });

  test('a node that predates references fails closed on one: an ARN does not parse as a policy', () => {
    expect(() => cache.get(READ_ONLY, { kind: 'session' })).toThrow();
  });
});
