/**
 * scripts/patch-postgres.mjs, run at install (`postinstall`), fixes porsager/postgres#1208 in
 * postgres.js 3.4.x (what the fix does: the script's header; that it works:
 * test/store/database-loss.test.ts, "regression porsager/postgres#1208"). Here: it is applied,
 * applying it again changes nothing, and a postgres.js it does not recognise fails the install
 * loudly instead of going unpatched.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../scripts/patch-postgres.mjs');
const INSTALLED = join(import.meta.dirname, '../../node_modules/postgres');
const MARKER = '/* latchkey: porsager/postgres#1208 patched */';
const run = promisify(execFile);
const dirs: string[] = [];

/** Run the script; its exit code and output. */
async function patch(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A scratch copy of the installed postgres package. */
async function copy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-pg-'));
  dirs.push(dir);
  await cp(INSTALLED, dir, { recursive: true });
  return dir;
}

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('scripts/patch-postgres.mjs (porsager/postgres#1208, applied at install)', () => {
  test('the installed postgres.js is patched', async () => {
    const r = await patch('--check');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await readFile(join(INSTALLED, 'src/connection.js'), 'utf8')).startsWith(`${MARKER}\n`)).toBe(true);
  });

  test('patching again changes nothing', async () => {
    const dir = await copy();
    const before = await readFile(join(dir, 'src/connection.js'), 'utf8');
    const r = await patch('--dir', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('src/connection.js: already patched');
    expect(await readFile(join(dir, 'src/connection.js'), 'utf8')).toBe(before);
  });

  test('postgres.js as published is patched into exactly the installed file', async () => {
    const dir = await copy();
    expect((await patch('--dir', dir, '--revert')).code).toBe(0);
    const pristine = await readFile(join(dir, 'src/connection.js'), 'utf8');
    expect(pristine).not.toContain('latchkey');
    expect((await patch('--dir', dir, '--check')).code).toBe(1);
    const r = await patch('--dir', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('src/connection.js: patched');
    expect(await readFile(join(dir, 'src/connection.js'), 'utf8')).toBe(await readFile(join(INSTALLED, 'src/connection.js'), 'utf8'));
  });

  test('a postgres.js whose code no longer reads as expected fails the install loudly and is left as it was', async () => {
    const dir = await copy();
    await patch('--dir', dir, '--revert');
    const file = join(dir, 'src/connection.js');
    const changed = (await readFile(file, 'utf8')).replace('const x = socket.write(chunk, fn)', 'const x = socket && socket.write(chunk, fn)');
    await writeFile(file, changed);
    const r = await patch('--dir', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no longer reads as postgres.js 3.4.9/3.4.10 did');
    expect(r.stderr).toContain('porsager/postgres#1208');
    expect(await readFile(file, 'utf8')).toBe(changed);
  });

  test('another major version of postgres.js is refused, not patched', async () => {
    const dir = await copy();
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '4.2.0' }));
    const r = await patch('--dir', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('postgres 4.2.0 is installed; this patch is for 3.4.x');
  });

  test('a file that carries the marker but only part of the patch is refused', async () => {
    const dir = await copy();
    const file = join(dir, 'src/connection.js');
    await writeFile(file, (await readFile(file, 'utf8')).replace('query = errorResponse = null // latchkey', 'query = null // latchkey'));
    const r = await patch('--dir', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('carries the patch marker but not the whole patch');
  });
});
