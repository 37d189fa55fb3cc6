/**
 * Generated hostile requests through the real service over HTTP (test/fuzz/requests.ts): validly
 * signed by root, by an IAM user allowed everything, by one allowed nothing and by a session,
 * with hostile parameters for any operation (IAM mutations most often); unsigned, federation
 * actions among them; random bytes and broken form encoding; hostile Authorization headers;
 * signatures damaged after signing. For every one:
 *
 *   - never a 5xx;
 *   - an error is AWS's ErrorResponse with a code from the error table, at that code's status;
 *     a success is the operation's XML;
 *   - a rejected request changed nothing: every table but the audit trail (and last-used times)
 *     reads the same before and after it;
 *   - nothing reached the log as an unexpected failure.
 *
 * Fixed seed (LATCHKEY_FUZZ_SEED to change it; fast-check prints it with any counterexample).
 */
import { CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import type { Agent } from 'node:http';
import { afterAll, describe, expect, test } from 'vitest';
import { loadServices } from '../../src/protocol/index.js';
import { rowsOf } from '../../src/store/db.js';
import { allow, type TestService, useService } from '../helpers/service.js';
import { TINY_POLICY } from '../negative/minimal-params.js';
import { createAgent, send } from '../negative/wire.js';
import { replyProblem, requestPlan, toWire, UNKNOWN_KEY, type Keys } from './requests.js';
import { fuzzParams } from './settings.js';

const services = loadServices();
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let svc: TestService;
let agent: Agent;
let keys: Keys;

useService(async (s) => {
  svc = s.svc;
  agent = createAgent(4);
  const admin = await svc.userWithPolicy('fuzz-admin', allow('*'));
  const denied = await svc.userWithPolicy('fuzz-denied');
  const { Credentials: c } = await svc.sts(admin).send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('GetSessionToken returned no credentials');
  keys = { root: svc.root, admin, denied, session: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, unknown: UNKNOWN_KEY };
  // What the generated parameters name (test/negative/minimal-params.ts), so mutations find their targets.
  const iam = svc.iam();
  await iam.send(new CreateUserCommand({ UserName: 'negative' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'negative' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'negative', AssumeRolePolicyDocument: TRUST }));
  await iam.send(new CreatePolicyCommand({ PolicyName: 'negative-policy', PolicyDocument: TINY_POLICY }));
});
// Registered after useService, so it runs before the service closes.
afterAll(() => {
  agent?.destroy();
});

/**
 * Every table's rows, hashed per table: all but the audit trail (denials are recorded there, by
 * design) and the last-used columns (a signed request records its key's use, as AWS does).
 */
async function snapshot(): Promise<Record<string, string>> {
  const tables = rowsOf<{ name: string }>(
    await svc.store.db.execute(sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'audit_events' order by 1`),
  ).map((r) => r.name);
  const parts = tables.map(
    (t) =>
      sql`select ${t} as name, md5(coalesce(string_agg(r, E'\n' order by r), '')) as digest from (select (to_jsonb(x) - 'last_used_at' - 'last_used_region' - 'last_used_service')::text as r from ${sql.identifier(t)} x) rows`,
  );
  const rows = rowsOf<{ name: string; digest: string }>(await svc.store.db.execute(sql.join(parts, sql` union all `)));
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

describe('hostile requests through the service', () => {
  test('never a 5xx, always AWS\'s response shapes, and a rejected request changes nothing', async () => {
    let before = await snapshot();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['users', 'roles', 'access_keys', 'inline_policies', 'tags']));
    const statuses = new Map<number, number>();
    let changes = 0;
    await fc.assert(
      fc.asyncProperty(requestPlan(services, svc.account.accountId), async (plan) => {
        const wire = await toWire(plan, svc.url, keys);
        const reply = await send(svc.url, wire, agent);
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expect(replyProblem(reply.status, reply.body, reply.requestId), `${reply.status} ${wire.method} ${wire.target.length}`).toBeUndefined();
        const after = await snapshot();
        if (reply.status >= 400) expect(after, `${reply.code ?? ''} changed the account's state`).toEqual(before);
        else if (JSON.stringify(after) !== JSON.stringify(before)) changes++;
        before = after;
      }),
      fuzzParams(300, { shrink: false }),
    );
    // A run of the default size reaches both outcomes (some requests go through, most are
    // refused), and the snapshot sees a change when there is one, so its sameness after a refusal
    // means something. (A few runs, with LATCHKEY_FUZZ_RUNS, may not.)
    const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
    if (ok + refused >= 200) {
      expect(changes).toBeGreaterThan(0);
      expect(ok).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(ok);
    }
    expect(svc.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });
});
