/**
 * Failures `npm run fuzz` found, each kept as the named test of its fix (both backends).
 */
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  SimulateCustomPolicyCommand,
  TagPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { DEFAULT_MAX_CHARS } from '../../src/policy/cache.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startService, type TestService } from '../helpers/service.js';
import { TINY_POLICY } from '../negative/minimal-params.js';
import { largePolicy } from './large-policy.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let svc: TestService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.close();
});

describe('regressions found by npm run fuzz', () => {
  // PostgreSQL answered 500 (unique violation 23505 on tags): two transactions both deleted the
  // key (nothing there yet), then both inserted it.
  test('concurrent TagUser, TagRole and TagPolicy with the same key all succeed, and one value wins', async () => {
    const iam = svc.iam();
    await iam.send(new CreateUserCommand({ UserName: 'tag-race' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'tag-race', AssumeRolePolicyDocument: TRUST }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'tag-race', PolicyDocument: TINY_POLICY }));
    const policyArn = Policy?.Arn ?? '';
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
    // Keys that differ only in case are one key to IAM: the upsert must treat them so too.
    const key = (i: number) => (i % 2 === 0 ? 'team' : 'TEAM');
    const results = await Promise.allSettled(
      values.flatMap((value, i) => [
        iam.send(new TagUserCommand({ UserName: 'tag-race', Tags: [{ Key: key(i), Value: value }] })),
        iam.send(new TagRoleCommand({ RoleName: 'tag-race', Tags: [{ Key: key(i), Value: value }] })),
        iam.send(new TagPolicyCommand({ PolicyArn: policyArn, Tags: [{ Key: key(i), Value: value }] })),
      ]),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const tags = [
      (await iam.send(new ListUserTagsCommand({ UserName: 'tag-race' }))).Tags,
      (await iam.send(new ListRoleTagsCommand({ RoleName: 'tag-race' }))).Tags,
      (await iam.send(new ListPolicyTagsCommand({ PolicyArn: policyArn }))).Tags,
    ];
    for (const list of tags) {
      expect(list).toHaveLength(1);
      expect(['team', 'TEAM']).toContain(list?.[0]?.Key);
      expect(values).toContain(list?.[0]?.Value);
    }
    expect(svc.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });

  // Each 128 KiB document compiles to about 2.5 MiB, and the cache kept 10,000 of them.
  test('SimulateCustomPolicy with many large distinct documents leaves the policy cache within its size bound', async () => {
    const iam = svc.iam();
    const docs = Array.from({ length: 36 }, (_, i) => largePolicy(1_000 + i, 120_000));
    expect(docs.reduce((n, d) => n + d.length, 0)).toBeGreaterThan(DEFAULT_MAX_CHARS);
    for (const [i, doc] of docs.entries()) {
      const request = { PolicyInputList: [doc], ActionNames: ['iam:Get0Thing'], ResourceArns: [`arn:aws:s3:::b${1_000 + i}/0/x`] };
      const { EvaluationResults } = await iam.send(new SimulateCustomPolicyCommand(request));
      expect(EvaluationResults?.[0]?.EvalDecision).toBe('allowed');
    }
    expect(svc.service.deps.policyCache.chars).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
  });
});
