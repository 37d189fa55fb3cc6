/**
 * The operator's CLI, every command run in-process through runCli (src/cli/run.ts) with only the
 * given environment, against a temporary DATA_DIR and KEYS_DIR, or, on the PostgreSQL project, a
 * fresh empty database. The journey shares one database and runs in order. That src/cli.ts wires
 * runCli to a real process (argv, environment, exit status) is checked by spawn.test.ts.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { accessKeyAad } from '../../src/auth/authenticate.js';
import { runCli } from '../../src/cli/run.js';
import { migrationFiles } from '../../src/store/migrations.js';
import { findAccessKeyOwner } from '../../src/store/access-keys.js';
import { openStore } from '../../src/store/db.js';
import { insertAuditEvents } from '../../src/store/audit.js';
import { insertRole } from '../../src/store/roles.js';
import { Keyring } from '../../src/tokens/keyring.js';
import { readKeys } from '../../src/tokens/keys-dir.js';
import { adminUrl, dropDatabase as dropScratch } from '../helpers/pg-names.js';
import { backend } from '../helpers/store.js';

const SLOW = 90_000;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `latchkey …` in-process, with only the environment given (never the test runner's). */
async function cli(args: readonly string[], env: Record<string, string>): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { env, out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'latchkey-cli-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('cli: usage and refusals', () => {
  test('usage errors exit 2 with the usage on stderr; help exits 0 and warns about the embedded database', async () => {
    const env = { DATA_DIR: join(tmp, 'unused'), KEYS_DIR: join(tmp, 'unused-keys') };
    const [none, unknown, badFlag, badConfig, help] = await Promise.all([
      cli([], env),
      cli(['frobnicate'], env),
      cli(['accounts', 'create', '--bogus', 'x'], env),
      cli(['migrate'], { ...env, DATABASE_URL: 'mysql://localhost/x' }),
      cli(['help'], env),
    ]);
    for (const [ran, problem] of [[none, 'no command given'], [unknown, "unknown command 'frobnicate'"], [badFlag, 'accounts create: unknown flag --bogus']] as const) {
      expect(ran.code).toBe(2);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toContain(`latchkey: ${problem}`);
      expect(ran.stderr).toContain('Usage:');
    }
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('do NOT run this command while the server is running');
    expect(existsSync(join(tmp, 'unused'))).toBe(false);
  }, SLOW);

  test('in production, commands that seal secrets refuse to run without keys, before touching the database', async () => {
    const env = { NODE_ENV: 'production', DATA_DIR: join(tmp, 'prod'), KEYS_DIR: join(tmp, 'prod-keys') };
    const ran = await Promise.all([cli(['bootstrap'], env), cli(['accounts', 'create'], env)]);
    for (const r of ran) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('NODE_ENV=production and no keys in');
      expect(r.stderr).toContain('npm run keys:rotate');
    }
    expect(existsSync(join(tmp, 'prod'))).toBe(false);
    expect(existsSync(join(tmp, 'prod-keys'))).toBe(false);
  }, SLOW);
});

