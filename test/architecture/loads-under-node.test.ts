/**
 * Every module the server loads, loaded the way `npm start` loads it: node's own ESM loader (with
 * tsx for TypeScript), not vitest's. The two disagree about CommonJS packages: a named import that
 * node's static analysis of a CommonJS module cannot find (samlify's SamlLib) works under vitest
 * and stops `npm start` cold. The process suites would see it too, but they are not in the fast
 * loop; this one spawn is.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('the service, the CLI and the start-up modules load under node itself', () => {
  const script = ["await import('./src/service.ts');", "await import('./src/cli/run.ts');", "await import('./src/boot/lifecycle.ts');"].join(' ');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  expect(r.stderr.split('\n').filter((l) => /Error/.test(l)), r.stderr).toEqual([]);
  expect(r.status).toBe(0);
});
