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
import { sql } from 'drizzle-orm';
import { DEFAULT_MAX_CHARS } from '../../src/policy/cache.js';
import { rowsOf, type Store } from '../../src/store/db.js';
import { describe, expect, test } from 'vitest';
import { type TestService, useService } from '../helpers/service.js';
import { TINY_POLICY } from '../negative/minimal-params.js';
import { largePolicy } from './large-policy.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let svc: TestService;
useService((s) => ({ svc } = s));

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
    expect(svc.service.registry.policyCache.chars).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
  });

  // PostgreSQL answered 500 (deadlock detected, 40P01) to AttachRolePolicy, PutRolePermissionsBoundary,
  // SetDefaultPolicyVersion and DeletePolicy racing on one role and policy: AttachRolePolicy locks
  // the policy, then the role; PutRolePermissionsBoundary updates the role, whose foreign key then
  // locks the policy. The same two lock orders, forced to meet:
  test('two write transactions that deadlock both complete: PostgreSQL aborts one, the service runs it again', async (ctx) => {
    if (svc.store.backend !== 'postgres') ctx.skip(); // PGlite runs one transaction at a time: nothing to deadlock
    const iam = svc.iam();
    await iam.send(new CreateRoleCommand({ RoleName: 'lock-race', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'lock-race', PolicyDocument: TINY_POLICY }));
    const [role] = rowsOf<{ id: string }>(await svc.store.db.execute(sql`select id from roles where name = 'lock-race'`));
    const [policy] = rowsOf<{ id: string }>(await svc.store.db.execute(sql`select id from managed_policies where name = 'lock-race'`));
    const lockRole = sql`select id from roles where id = ${role?.id} for update`;
    const lockPolicy = sql`select id from managed_policies where id = ${policy?.id} for update`;

    const race = (store: Store) => {
      const runs = { a: 0, b: 0 };
      let arrived = 0;
      let release: () => void = () => {};
      const bothHere = new Promise<void>((resolve) => (release = resolve));
      // The first run of each holds its first lock until the other holds its own.
      const meet = async () => {
        if (++arrived === 2) release();
        await bothHere;
      };
      const a = store.tx(async (t) => {
        runs.a++;
        await t.execute(lockRole);
        if (runs.a === 1) await meet();
        await t.execute(lockPolicy);
      });
      const b = store.tx(async (t) => {
        runs.b++;
        await t.execute(lockPolicy);
        if (runs.b === 1) await meet();
        await t.execute(lockRole);
      });
      return { done: Promise.all([a, b]), runs };
    };

    // The store alone: PostgreSQL breaks the deadlock by aborting one of the two.
    const bare = race(svc.store);
    await expect(bare.done).rejects.toMatchObject({ cause: { code: '40P01' } });
    await Promise.allSettled([bare.done]);
    // The store the service writes through: the aborted one runs again, and both complete.
    const retried = race(svc.service.deps.store);
    await retried.done;
    expect(retried.runs.a + retried.runs.b).toBe(3);
  });
});