describe(`cli: a journey on ${backend}`, () => {
  let env: Record<string, string>;
  let dropDatabase: (() => Promise<void>) | undefined;
  let root: { AccountId: string; AccessKeyId: string; SecretAccessKey: string };

  beforeAll(async () => {
    const keysDir = join(tmp, 'keys');
    const url = process.env.LATCHKEY_TEST_DATABASE_URL;
    if (!url) {
      env = { DATA_DIR: join(tmp, 'data'), KEYS_DIR: keysDir };
      return;
    }
    // An empty database (not the migrated template): `migrate` must do the work.
    const postgres = (await import('postgres')).default;
    const admin = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
    const name = `latchkey_cli_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`create database "${name}"`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    env = { DATABASE_URL: u.toString(), KEYS_DIR: keysDir };
    dropDatabase = async () => {
      await dropScratch(admin, name);
      await admin.end();
    };
  });
  afterAll(async () => {
    await dropDatabase?.();
  });

  test('commands other than migrate refuse an unmigrated database; migrate applies every migration, then is up to date', async () => {
    const early = await cli(['accounts', 'list'], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(backend === 'pglite' ? /no database in .*: run `npm run migrate` first/ : /the database is not migrated: run `npm run migrate` first/);

    const tags = (await migrationFiles()).map((f) => f.tag);
    const first = await cli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter((l) => l.startsWith('applied '))).toEqual(tags.map((t) => `applied ${t}`));
    expect(first.stdout).toMatch(/: up to date \(\d+ migrations?\)\n$/);
    const again = await cli(['migrate'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('applied');
    expect(again.stdout).toContain('already up to date');
  }, SLOW);

  test('bootstrap creates the first account once (honouring STS_ACCOUNT_ID) and prints its root key once', async () => {
    const first = await cli(['bootstrap'], { ...env, STS_ACCOUNT_ID: '210987654321' });
    expect(first.code, first.stderr).toBe(0);
    root = JSON.parse(first.stdout) as typeof root;
    expect(root).toEqual({ AccountId: '210987654321', AccessKeyId: expect.stringMatching(/^AKIA[A-Z2-7]{16}$/), SecretAccessKey: expect.stringMatching(/^[A-Za-z0-9/+]{40}$/) });
    expect(first.stderr).toContain('DEVELOPMENT KEYS GENERATED');
    expect(first.stderr).not.toContain(root.SecretAccessKey);

    const second = await cli(['bootstrap'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain('an account already exists');
  }, SLOW);

  test('accounts create prints a new root key once; a taken id and a foreign KEYS_DIR are refused; accounts list shows no secrets', async () => {
    const created = await cli(['accounts', 'create', '--id', '123456789012', '--alias', 'ops'], env);
    expect(created.code, created.stderr).toBe(0);
    const account = JSON.parse(created.stdout) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
    expect(account.AccountId).toBe('123456789012');
    expect(account.SecretAccessKey).toMatch(/^[A-Za-z0-9/+]{40}$/);

    const [taken, foreignKeys] = [await cli(['accounts', 'create', '--id', '123456789012'], env), await cli(['accounts', 'create'], { ...env, KEYS_DIR: join(tmp, 'elsewhere') })];
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('account 123456789012 already exists');
    const aliasTaken = await cli(['accounts', 'create', '--alias', 'ops'], env);
    expect(aliasTaken.code).toBe(1);
    expect(aliasTaken.stderr).toContain('the alias ops belongs to another account');
    expect(foreignKeys.code).toBe(1);
    expect(foreignKeys.stderr).toContain('the database already holds accounts');
    expect(existsSync(join(tmp, 'elsewhere'))).toBe(false);

    const list = await cli(['accounts', 'list'], env);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { AccountId: string; Alias: string | null; Created: string }[];
    expect(rows.map((r) => [r.AccountId, r.Alias])).toEqual([
      ['210987654321', null],
      ['123456789012', 'ops'],
    ]);
    for (const r of rows) expect(Number.isNaN(Date.parse(r.Created))).toBe(false);
    for (const secret of [root.SecretAccessKey, account.SecretAccessKey]) expect(list.stdout + list.stderr).not.toContain(secret);
    expect(list.stdout).not.toContain('Secret');
  }, SLOW);

  test('keys rotate adds a sealing key and keeps old secrets openable; the stored root key is sealed, never plain', async () => {
    const keysDir = env.KEYS_DIR as string;
    const before = new Keyring((await readKeys(keysDir)) ?? []);
    const sealedBefore = before.seal('sealed before the rotation', 'test:rotation');
    const keyFile = await readFile(join(keysDir, 'keyring.json'), 'utf8');

    const rotated = await cli(['keys', 'rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const out = JSON.parse(rotated.stdout) as { Kid: string; KeyCount: number };
    expect(out.KeyCount).toBe(2);
    expect(out.Kid).not.toBe(before.activeKid);
    for (const material of [...keyFile.matchAll(/"key": "([^"]+)"/g)].map((m) => m[1] as string)) expect(rotated.stdout + rotated.stderr).not.toContain(material);

    const after = new Keyring((await readKeys(keysDir)) ?? []);
    expect(after.activeKid).toBe(out.Kid);
    expect(after.open(sealedBefore, 'test:rotation')?.toString()).toBe('sealed before the rotation');
    expect(before.open(after.seal('new', 'test:rotation'), 'test:rotation')).toBeUndefined();

    // The root key bootstrap stored is sealed under the old key and still opens with the new ring.
    const store = await openStore(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: join(env.DATA_DIR as string, 'pglite') });
    try {
      const owner = await findAccessKeyOwner(store.db, root.AccessKeyId);
      expect(owner?.accountId).toBe(root.AccountId);
      const sealed = owner?.secretSealed ?? '';
      expect(sealed).not.toContain(root.SecretAccessKey);
      expect(after.open(sealed, accessKeyAad(root.AccessKeyId))?.toString()).toBe(root.SecretAccessKey);
    } finally {
      await store.close();
    }
  }, SLOW);

  test('sessions revoke-role, sessions revoke and audit: the operator revokes from the trail and reads it back, newest first', async () => {
    const jti = randomUUID();
    const issuedAt = new Date(Date.now() - 60_000);
    const expiration = new Date(issuedAt.getTime() + 900_000);
    // A role, and the audit event of a session's issuance, as the server would have left them.
    const store = await openStore(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: join(env.DATA_DIR as string, 'pglite') });
    try {
      await insertRole(store.db, { id: 'AROAEXAMPLEEXAMPLE123', accountId: root.AccountId, name: 'ops-role', path: '/', createdAt: issuedAt, trustPolicy: '{"Version":"2012-10-17","Statement":[]}', description: null, maxSessionDuration: 3600, boundaryPolicyId: null });
      await insertAuditEvents(store.db, [
        {
          id: `issuance-${jti}`,
          at: issuedAt,
          accountId: root.AccountId,
          requestId: 'req-issuance',
          action: 'sts:GetSessionToken',
          principalArn: `arn:aws:iam::${root.AccountId}:root`,
          accessKeyId: root.AccessKeyId,
          sourceIp: '127.0.0.1',
          userAgent: 'test',
          decision: 'allow',
          errorCode: null,
          sourceIdentity: null,
          resource: `arn:aws:iam::${root.AccountId}:root`,
          details: JSON.stringify({ accessKeyId: 'ASIAEXAMPLEEXAMPLE12', jti, expiration: expiration.toISOString() }),
        },
      ]);
    } finally {
      await store.close();
    }

    const role = await cli(['sessions', 'revoke-role', '--account', root.AccountId, '--role', 'ops-role'], env);
    expect(role.code, role.stderr).toBe(0);
    const put = JSON.parse(role.stdout) as { RoleArn: string; PolicyName: string; RevokedBefore: string; PolicyDocument: unknown };
    expect(put).toMatchObject({ RoleArn: `arn:aws:iam::${root.AccountId}:role/ops-role`, PolicyName: 'AWSRevokeOlderSessions' });
    expect(put.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': put.RevokedBefore } } }],
    });

    const one = await cli(['sessions', 'revoke', '--account', root.AccountId, '--jti', jti], env);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ AccountId: root.AccountId, Jti: jti, ExpiresAt: expiration.toISOString(), AlreadyRevoked: false });
    expect(one.stderr).toBe('');

    const unknownJti = randomUUID();
    const [untracked, noRole, noAccount] = [
      await cli(['sessions', 'revoke', '--account', root.AccountId, '--jti', unknownJti], env),
      await cli(['sessions', 'revoke-role', '--account', root.AccountId, '--role', 'no-such-role'], env),
      await cli(['sessions', 'revoke', '--account', '999999999999', '--jti', jti], env),
    ];
    expect(untracked.code).toBe(0);
    expect(untracked.stderr).toContain(`no issuance of session ${unknownJti} in account ${root.AccountId}'s audit trail: revoked anyway`);
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('The role with name no-such-role cannot be found.');
    expect(noAccount.code).toBe(1);
    expect(noAccount.stderr).toContain('no account 999999999999');

    const audit = await cli(['audit', '--account', root.AccountId], env);
    expect(audit.code, audit.stderr).toBe(0);
    const events = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { EventTime: string; Action: string; Decision: string; Resource: string | null; Details: Record<string, unknown> });
    expect(events.map((e) => e.Action)).toEqual(['latchkey:RevokeSession', 'latchkey:RevokeSession', 'iam:PutRolePolicy', 'sts:GetSessionToken']);
    expect(events.map((e) => e.EventTime)).toEqual([...events.map((e) => e.EventTime)].sort().reverse());
    expect(events[1]).toMatchObject({ Decision: 'allow', Resource: `arn:aws:iam::${root.AccountId}:root`, Details: { jti, issuanceRequestId: 'req-issuance' } });
    expect(events[3]?.Details).toMatchObject({ jti });

    const filtered = await cli(['audit', '--account', root.AccountId, '--action', 'iam:*', '--limit', '1'], env);
    expect(filtered.code, filtered.stderr).toBe(0);
    expect(filtered.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { Action: string }).Action)).toEqual(['iam:PutRolePolicy']);
    expect(filtered.stderr).toContain('showing the newest 1 events');
    const none = await cli(['audit', '--since', new Date(Date.now() + 3_600_000).toISOString()], env);
    expect([none.code, none.stdout]).toEqual([0, '']);
  }, SLOW);

  test.skipIf(backend === 'postgres')('the embedded database is refused while another live process holds its lock; a stale lock is taken over', async () => {
    const dataDir = env.DATA_DIR as string;
    const lock = join(dataDir, 'pglite.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, holder: 'latchkey server', since: new Date().toISOString() }));
    const refused = await cli(['accounts', 'list'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the embedded database is in use by process ${process.pid} (latchkey server`);

    // The pid of a process that has exited.
    const deadPid = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('close', () => resolve(child.pid ?? 0));
    });
    await writeFile(lock, JSON.stringify({ pid: deadPid, holder: 'latchkey accounts list', since: new Date().toISOString() }));
    const taken = await cli(['accounts', 'list'], env);
    expect(taken.code, taken.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  }, SLOW);
});
