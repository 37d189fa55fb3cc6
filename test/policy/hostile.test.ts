/**
 * Hostile documents and requests: the engine must refuse them or answer in bounded time.
 * The time bounds are generous (CI is a busy 2-core machine); what they guard against is
 * exponential or unbounded work, which would take minutes or forever, not microseconds.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  createRequestContext,
  DEFAULT_MAX_LENGTH,
  evaluate,
  MAX_TEXT_LENGTH,
  parsePolicy,
  PolicyError,
  type PolicySet,
} from '../../src/policy/index.js';

const ALICE = { type: 'User', arn: 'arn:aws:iam::111122223333:user/alice', account: '111122223333' } as const;

function rejects(text: string, message: string, maxLength?: number): void {
  let caught: unknown;
  const t0 = performance.now();
  try {
    parsePolicy(text, maxLength === undefined ? { kind: 'identity' } : { kind: 'identity', maxLength });
  } catch (err) {
    caught = err;
  }
  expect(performance.now() - t0).toBeLessThan(2_000);
  expect(caught).toBeInstanceOf(PolicyError);
  expect((caught as PolicyError).message).toContain(message);
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/** A policy of `n` statements of the given shape, under the size limit. */
function doc(statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('hostile documents', () => {
  it('refuses text over the hard cap before parsing it, whatever the whitespace', () => {
    rejects(' '.repeat(MAX_TEXT_LENGTH) + '{}', 'exceeds the maximum');
  });

  it('refuses a document over the quota, counting characters without whitespace', () => {
    const big = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'a'.repeat(DEFAULT_MAX_LENGTH)}` }]);
    rejects(big, 'exceeds the maximum');
    expect(() => parsePolicy(big, { kind: 'identity', maxLength: 20_000 })).not.toThrow();
  });

  it('refuses deeply nested JSON without exhausting the stack', () => {
    const depth = 60_000;
    rejects("[".repeat(depth) + "]".repeat(depth), "Syntax errors in policy.", MAX_TEXT_LENGTH);
    const deepCondition = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:x":${'['.repeat(20_000)}"a"${']'.repeat(20_000)}}}}}`;
    rejects(deepCondition, 'Invalid condition value', MAX_TEXT_LENGTH);
    const deepPrincipal = `{"Statement":{"Effect":"Allow","Principal":{"AWS":${'['.repeat(20_000)}${']'.repeat(20_000)}},"Action":"s3:*","Resource":"*"}}`;
    expect(() => parsePolicy(deepPrincipal, { kind: 'resource', maxLength: MAX_TEXT_LENGTH })).toThrow('Invalid principal');
  });

  it('refuses strings of non-Latin-1 characters, raw or escaped', () => {
    rejects(doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/\u2028' }]), 'outside the allowed range');
    rejects('{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\\ud83d\\ude00"}}', 'outside the allowed range');
  });

  it('parses and evaluates a maximum-size document of many small statements in bounded time', () => {
    const statements: unknown[] = [];
    for (let i = 0; ; i++) {
      const next = [...statements, { Effect: i % 7 === 0 ? 'Deny' : 'Allow', Action: `svc${i}:Get*`, Resource: `arn:aws:s3:::b${i}/*`, Condition: { StringLike: { 'aws:PrincipalTag/t': `*${i}*` } } }];
      if (doc(next).length > DEFAULT_MAX_LENGTH) break;
      statements.push(next[next.length - 1]);
    }
    expect(statements.length).toBeGreaterThan(50);
    const { value: compiled, ms: compileMs } = timed(() => compilePolicy(parsePolicy(doc(statements), { kind: 'identity' })));
    expect(compileMs).toBeLessThan(2_000);
    const set: PolicySet = { identity: Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, policy: compiled })) };
    const { value: decision, ms } = timed(() =>
      evaluate(set, { principal: ALICE, action: 'svc3:GetThing', resource: 'arn:aws:s3:::b3/x', context: createRequestContext({ 'aws:PrincipalTag/t': 'x3x' }) }),
    );
    expect(decision.decision).toBe('Allow');
    expect(ms).toBeLessThan(2_000);
  });
});

describe('patterns built to backtrack', () => {
  // Against a backtracking regex such as /^(a*)*b$/ or /^a*a*a*…b$/ these inputs take
  // exponential or high-polynomial time; the matchers here are O(pattern × input).
  const n = 4_000;
  const input = 'a'.repeat(n);

  it('a Resource of many stars against a long resource name', () => {
    const pattern = `arn:aws:s3:::${'*a'.repeat(1_500)}b`;
    const policy = compilePolicy(parsePolicy(doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: pattern }]), { kind: 'identity' }));
    const { value, ms } = timed(() =>
      evaluate({ identity: [{ id: 'p', policy }] }, { principal: ALICE, action: 's3:GetObject', resource: `arn:aws:s3:::${input}`, context: createRequestContext({}) }),
    );
    expect(value.decision).toBe('ImplicitDeny');
    expect(ms).toBeLessThan(3_000);
  });

  it('mid-segment stars (the colon-aware matcher) against a long name full of colons', () => {
    const pattern = `arn:aws:sns:us-east-1:111122223333:${'x*a'.repeat(1_000)}b`;
    const policy = compilePolicy(parsePolicy(doc([{ Effect: 'Allow', Action: 'sns:Publish', Resource: pattern }]), { kind: 'identity' }));
    const resource = `arn:aws:sns:us-east-1:111122223333:${'xa:'.repeat(1_300)}`;
    const { value, ms } = timed(() =>
      evaluate({ identity: [{ id: 'p', policy }] }, { principal: ALICE, action: 'sns:Publish', resource, context: createRequestContext({}) }),
    );
    expect(value.decision).toBe('ImplicitDeny');
    expect(ms).toBeLessThan(3_000);
  });

  it('StringLike and ForAllValues over a long multivalued key', () => {
    const policy = compilePolicy(parsePolicy(doc([{
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: '*',
      Condition: {
        StringLike: { 'aws:PrincipalTag/t': '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b' },
        'ForAllValues:StringLike': { 'aws:TagKeys': ['*a*a*a*a*a*a*a*a*b', '?*?*?*?*?*?*c'] },
      },
    }]), { kind: 'identity' }));
    const context = createRequestContext({ 'aws:PrincipalTag/t': input + 'b', 'aws:TagKeys': Array.from({ length: 200 }, () => input.slice(0, 1_000)) });
    const { value, ms } = timed(() => evaluate({ identity: [{ id: 'p', policy }] }, { principal: ALICE, action: 's3:PutObject', resource: '*', context }));
    expect(value.decision).toBe('ImplicitDeny');
    expect(ms).toBeLessThan(3_000);
  });

  it('an action pattern of stars against a long action name', () => {
    const policy = compilePolicy(parsePolicy(doc([{ Effect: 'Allow', Action: `s3:${'*a'.repeat(2_000)}b`, Resource: '*' }]), { kind: 'identity' }));
    const { value, ms } = timed(() =>
      evaluate({ identity: [{ id: 'p', policy }] }, { principal: ALICE, action: `s3:${input}`, resource: '*', context: createRequestContext({}) }),
    );
    expect(value.decision).toBe('ImplicitDeny');
    expect(ms).toBeLessThan(3_000);
  });
});
