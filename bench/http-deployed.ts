/**
 * The service as it is deployed on PostgreSQL with WORKERS processes: the real entry point
 * (src/main.ts, as `npm start` runs it) with its own keys and data directories over a scratch
 * database, and beside it the baseline route on as many processes (bench/http-constant.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NewAccount } from '../src/accounts/accounts.js';
import { freePort } from '../test/helpers/free-port.js';

const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

/** Start `args` under tsx and resolve once its output has `lines` lines matching `ready`. */
function launch(args: string[], env: Record<string, string>, ready: RegExp, lines: number): Promise<ChildProcess> {
  const child = spawn(TSX, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('did not start within 60 s')), 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: ${err.message}\n${out.slice(-2000)}`));
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if ((out.match(new RegExp(ready.source, 'g')) ?? []).length >= lines) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => fail(new Error(`exited with ${code}`)));
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const backstop = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(backstop);
  };
}

/** src/main.ts with WORKERS=workers on `databaseUrl`; the first account's root key read from its file. */
export async function startDeployed(databaseUrl: string, workers: number): Promise<Running & { root: NewAccount }> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-bench-'));
  const port = await freePort();
  // The access log goes to a pipe the bench drains, as a process manager's would.
  const child = await launch(['src/main.ts'], { WORKERS: String(workers), PORT: String(port), DATABASE_URL: databaseUrl, DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys'), LOG_LEVEL: 'info' }, /"msg":"listening"/, workers);
  child.stdout?.on('data', () => {});
  const creds = JSON.parse(await readFile(join(dir, 'data', 'root-credentials.json'), 'utf8')) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
  const stop = stopper(child);
  return {
    url: `http://127.0.0.1:${port}`,
    root: { accountId: creds.AccountId, accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey },
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The constant route on `workers` processes. */
export async function startConstant(workers: number): Promise<Running> {
  const port = await freePort();
  const child = await launch(['bench/http-constant.ts'], { WORKERS: String(workers), PORT: String(port) }, /^listening /m, 1);
  return { url: `http://127.0.0.1:${port}`, stop: stopper(child) };
}
