/**
 * Signals to exactly the process the README tells you to start: `npm start` (development) and
 * `node dist/main.js` after `npm run build` (production), and `latchkey serve` (the bin). SIGTERM
 * or SIGINT with a request in flight: the request completes with 200, the port stops accepting
 * at once, the process exits 0, nothing is left listening, and the embedded database's lock is
 * released (a second start on the same DATA_DIR succeeds).
 */
import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { alive, buildCopy, exitWithin, nothingListening, npmStart, run, slowGetCallerIdentity, tempDir, waitFor, waitReady, type Run } from './processes.js';

const dirs: string[] = [];
let built = '';

beforeAll(async () => {
  built = await buildCopy(await tempDir('latchkey-build-', dirs));
}, 120_000);

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const exists = (path: string) => access(path).then(() => true, () => false);

interface Command {
  readonly name: string;
  readonly start: (env: Record<string, string>) => Run;
}

const NPM_START: Command = { name: 'npm start', start: (env) => npmStart(env) };
const NODE_DIST: Command = { name: 'node dist/main.js', start: (env) => run(process.execPath, [join(built, 'dist', 'main.js')], env) };
const LATCHKEY_SERVE: Command = { name: 'latchkey serve', start: (env) => run(process.execPath, [join(built, 'dist', 'cli.js'), 'serve'], env) };

/**
 * With `server` ready on `port`: put a signed request in flight, send `signal` to the pid the
 * command started, and check the drain: the port closes at once, the process waits for the
 * request, answers it 200, exits 0, and leaves no lock behind.
 */
async function stopWithRequestInFlight(server: Run, port: number, dataDir: string, signal: NodeJS.Signals): Promise<void> {
  await waitReady(server, port);
  const creds = JSON.parse(await readFile(join(dataDir, 'root-credentials.json'), 'utf8')) as Record<string, string>;
  const inFlight = await slowGetCallerIdentity(`http://127.0.0.1:${port}`, { accessKeyId: creds.AccessKeyId ?? '', secretAccessKey: creds.SecretAccessKey ?? '' });
  // The server has the headers and waits for the body.
  await new Promise((r) => setTimeout(r, 300));
  process.kill(server.pid, signal);
  await waitFor(async () => server.output().includes('"msg":"shutting down"'), 10_000, 'shutting down');
  // Draining: no new connections, but the process waits for the request it has.
  await waitFor(() => nothingListening(port), 5_000, 'the port to close');
  expect(alive(server.pid)).toBe(true);
  expect(server.output()).not.toContain('"msg":"stopped"');
  inFlight.finish();
  const res = await inFlight.response;
  expect(res.status).toBe(200);
  expect(res.body).toContain(`<Account>${creds.AccountId}</Account>`);
  expect(await exitWithin(server, 10_000)).toEqual({ code: 0, signal: null });
  expect(server.output()).toContain('"msg":"stopped"');
  expect(await nothingListening(port)).toBe(true);
  expect(await exists(join(dataDir, 'pglite.lock'))).toBe(false);
}

