/**
 * The one CLI test that spawns a process (cli.test.ts runs every command in-process): src/cli.ts,
 * started the way `npm run cli` starts it, reads its arguments and environment from the process
 * and turns runCli's result into the exit status.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node --import tsx src/cli.ts …` with only the environment given (never the test runner's). */
function cli(args: readonly string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'latchkey-cli-spawn-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the latchkey process prints help and exits 0, and exits 1 with the reason when DATA_DIR holds no database', async () => {
  const env = { DATA_DIR: join(tmp, 'data'), KEYS_DIR: join(tmp, 'keys') };
  const [help, list] = await Promise.all([cli(['help'], env), cli(['accounts', 'list'], env)]);
  expect(help.code, help.stderr).toBe(0);
  expect(help.stdout).toContain('Usage:');
  expect(help.stderr).toBe('');
  expect(list.code).toBe(1);
  expect(list.stdout).toBe('');
  expect(list.stderr).toContain(`latchkey accounts list: no database in ${join(tmp, 'data', 'pglite')}: run \`npm run migrate\` first`);
  // Read from the process's environment: the temporary DATA_DIR, left untouched.
  expect(existsSync(join(tmp, 'data'))).toBe(false);
}, 60_000);
