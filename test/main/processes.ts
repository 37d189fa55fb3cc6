/**
 * Helpers for the start-up and shutdown suites: run the commands the README documents as child
 * processes (with only the environment given), build the production dist/ once into a temp copy
 * of the project, and send a signed request whose body arrives in two halves, so that it is
 * still in flight when the test signals the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, realpath, symlink } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formBody, signedPost, type Key } from '../negative/wire.js';

export const REPO = process.cwd();

export interface Run {
  readonly child: ChildProcess;
  /** The pid the test signals: the process the command started (npm for `npm start`). */
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the whole process group: a failed test leaves no orphaned server behind. */
  readonly killAll: () => void;
}

/** `command args…` in `cwd` with only PATH, HOME and `env`. */
export function run(command: string, args: readonly string[], env: Record<string, string>, cwd = REPO): Run {
  // Its own process group, so killAll reaches whatever it started, even re-parented.
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // 'exit' can come before the last of stdout/stderr has been read (seen as an empty stderr on a
  // loaded machine): settle once both pipes have ended too, or a second later, since a process
  // the command left behind may still hold them.
  const ended = (stream: NodeJS.ReadableStream | null) => new Promise<void>((resolve) => (stream ? stream.once('close', resolve) : resolve()));
  const drained = Promise.all([ended(child.stdout), ended(child.stderr)]);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      const late = setTimeout(() => resolve({ code, signal }), 1_000);
      void drained.then(() => {
        clearTimeout(late);
        resolve({ code, signal });
      });
    }),
  );
  const pid = child.pid ?? 0;
  const killAll = () => {
    try {
      if (pid > 0) process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return { child, pid, stdout: () => out, stderr: () => err, output: () => out + err, exited, killAll };
}

/** The development command of the README's Quick start. */
export const npmStart = (env: Record<string, string>, cwd = REPO): Run => run('npm', ['start'], env, cwd);

export async function waitFor(check: () => Promise<boolean>, ms: number, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Wait for /readyz 200; on failure kill the process and show what it said. */
export async function waitReady(r: Run, port: number, ms = 60_000): Promise<void> {
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, ms, 'ready');
  } catch (err) {
    r.killAll();
    throw new Error(`did not become ready: ${r.output()}`, { cause: err });
  }
}

/** True when nothing accepts connections on 127.0.0.1:port. */
export function nothingListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An exit within `ms`, or a failure that says what the process printed. */
export async function exitWithin(r: Run, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms: ${r.output()}`)), ms);
  });
  try {
    return await Promise.race([r.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A copy of the project as `npm ci && npm run build` leaves it: src/, the tsconfigs, package.json
 * and migrations/ copied into a temp directory, node_modules linked, then the real `npm run build`.
 * Returns the directory; `node <dir>/dist/main.js` is the production command.
 */
export async function buildCopy(parent: string): Promise<string> {
  const dir = join(parent, 'latchkey');
  await mkdir(dir);
  for (const f of ['src', 'migrations', 'aws-managed', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) await cp(join(REPO, f), join(dir, f), { recursive: true });
  await symlink(await realpath(join(REPO, 'node_modules')), join(dir, 'node_modules'));
  const build = run('npm', ['run', 'build', '--silent'], {}, dir);
  const { code } = await build.exited;
  if (code !== 0) throw new Error(`npm run build failed: ${build.output()}`);
  return dir;
}

export async function tempDir(prefix: string, dirs: string[]): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export interface SlowRequest {
  /** Send the rest of the body. */
  finish(): void;
  readonly response: Promise<{ status: number; body: string }>;
}

/**
 * A signed STS GetCallerIdentity whose headers and first half of the body go out now; the
 * server has begun the request and waits for the rest, which `finish()` sends.
 */
export async function slowGetCallerIdentity(url: string, key: Key): Promise<SlowRequest> {
  const body = formBody([
    ['Action', 'GetCallerIdentity'],
    ['Version', '2011-06-15'],
  ]);
  const signed = await signedPost(url, body, { key, service: 'sts' });
  const u = new URL(url);
  const req = httpRequest({ host: u.hostname, port: u.port, method: 'POST', path: '/', headers: { ...signed.headers, 'content-length': String(Buffer.byteLength(body)) } });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return { finish: () => req.end(body.slice(half)), response };
}