/** `first` stopped with `signal`, then `second` on the same DATA_DIR (its lock must be free) stopped with `secondSignal`. */
async function twoStarts(first: Command, signal: NodeJS.Signals, second: Command, secondSignal: NodeJS.Signals): Promise<void> {
  const dir = await tempDir('latchkey-stop-', dirs);
  const port = await freePort();
  const env = { PORT: String(port), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') };
  for (const [command, sig] of [
    [first, signal],
    [second, secondSignal],
  ] as const) {
    const server = command.start(env);
    try {
      await stopWithRequestInFlight(server, port, join(dir, 'data'), sig);
      expect(server.output()).not.toContain('in use by process');
    } finally {
      server.killAll();
    }
  }
}

describe('stopping the process the README starts', () => {
  test('npm start: SIGTERM to npm finishes the in-flight request, exits 0 and releases the port and the database lock; started again on the same data, SIGINT to npm does the same', async () => {
    await twoStarts(NPM_START, 'SIGTERM', NPM_START, 'SIGINT');
  }, 180_000);

  test('node dist/main.js (after npm run build): SIGTERM finishes the in-flight request, exits 0 and releases the port and the database lock; latchkey serve on the same data does the same on SIGINT', async () => {
    await twoStarts(NODE_DIST, 'SIGTERM', LATCHKEY_SERVE, 'SIGINT');
  }, 180_000);

  test('a request still in flight after the 10-second grace is cut: exit status 1, the lock released all the same', async () => {
    const dir = await tempDir('latchkey-stop-', dirs);
    const port = await freePort();
    const server = NODE_DIST.start({ PORT: String(port), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') });
    try {
      await waitReady(server, port);
      const creds = JSON.parse(await readFile(join(dir, 'data', 'root-credentials.json'), 'utf8')) as Record<string, string>;
      const stuck = await slowGetCallerIdentity(`http://127.0.0.1:${port}`, { accessKeyId: creds.AccessKeyId ?? '', secretAccessKey: creds.SecretAccessKey ?? '' });
      const outcome = stuck.response.then(
        (r) => `answered ${r.status}`,
        (err: Error) => `cut: ${err.message}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      process.kill(server.pid, 'SIGTERM');
      // The rest of the body never comes.
      expect(await exitWithin(server, 20_000)).toEqual({ code: 1, signal: null });
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(9_000);
      expect(await outcome).toMatch(/^cut: /);
      expect(server.output()).toContain('requests still in flight after the grace period were cut');
      expect(await exists(join(dir, 'data', 'pglite.lock'))).toBe(false);
      expect(await nothingListening(port)).toBe(true);
    } finally {
      server.killAll();
    }
  }, 120_000);

  test('SIGTERM while starting stops at the next step: exit 0, the lock released, never an account without its root-credentials.json', async () => {
    const dir = await tempDir('latchkey-stop-', dirs);
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') };
    const server = NODE_DIST.start(env);
    try {
      // Bound but (a first start opens and migrates the embedded database) not ready yet.
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503, 30_000, 'starting');
      process.kill(server.pid, 'SIGTERM');
      expect(await exitWithin(server, 60_000)).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('"phase":"start-up"');
      expect(await exists(join(dir, 'data', 'pglite.lock'))).toBe(false);
      expect(await nothingListening(port)).toBe(true);
      const accountCreated = server.output().includes('"msg":"first account created');
      expect(await exists(join(dir, 'data', 'root-credentials.json'))).toBe(accountCreated);
    } finally {
      server.killAll();
    }
    // The next start completes what the first did not.
    const again = NODE_DIST.start(env);
    try {
      await waitReady(again, port);
      expect(await exists(join(dir, 'data', 'root-credentials.json'))).toBe(true);
      process.kill(again.pid, 'SIGTERM');
      expect(await exitWithin(again, 10_000)).toEqual({ code: 0, signal: null });
    } finally {
      again.killAll();
    }
  }, 120_000);

  test('the build runs from dist/ alone: the bin has its shebang, help works, the JSON models and the migrations resolve', async () => {
    const cli = await readFile(join(built, 'dist', 'cli.js'), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(await exists(join(built, 'dist', 'protocol', 'models', 'iam.json'))).toBe(true);
    const help = run(process.execPath, [join(built, 'dist', 'cli.js'), 'help'], {});
    expect((await help.exited).code).toBe(0);
    expect(help.stdout()).toContain('serve');
    const dir = await tempDir('latchkey-migrate-', dirs);
    const migrate = run(process.execPath, [join(built, 'dist', 'cli.js'), 'migrate'], { DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') }, dir);
    expect((await migrate.exited).code).toBe(0);
    expect(migrate.stdout()).toMatch(/up to date \(\d+ migrations\)/);
  }, 120_000);
});
