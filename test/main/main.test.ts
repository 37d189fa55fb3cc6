/**
 * `npm start` as a user runs it: the real entry point in a child process, with its own data and
 * keys directories. First start generates keys (with the warning) and the first account, whose
 * secret goes to a 0600 file and never to the log; production refuses to start without keys;
 * configuration problems are all listed; SIGTERM shuts down cleanly.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scratchDatabase } from '../helpers/scratch-database.js';
import { freePort } from '../helpers/free-port.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'latchkey-main-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Run {
  const child = spawn(TSX, ['src/main.ts'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out');
}

describe('npm start (src/main.ts)', () => {
  test('first start: dev keys with a warning, first account, secret only in a 0600 file, ready, clean shutdown', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const run = start({ PORT: String(port), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 45_000);
    } catch (err) {
      run.child.kill('SIGKILL');
      throw new Error(`did not become ready: ${run.output()}`, { cause: err });
    }
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const creds = JSON.parse(await readFile(join(dir, 'data', 'root-credentials.json'), 'utf8')) as Record<string, string>;
    expect(creds.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(creds.AccountId).toMatch(/^\d{12}$/);
    expect((await stat(join(dir, 'data', 'root-credentials.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'keys', 'keyring.json'))).mode & 0o777).toBe(0o600);

    // Unsigned requests are refused with AWS's error and a request id.
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'Action=ListUsers&Version=2010-05-08', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const out = run.output();
    expect(out).toContain('DEVELOPMENT KEYS GENERATED');
    expect(out).toContain('root-credentials.json');
    expect(out).toContain('"msg":"stopped"');
    expect(out).not.toContain(creds.SecretAccessKey);
    for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  }, 90_000);

  test('production without keys refuses to start', async () => {
    const dir = await tempDir();
    const run = start({ NODE_ENV: 'production', PORT: String(await freePort()), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('refusing to run with generated keys');
  }, 30_000);

  test('configuration problems are all listed, secrets never echoed', async () => {
    const run = start({ PORT: 'eighty', LOG_LEVEL: 'loud', STS_ROOT_SECRET_ACCESS_KEY: 'not-a-secret-but-never-echoed' });
    expect(await run.exited).toBe(2);
    const out = run.output();
    expect(out).toContain('PORT must be');
    expect(out).toContain('LOG_LEVEL must be');
    expect(out).toContain('must be set together');
    expect(out).not.toContain('not-a-secret-but-never-echoed');
  }, 30_000);

  test('WORKERS above 1 without DATABASE_URL is a configuration problem (the embedded database lives in one process)', async () => {
    const run = start({ WORKERS: '2', PORT: String(await freePort()) });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('WORKERS above 1 needs DATABASE_URL');
  }, 30_000);

  // Several processes need PostgreSQL (LATCHKEY_TEST_POSTGRES_URL, set by .ci/run).
  test.skipIf(!pgUrl)('WORKERS=2 on PostgreSQL: both processes serve the port, see each other\'s changes, a dead one is replaced, SIGTERM stops all', async () => {
    const db = await scratchDatabase(pgUrl ?? '', 'latchkey_main');
    const dir = await tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const run = start({ WORKERS: '2', PORT: String(port), DATABASE_URL: db.url, DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') });
    const clients: { destroy(): void }[] = [];
    try {
      await waitFor(async () => (run.output().match(/"msg":"listening"/g) ?? []).length === 2 && (await fetch(`${url}/readyz`)).status === 200, 45_000);
      const creds = JSON.parse(await readFile(join(dir, 'data', 'root-credentials.json'), 'utf8')) as Record<string, string>;
      const root = { accessKeyId: creds.AccessKeyId ?? '', secretAccessKey: creds.SecretAccessKey ?? '' };
      // A client per call: a new connection each time, which the primary hands to the workers in turn.
      const call = async <T,>(make: () => T & { destroy(): void }, send: (c: T) => Promise<unknown>): Promise<string> => {
        const c = make();
        clients.push(c);
        try {
          await send(c);
          return 'ok';
        } catch (err) {
          return (err as Error).name;
        } finally {
          c.destroy();
        }
      };
      const sts = (credentials: { accessKeyId: string; secretAccessKey: string }) => () => new STSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
      for (let i = 0; i < 10; i++) expect(await call(sts(root), (c) => c.send(new GetCallerIdentityCommand({})))).toBe('ok');
      const servedBy = new Set([...run.output().matchAll(/"msg":"request".*"worker":(\d+)/g)].map((m) => m[1]));
      expect([...servedBy].sort()).toEqual(['1', '2']);

      // A key deactivated through one worker is refused by both (each is a node with its own caches).
      const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: root, maxAttempts: 1 });
      clients.push(iam);
      await iam.send(new CreateUserCommand({ UserName: 'w' }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'w' }));
      const key = { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
      for (let i = 0; i < 6; i++) expect(await call(sts(key), (c) => c.send(new GetCallerIdentityCommand({})))).toBe('ok');
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'w', AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
      const refusedBy = async () => {
        for (let i = 0; i < 6; i++) if ((await call(sts(key), (c) => c.send(new GetCallerIdentityCommand({})))) !== 'InvalidClientTokenId') return false;
        return true;
      };
      await waitFor(refusedBy, 5_000);

      // A worker that dies is replaced and the port keeps answering.
      const before = (run.output().match(/"msg":"listening"/g) ?? []).length;
      const ids = [...run.output().matchAll(/"msg":"listening".*"worker":(\d+)/g)].map((m) => m[1]);
      expect(ids).toHaveLength(2);
      const pids = await workerPids(run.child.pid ?? 0);
      expect(pids).toHaveLength(2);
      process.kill(pids[0] ?? 0, 'SIGKILL');
      await waitFor(async () => (run.output().match(/"msg":"listening"/g) ?? []).length === before + 1, 30_000);
      expect(run.output()).toContain('"msg":"worker exited"');
      expect(await call(sts(root), (c) => c.send(new GetCallerIdentityCommand({})))).toBe('ok');

      const serving = await workerPids(run.child.pid ?? 0);
      expect(serving).toHaveLength(2);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      // No worker outlives the primary.
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await waitFor(async () => serving.every((pid) => !alive(pid)), 5_000);
      expect((run.output().match(/"msg":"stopped"/g) ?? []).length).toBe(3);
    } finally {
      for (const c of clients) c.destroy();
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await db.drop();
    }
  }, 120_000);
});

const pgUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;


/** The worker processes of the server started as `pid` (tsx runs the primary as its child). */
async function workerPids(pid: number): Promise<number[]> {
  const children = async (p: number): Promise<number[]> => {
    try {
      const text = await readFile(`/proc/${p}/task/${p}/children`, 'utf8');
      return text.trim() === '' ? [] : text.trim().split(/\s+/).map(Number);
    } catch {
      return [];
    }
  };
  // spawn → tsx → node (the primary) → its workers.
  let level = [pid];
  for (let depth = 0; depth < 4; depth++) {
    const next = (await Promise.all(level.map(children))).flat();
    if (next.length === 0) return depth >= 2 ? level : [];
    level = next;
  }
  return level;
}
