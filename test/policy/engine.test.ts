/** Engine behaviour beyond the corpus: purity, caching, root, explanations. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  createRequestContext,
  evaluate,
  parsePolicy,
  PolicyCache,
  PolicyError,
  type EvaluationRequest,
} from '../../src/policy/index.js';
import { parseAddress, parseBlock } from '../../src/policy/conditions/ip.js';
import { parseDate } from '../../src/policy/conditions/date.js';

const root = new URL('../../src/policy/', import.meta.url).pathname;
/** The one other module the engine may import: the bounded cache, pure by the same rules (checked below). */
const boundedCache = new URL('../../src/cache.ts', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/policy is a pure leaf', () => {
  const sources = [...files(root), boundedCache].map((f) => ({ f, text: readFileSync(f, 'utf8') }));

  it('imports only itself, src/cache.ts and node built-ins', () => {
    for (const { f, text } of sources) {
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
        const spec = m[1] as string;
        expect(spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('node:'), `${f}: ${spec}`).toBe(true);
        if (spec.startsWith('../')) expect(join(f, '..', spec).startsWith(root) || join(f, '..', spec.replace(/\.js$/, '.ts')) === boundedCache, `${f}: ${spec}`).toBe(true);
        if (f === boundedCache) expect(spec.startsWith('node:'), `${f}: ${spec}`).toBe(true);
      }
      for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        expect((m[1] as string).startsWith('./'), `${f}: ${m[1]}`).toBe(true);
      }
    }
  });

  it('never reads the clock, the environment or the file system', () => {
    for (const { f, text } of sources) {
      expect(text, f).not.toMatch(/Date\.now|new Date\(\s*\)|performance\.|process\.|hrtime|node:fs|node:net|node:http/);
    }
  });
});

const alice: EvaluationRequest['principal'] = { type: 'User', arn: 'arn:aws:iam::111122223333:user/alice', account: '111122223333' };
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

describe('PolicyCache', () => {
  it('compiles a document once per kind and text, and keeps at most its bound', () => {
    const cache = new PolicyCache(2);
    const a = cache.get(allowAll, { kind: 'identity' });
    expect(cache.get(allowAll, { kind: 'identity' })).toBe(a);
    expect(cache.get(allowAll, { kind: 'boundary' })).not.toBe(a);
    cache.get(allowAll.replace('*"', '*" '), { kind: 'identity' });
    expect(cache.size).toBe(2);
    // The identity entry was the oldest when the third came in: it was evicted.
    expect(cache.get(allowAll, { kind: 'identity' })).not.toBe(a);
  });

  it('does not cache a refusal', () => {
    const cache = new PolicyCache();
    expect(() => cache.get('{', { kind: 'identity' })).toThrow(PolicyError);
    expect(cache.size).toBe(0);
  });
});

describe('the root user', () => {
  const ctx = createRequestContext({});
  const rootPrincipal = { type: 'Account', arn: 'arn:aws:iam::111122223333:root', account: '111122223333' } as const;

  it('needs no identity policy in its own account', () => {
    expect(evaluate({}, { principal: rootPrincipal, action: 'iam:CreateUser', resource: 'arn:aws:iam::111122223333:user/x', context: ctx }).decision).toBe('Allow');
  });

  it('is still stopped by an explicit deny in a resource policy or an SCP', () => {
    const deny = compilePolicy(parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }] }), { kind: 'resource' }));
    const d = evaluate({ resource: { id: 'bucket', account: '111122223333', policy: deny } }, { principal: rootPrincipal, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: ctx });
    expect(d.decision).toBe('ExplicitDeny');
    const scp = compilePolicy(parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }), { kind: 'scp' }));
    expect(evaluate({ scps: [[{ id: 'scp', policy: scp }]] }, { principal: rootPrincipal, action: 'iam:CreateUser', resource: '*', context: ctx })).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'scp' });
  });

  it('needs the other account to allow it cross-account', () => {
    const grant = compilePolicy(parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: '*' }] }), { kind: 'resource' }));
    const req = { principal: rootPrincipal, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: ctx };
    expect(evaluate({ resource: { id: 'r', account: '444455556666', policy: grant } }, req).decision).toBe('Allow');
    expect(evaluate({}, { ...req, principal: { ...rootPrincipal, account: '444455556666', arn: 'arn:aws:iam::444455556666:root' } }).decision).toBe('Allow');
    const other = compilePolicy(parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '999988887777' }, Action: 's3:GetObject', Resource: '*' }] }), { kind: 'resource' }));
    expect(evaluate({ resource: { id: 'r', account: '444455556666', policy: other } }, req)).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });
});

describe('explanations', () => {
  it('reports the deciding statements and every missing key once, as the policy wrote it', () => {
    const policy = compilePolicy(parsePolicy(JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Tagged', Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/Team': 'a' }, Bool: { 'aws:SecureTransport': 'true' } } },
        { Sid: 'Home', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' },
        { Sid: 'Again', Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:principaltag/team': 'b' } } },
      ],
    }), { kind: 'identity' }));
    const d = evaluate({ identity: [{ id: 'p', policy }] }, { principal: alice, action: 's3:GetObject', resource: 'arn:aws:s3:::b/alice/k', context: createRequestContext({}) });
    expect(d.decision).toBe('ImplicitDeny');
    expect(d.deniedBy).toBe('identity');
    expect(d.missingContextKeys).toEqual(['aws:PrincipalTag/Team', 'aws:SecureTransport', 'aws:username']);
  });
});

describe('condition value parsers', () => {
  it('reads IPv4, IPv6 and CIDRs strictly', () => {
    for (const ok of ['10.0.0.1', '0.0.0.0/0', '2001:db8::/32', '::1', '::', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8', '2001:db8::1.2.3.4']) expect(parseBlock(ok), ok).toBeDefined();
    for (const bad of ['10.0.0', '10.0.0.256', '01.0.0.1', '10.0.0.0/33', '2001:db8::/129', '1::2::3', '1:2:3:4:5:6:7:8:9', 'abc', '', '10.0.0.0/', '10.0.0.0/08', ' 10.0.0.1']) expect(parseBlock(bad), bad).toBeUndefined();
    expect(parseAddress('::ffff:10.1.2.3')?.v4).toBe(true);
  });

  it('reads ISO 8601 in UTC unless an offset is given, and epoch seconds', () => {
    expect(parseDate('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDate('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDate('2026-01-01T02:00:00+02:00')).toBe(Date.UTC(2026, 0, 1));
    expect(parseDate('2026-01-01T00:00:00.250Z')).toBe(Date.UTC(2026, 0, 1) + 250);
    expect(parseDate('1767225600')).toBe(Date.UTC(2026, 0, 1));
    for (const bad of ['2026-02-30', '2026-13-01', 'yesterday', '2026-01-01T24:00:00Z', '']) expect(parseDate(bad), bad).toBeUndefined();
  });
});
