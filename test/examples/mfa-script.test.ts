/**
 * examples/mfa-script runs as its README says (`npm run example:mfa-script`), from start to
 * end, so that it cannot rot: a device is enrolled, the profile with mfa_serial yields role keys
 * with a code, and not without. It starts its own Latchkey in memory, so it runs once,
 * in the `processes` project.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TIMEOUT_MS = 90_000;

function runExample(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only what npm and node need: no LATCHKEY_ENDPOINT or AWS_* of the developer's.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const child = spawn('npm', ['run', '--silent', 'example:mfa-script'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('npm run example:mfa-script: enrol a device, get MFA-protected keys from an mfa_serial profile, refused without', async () => {
  const r = await runExample();
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const lines = [
    /^latchkey +Latchkey in this process at http:\/\/127\.0\.0\.1:\d+ \(PGlite in memory, account \d{12}\)$/m,
    /^person +enrolled arn:aws:iam::\d{12}:mfa\/dev-\d{4} .*with two consecutive codes$/m,
    /^script +asked for the code of arn:aws:iam::\d{12}:mfa\/dev-\d{4}/m,
    /^script +MFA-protected keys: ASIA[A-Z2-7]{16}, expiring \d{4}-/m,
    /^script +GetCallerIdentity: arn:aws:sts::\d{12}:assumed-role\/prod-admin-\d{4}\//m,
    /^script +without mfa_serial: AccessDenied/m,
    /^done +MFA-protected keys from a profile with mfa_serial$/m,
  ];
  let from = 0;
  for (const line of lines) {
    const m = line.exec(r.stdout.slice(from));
    expect(m, `${line} missing (in order) from:\n${r.stdout}`).not.toBeNull();
    from += (m?.index ?? 0) + (m?.[0].length ?? 0);
  }
}, TIMEOUT_MS);
