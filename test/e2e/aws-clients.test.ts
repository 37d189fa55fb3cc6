/**
 * End to end with the clients people actually use: the AWS CLI (cli-journey.sh) and boto3
 * (boto3-journey.py) run against a real server, each on its own user. They run in an environment
 * built from nothing: a temporary HOME and empty AWS config and credentials files, so a developer's
 * own profiles, SSO sessions or AWS_* variables can neither help nor leak in.
 *
 * A machine without Python, boto3 or the CLI skips the journey that needs it, and says why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startService, type TestService } from '../helpers/service.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOURNEY_TIMEOUT_MS = 120_000;

const sandbox = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
const configFile = join(sandbox, 'config');
const credentialsFile = join(sandbox, 'credentials');
writeFileSync(configFile, '');
writeFileSync(credentialsFile, '');

/** Only what finding the tools needs; every AWS_* setting is ours. */
function environment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: sandbox,
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
}

/** Why a tool cannot be used here, or undefined when it can. */
function missing(command: string, args: readonly string[], what: string): string | undefined {
  const r = spawnSync(command, args, { env: environment(), encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return `${what} is not available (${command} ${args.join(' ')}: ${r.error?.message ?? (r.stderr.trim().split('\n').pop() ?? `exit ${String(r.status)}`)})`;
  return undefined;
}

const noCli = missing('aws', ['--version'], 'the AWS CLI');
const noBoto3 = missing('python3', ['-c', 'import boto3'], 'Python 3 with boto3');
for (const reason of [noCli, noBoto3]) if (reason) console.warn(`skipped: ${reason}`);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: JOURNEY_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let svc: TestService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.close();
  rmSync(sandbox, { recursive: true, force: true });
});

function journeyEnv(user: string): Record<string, string> {
  return environment({
    LATCHKEY_ENDPOINT: svc.url,
    E2E_USER: user,
    AWS_ACCESS_KEY_ID: svc.root.accessKeyId,
    AWS_SECRET_ACCESS_KEY: svc.root.secretAccessKey,
  });
}

describe('AWS clients end to end', () => {
  test.skipIf(noCli !== undefined)(`the AWS CLI: a user allowed ListUsers and GetUser only${noCli ? ` (skipped: ${noCli})` : ''}`, async () => {
    const r = await run('bash', [join(HERE, 'cli-journey.sh')], journeyEnv('e2e-cli'));
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('ok: create-user as e2e-cli is AccessDenied');
  }, JOURNEY_TIMEOUT_MS);

  test.skipIf(noBoto3 !== undefined)(`boto3: a user allowed ListUsers and GetUser only${noBoto3 ? ` (skipped: ${noBoto3})` : ''}`, async () => {
    const r = await run('python3', [join(HERE, 'boto3-journey.py')], journeyEnv('e2e-boto3'));
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('ok: create_user as e2e-boto3 is AccessDenied');
  }, JOURNEY_TIMEOUT_MS);
});
