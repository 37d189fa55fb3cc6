/**
 * Runs an example the way its README says (`npm run example:NAME`), with only what npm and node
 * need in its environment (no LATCHKEY_ENDPOINT or AWS_* of the developer's), and returns its exit
 * code and output.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLE_TIMEOUT_MS = 90_000;

export function runExample(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const child = spawn('npm', ['run', '--silent', `example:${name}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: EXAMPLE_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every pattern matches the example's output, each after the one before (the story's steps, in order). */
export function expectInOrder(stdout: string, lines: readonly RegExp[]): void {
  let from = 0;
  for (const line of lines) {
    const m = line.exec(stdout.slice(from));
    expect(m, `${line} missing (in order) from:\n${stdout}`).not.toBeNull();
    from += (m?.index ?? 0) + (m?.[0].length ?? 0);
  }
}
