/**
 * `npm start` as a user runs it: the real entry point in a child process, with its own data and
 * keys directories. First start generates keys (with the warning) and the first account, whose
 * secret goes to a 0600 file and never to the log; production refuses to start without keys;
 * configuration problems are all listed; SIGTERM shuts down cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

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
});
