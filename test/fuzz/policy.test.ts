/**
 * Properties of the policy engine under generated hostile documents: arbitrary JSON, nearly
 * valid policies with hostile contents, damaged JSON text and deep nesting, for every kind of
 * policy. Parsing either returns a document or throws PolicyError (AWS's MalformedPolicyDocument),
 * in bounded time; what parses compiles without throwing, and evaluates to a decision.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  compilePolicy,
  createRequestContext,
  evaluate,
  parsePolicy,
  PolicyCache,
  PolicyError,
  type PolicyDocument,
  type PolicyKind,
  type PolicySet,
} from '../../src/policy/index.js';
import { hostileText, policyText } from './arbitraries.js';
import { fuzzParams } from './settings.js';

const KINDS: readonly PolicyKind[] = ['identity', 'resource', 'trust', 'boundary', 'session', 'scp'];

function parsed(text: string, kind: PolicyKind): PolicyDocument | undefined {
  const start = performance.now();
  try {
    return parsePolicy(text, { kind });
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    expect(err.code).toBe('MalformedPolicyDocument');
    expect(err.message.length).toBeLessThan(1_000);
    return undefined;
  } finally {
    expect(performance.now() - start).toBeLessThan(2_000);
  }
}

/** The compiled policy in the place its kind goes in a policy set. */
function setFor(kind: PolicyKind, policy: ReturnType<typeof compilePolicy>): PolicySet {
  const attached = { id: 'fuzz', policy };
  switch (kind) {
    case 'resource':
      return { resource: { ...attached, account: '123456789012' } };
    case 'trust':
      return { resource: { ...attached, account: '123456789012' }, resourceIsTrustPolicy: true };
    case 'boundary':
      return { identity: [attached], boundary: attached };
    case 'session':
      return { identity: [attached], session: { policies: [attached] } };
    case 'scp':
      return { identity: [attached], scps: [[attached]] };
    default:
      return { identity: [attached] };
  }
}

const request = fc.record({
  action: fc.oneof(fc.constantFrom('iam:CreateUser', 'sts:AssumeRole', 's3:GetObject', 'iam:GetUser'), hostileText),
  resource: fc.oneof(fc.constantFrom('*', 'arn:aws:iam::123456789012:user/alice', 'arn:aws:s3:::bucket/alice/x'), hostileText),
  context: fc.dictionary(
    fc.oneof(fc.constantFrom('aws:username', 'aws:PrincipalTag/team', 'aws:SourceIp', 'aws:CurrentTime', 'aws:SecureTransport', 'aws:TagKeys', 'sts:ExternalId'), hostileText),
    fc.oneof(hostileText, fc.integer(), fc.boolean(), fc.array(hostileText, { maxLength: 3 })),
    { maxKeys: 4 },
  ),
});

describe('policy parsing under hostile documents', () => {
  test.each(KINDS)('a %s policy parses or fails with PolicyError; what parses compiles and evaluates', (kind) => {
    fc.assert(
      fc.property(policyText, request, (text, req) => {
        const doc = parsed(text, kind);
        if (!doc) return;
        const compiled = compilePolicy(doc);
        const start = performance.now();
        const decision = evaluate(setFor(kind, compiled), {
          principal: { type: 'User', arn: 'arn:aws:iam::123456789012:user/alice', account: '123456789012' },
          action: req.action,
          resource: req.resource,
          context: createRequestContext(req.context),
        });
        expect(performance.now() - start).toBeLessThan(2_000);
        expect(['Allow', 'ExplicitDeny', 'ImplicitDeny']).toContain(decision.decision);
      }),
      fuzzParams(300),
    );
  });

  test('any JSON value, and any text, is a document or a PolicyError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json({ maxDepth: 6 }), hostileText), fc.constantFrom(...KINDS), (text, kind) => {
        parsed(text, kind);
      }),
      fuzzParams(500),
    );
  });

  test('the cache gives what a fresh parse gives, and never keeps a refused document', () => {
    const cache = new PolicyCache(64);
    fc.assert(
      fc.property(policyText, (text) => {
        const doc = parsed(text, 'identity');
        let cached: unknown;
        try {
          cached = cache.get(text, { kind: 'identity' });
        } catch (err) {
          expect(err).toBeInstanceOf(PolicyError);
        }
        expect(cached === undefined).toBe(doc === undefined);
        if (doc) {
          // Compiled matchers are closures: compare what they were compiled from, and that a hit is the same object.
          expect((cached as ReturnType<typeof compilePolicy>).statements).toHaveLength(doc.statements.length);
          expect(cache.get(text, { kind: 'identity' })).toBe(cached);
        }
        expect(cache.size).toBeLessThanOrEqual(64);
      }),
      fuzzParams(300),
    );
  });
});
