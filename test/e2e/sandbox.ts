/**
 * The environment the e2e journeys run in, built from nothing: a temporary HOME and empty AWS
 * config and credentials files, so a developer's own profiles, SSO sessions or AWS_* variables can
 * neither help nor leak in. Shared by the IAM and STS journeys.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export interface Sandbox {
  readonly dir: string;
  readonly configFile: string;
  readonly credentialsFile: string;
  /** Only what finding the tools needs; every AWS_* setting is ours. */
  environment(extra?: Record<string, string>): Record<string, string>;
  /** Why a tool cannot be used here, or undefined when it can. */
  missing(command: string, args: readonly string[], what: string): string | undefined;
  remove(): void;
}

export function createSandbox(prefix: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const configFile = join(dir, 'config');
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(configFile, '');
  writeFileSync(credentialsFile, '');
  const environment = (extra: Record<string, string> = {}): Record<string, string> => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: dir,
      LANG: 'C.UTF-8',
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
      PYTHONDONTWRITEBYTECODE: '1',
      ...extra,
    };
    // pyenv's shims find their interpreters under PYENV_ROOT, which defaults to $HOME/.pyenv: with
    // our HOME they would find nothing, so point them at the real one.
    const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
    if (existsSync(pyenvRoot)) env.PYENV_ROOT = pyenvRoot;
    if (process.env.PYENV_VERSION) env.PYENV_VERSION = process.env.PYENV_VERSION;
    return env;
  };
  return {
    dir,
    configFile,
    credentialsFile,
    environment,
    missing(command, args, what) {
      const r = spawnSync(command, args, { env: environment(), encoding: 'utf8', timeout: 30_000 });
      if (r.error || r.status !== 0) return `${what} is not available (${command} ${args.join(' ')}: ${r.error?.message ?? (r.stderr.trim().split('\n').pop() ?? `exit ${String(r.status)}`)})`;
      return undefined;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a journey script to its end, collecting its output. */
export function run(command: string, args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The steps a journey must have reported, in order (each journey prints `ok: …` per step). */
export function expectSteps(stdout: string, steps: readonly string[]): void {
  let from = 0;
  for (const step of steps) {
    const at = stdout.indexOf(step, from);
    expect(at, `"${step}" missing from:\n${stdout}`).toBeGreaterThanOrEqual(0);
    from = at + step.length;
  }
}
