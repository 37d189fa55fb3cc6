/**
 * `npm start` as a user runs it (the README's Quick start): the real entry point in a child
 * process, with its own data and keys directories. First start generates keys (with the warning) and the first account, whose
 * secret goes to a 0600 file and never to the log; production refuses to start without keys;
 * configuration problems are all listed; SIGTERM shuts down cleanly.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, test } from 'vitest';
import { scratchDatabase } from '../helpers/scratch-database.js';
import { freePort } from '../helpers/free-port.js';
import { alive, exitWithin, nothingListening, npmStart, slowGetCallerIdentity, tempDir as makeTempDir, waitFor, type Run } from './processes.js';

const dirs: string[] = [];
const tempDir = () => makeTempDir('latchkey-main-', dirs);

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** `npm start` with `env`; `exited` is its exit status. */
function start(env: Record<string, string>): Omit<Run, 'exited'> & { exited: Promise<number | null> } {
  const r = npmStart(env);
  return { ...r, exited: r.exited.then((e) => e.code) };
}

/** The server's log lines: npm's banner (`> latchkey@… start`, `> exec node …`) left out. */
const logLines = (out: string) => out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('> '));

describe('npm start (src/main.ts)', () => {
  test('first start: dev keys with a warning, first account, secret only in a 0600 file, ready, clean shutdown', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const run = start({ PORT: String(port), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 45_000);
    } catch (err) {
      run.killAll();
      throw new Error(`did not become ready: ${run.output()}`, { cause: err });
    }
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Metrics are off by default: 404, like any unknown path.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
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
    expect(out).toContain('"msg":"metrics are off"');
    expect(out).not.toContain(creds.SecretAccessKey);
    for (const line of logLines(out)) expect(() => JSON.parse(line)).not.toThrow();
  }, 90_000);

  test('METRICS_TOKEN: /metrics needs the bearer token, serves the package version, and the token is never logged', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const token = 'process-metrics-token-0123456789abcdef';
    const run = start({ PORT: String(port), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys'), METRICS_TOKEN: token });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 45_000);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      expect(await r.text()).toContain(`latchkey_build_info{version="${version}"} 1`);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    const out = run.output();
    expect(out).toContain('"msg":"metrics at /metrics"');
    expect(out).not.toContain(token);
  }, 90_000);

  test('production without keys refuses to start', async () => {
    const dir = await tempDir();
    const run = start({ NODE_ENV: 'production', PORT: String(await freePort()), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('refusing to run with generated keys');
  }, 30_000);

  test('configuration problems are all listed, secrets never echoed', async () => {
    const run = start({ PORT: 'eighty', LOG_LEVEL: 'loud', STS_ROOT_SECRET_ACCESS_KEY: 'not-a-secret-but-never-echoed', METRICS_TOKEN: 'short-metrics-token-hidden' });
    expect(await run.exited).toBe(2);
    const out = run.output();
    expect(out).not.toContain('short-metrics-token-hidden');
    expect(out).toContain('METRICS_TOKEN must be at least 32');
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
      const pids = await workerPids(run.pid);
      expect(pids).toHaveLength(2);
      process.kill(pids[0] ?? 0, 'SIGKILL');
      await waitFor(async () => (run.output().match(/"msg":"listening"/g) ?? []).length === before + 1, 30_000);
      expect(run.output()).toContain('"msg":"worker exited"');
      expect(await call(sts(root), (c) => c.send(new GetCallerIdentityCommand({})))).toBe('ok');

      const serving = await workerPids(run.pid);
      expect(serving).toHaveLength(2);
      // SIGTERM to the process npm start started (npm): a request in flight in a worker finishes.
      const inFlight = await slowGetCallerIdentity(url, root);
      await new Promise((r) => setTimeout(r, 300));
      run.child.kill('SIGTERM');
      await waitFor(async () => (run.output().match(/"msg":"shutting down"/g) ?? []).length === 3, 10_000, 'every process shutting down');
      await waitFor(() => nothingListening(port), 5_000, 'the port to close');
      expect(run.child.exitCode).toBe(null);
      inFlight.finish();
      expect((await inFlight.response).status).toBe(200);
      expect(await run.exited).toBe(0);
      // No worker outlives the primary.
      await waitFor(async () => serving.every((pid) => !alive(pid)), 5_000);
      expect((run.output().match(/"msg":"stopped"/g) ?? []).length).toBe(3);
    } finally {
      for (const c of clients) c.destroy();
      run.killAll();
      await db.drop();
    }
  }, 120_000);
});

const pgUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

describe('npm start, WORKERS=2 on PostgreSQL', () => {
  test.skipIf(!pgUrl)('busy port: one line, exit status 2, nothing created (no keys, no root-credentials.json, no table in the database)', async () => {
    const db = await scratchDatabase(pgUrl ?? '', 'latchkey_main');
    const dir = await tempDir();
    const held = createServer(() => {});
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', () => resolve()));
    const addr = held.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const r = npmStart({ WORKERS: '2', PORT: String(port), DATABASE_URL: db.url, DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') });
      expect(await exitWithin(r, 30_000)).toEqual({ code: 2, signal: null });
      expect(r.stderr()).toBe(`latchkey: cannot listen on 127.0.0.1:${port}: the address is already in use\n`);
      expect(await readdir(dir)).toEqual([]);
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`;
      expect(row?.n).toBe(0);
    } finally {
      held.close();
      await sql.end();
      await db.drop();
    }
  }, 60_000);
});

/** The worker processes of the server started as `pid`: npm → node (the primary) → its workers. */
async function workerPids(pid: number): Promise<number[]> {
  const children = async (p: number): Promise<number[]> => {
    try {
      const text = await readFile(`/proc/${p}/task/${p}/children`, 'utf8');
      return text.trim() === '' ? [] : text.trim().split(/\s+/).map(Number);
    } catch {
      return [];
    }
  };
  const primary = await children(pid);
  if (primary.length !== 1) return [];
  return children(primary[0] ?? 0);
}
