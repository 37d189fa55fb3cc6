import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  createRequestContext,
  evaluate,
  parsePolicy,
  PolicyError,
  type AttachedPolicy,
  type ContextValueInput,
  type PolicyKind,
  type PolicySet,
  type RequestPrincipal,
} from '../../src/policy/index.js';

interface PolicyRef { id?: string; document: unknown }
interface EvaluationCase {
  name: string;
  rule: string;
  policies: {
    identity?: PolicyRef[];
    resource?: PolicyRef & { account: string };
    trust?: PolicyRef & { account: string };
    boundary?: PolicyRef;
    session?: { federated?: boolean; policies: PolicyRef[] };
    scps?: PolicyRef[][];
  };
  request: {
    principal?: RequestPrincipal;
    action: string;
    resource?: string;
    context?: Record<string, ContextValueInput>;
  };
  expected: {
    decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
    matched?: { policyId: string; sid?: string; index?: number }[];
    missing?: string[];
    deniedBy?: string;
  };
}
interface ValidationCase {
  name: string;
  rule: string;
  kind: PolicyKind;
  document: unknown;
  expected: { valid: true } | { valid: false; error: string };
}

const fixtures = new URL('../fixtures/policy/', import.meta.url).pathname;
const ALICE: RequestPrincipal = {
  type: 'User',
  arn: 'arn:aws:iam::111122223333:user/alice',
  account: '111122223333',
};

function load<T>(dir: string): { file: string; cases: T[] }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cases: T[] };
      return { file, cases: parsed.cases };
    });
}

function attach(ref: PolicyRef, kind: PolicyKind, fallbackId: string): AttachedPolicy {
  const text = typeof ref.document === 'string' ? ref.document : JSON.stringify(ref.document);
  return { id: ref.id ?? fallbackId, policy: compilePolicy(parsePolicy(text, { kind })) };
}

function buildSet(p: EvaluationCase['policies']): PolicySet {
  const resourceRef = p.trust ?? p.resource;
  return {
    identity: p.identity?.map((r, i) => attach(r, 'identity', `identity-${i}`)),
    resource: resourceRef && {
      ...attach(resourceRef, p.trust ? 'trust' : 'resource', p.trust ? 'trust' : 'resource'),
      account: resourceRef.account,
    },
    resourceIsTrustPolicy: p.trust !== undefined,
    boundary: p.boundary && attach(p.boundary, 'boundary', 'boundary'),
    session: p.session && {
      federated: p.session.federated ?? false,
      policies: p.session.policies.map((r, i) => attach(r, 'session', `session-${i}`)),
    },
    scps: p.scps?.map((level, l) => level.map((r, i) => attach(r, 'scp', `scp-${l}-${i}`))),
  };
}

const evaluationFiles = load<EvaluationCase>(fixtures);
const validationFiles = load<ValidationCase>(join(fixtures, 'validation'));

describe('policy corpus: evaluation', () => {
  it('has at least 300 evaluation cases, each naming its AWS rule', () => {
    const all = evaluationFiles.flatMap((f) => f.cases);
    expect(all.length).toBeGreaterThanOrEqual(300);
    for (const c of all) expect(c.rule, c.name).toMatch(/\S{3,}/);
    const names = all.map((c) => c.name);
    expect(new Set(names).size, 'case names are unique').toBe(names.length);
  });

  for (const { file, cases } of evaluationFiles) {
    describe(file, () => {
      for (const c of cases) {
        it(c.name, () => {
          const decision = evaluate(buildSet(c.policies), {
            principal: c.request.principal ?? ALICE,
            action: c.request.action,
            resource: c.request.resource ?? '*',
            context: createRequestContext(c.request.context ?? {}),
          });
          expect(decision.decision, c.rule).toBe(c.expected.decision);
          if (c.expected.matched) {
            const got = decision.matchedStatements.map((m) => ({ policyId: m.policyId, sid: m.sid, index: m.index }));
            for (const want of c.expected.matched) {
              expect(got, c.rule).toContainEqual(expect.objectContaining(
                Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined)),
              ));
            }
            expect(got.length, `matched statements: ${JSON.stringify(got)}`).toBe(c.expected.matched.length);
          }
          if (c.expected.missing) {
            const lower = (xs: readonly string[]) => [...xs].map((x) => x.toLowerCase()).sort();
            expect(lower(decision.missingContextKeys), c.rule).toEqual(lower(c.expected.missing));
          }
          if (c.expected.deniedBy) expect(decision.deniedBy, c.rule).toBe(c.expected.deniedBy);
        });
      }
    });
  }
});

describe('policy corpus: validation', () => {
  for (const { file, cases } of validationFiles) {
    describe(file, () => {
      for (const c of cases) {
        it(c.name, () => {
          const text = typeof c.document === 'string' ? c.document : JSON.stringify(c.document);
          if (c.expected.valid) {
            expect(() => parsePolicy(text, { kind: c.kind }), c.rule).not.toThrow();
          } else {
            let caught: unknown;
            try {
              parsePolicy(text, { kind: c.kind });
            } catch (err) {
              caught = err;
            }
            expect(caught, c.rule).toBeInstanceOf(PolicyError);
            expect((caught as PolicyError).message, c.rule).toContain(c.expected.error);
          }
        });
      }
    });
  }
});
