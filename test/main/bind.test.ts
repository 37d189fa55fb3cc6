/**
 * Start-up binds the port before it creates anything: a busy port, a HOST that does not resolve
 * or is not this machine's, or a privileged port without the right is one line on stderr and
 * exit status 2, with DATA_DIR and KEYS_DIR left empty (no keys, no database, no first account,
 * no root-credentials.json). Between the bind and ready the port answers 503.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { exitWithin, nothingListening, npmStart, tempDir, waitFor } from './processes.js';

const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A server of the test's own on 127.0.0.1:port (holding it, or accepting and never answering). */
async function hold(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

/** Empty DATA_DIR and KEYS_DIR that already exist (so "nothing created" means they stay empty). */
async function emptyDirs(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await tempDir('latchkey-bind-', dirs);
  await mkdir(join(dir, 'data'));
  await mkdir(join(dir, 'keys'));
  return { dir, env: { DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') } };
}

async function expectNothingCreated(dir: string): Promise<void> {
  expect((await readdir(dir)).sort()).toEqual(['data', 'keys']);
  expect(await readdir(join(dir, 'data'))).toEqual([]);
  expect(await readdir(join(dir, 'keys'))).toEqual([]);
}

/** Start with `env`, expect exit 2 and exactly `line` on stderr, and no log line on stdout. */
async function expectRefused(env: Record<string, string>, line: string): Promise<void> {
  const r = npmStart(env);
  expect(await exitWithin(r, 30_000)).toEqual({ code: 2, signal: null });
  expect(r.stderr()).toBe(`${line}\n`);
  // npm's own banner only: the server logged nothing.
  expect(r.stdout()).not.toContain('{');
}

describe('start-up binds the port before it creates anything', () => {
  test('busy port: one line, exit status 2, nothing created', async () => {
    const held = await hold();
    const { dir, env } = await emptyDirs();
    try {
      await expectRefused({ ...env, PORT: String(held.port) }, `latchkey: cannot listen on 127.0.0.1:${held.port}: the address is already in use`);
      await expectNothingCreated(dir);
    } finally {
      held.server.close();
    }
  }, 60_000);

  test('busy port on a first start with no DATA_DIR or KEYS_DIR yet: neither is created', async () => {
    const held = await hold();
    const dir = await tempDir('latchkey-bind-', dirs);
    try {
      await expectRefused({ PORT: String(held.port), DATA_DIR: join(dir, 'data'), KEYS_DIR: join(dir, 'keys') }, `latchkey: cannot listen on 127.0.0.1:${held.port}: the address is already in use`);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      held.server.close();
    }
  }, 60_000);

  test('HOST that does not resolve: one line, exit status 2, nothing created', async () => {
    const { dir, env } = await emptyDirs();
    const port = await freePort();
    const r = npmStart({ ...env, PORT: String(port), HOST: 'no-such-host.invalid' });
    expect(await exitWithin(r, 30_000)).toEqual({ code: 2, signal: null });
    // ENOTFOUND, or EAI_AGAIN where no resolver answers at all.
    expect(r.stderr()).toMatch(new RegExp(`^latchkey: cannot listen on no-such-host\\.invalid:${port}: the host name does not resolve[^\\n]*\\n$`));
    await expectNothingCreated(dir);
  }, 60_000);

  test('HOST that is not an address of this machine: one line, exit status 2, nothing created', async () => {
    const { dir, env } = await emptyDirs();
    const port = await freePort();
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
    await expectRefused({ ...env, PORT: String(port), HOST: '192.0.2.1' }, `latchkey: cannot listen on 192.0.2.1:${port}: the address does not belong to this machine`);
    await expectNothingCreated(dir);
  }, 60_000);

  test.skipIf(process.getuid?.() === 0)('privileged port without the right: one line, exit status 2, nothing created (skipped as root)', async () => {
    const { dir, env } = await emptyDirs();
    await expectRefused({ ...env, PORT: '80' }, 'latchkey: cannot listen on 127.0.0.1:80: permission denied (a port below 1024 needs privileges)');
    await expectNothingCreated(dir);
  }, 60_000);

  test('while starting (a database that does not answer), /healthz is 200, /readyz 503 and AWS requests ServiceUnavailable; SIGTERM still ends it', async () => {
    const silent = await hold();
    const { env } = await emptyDirs();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const r = npmStart({ ...env, PORT: String(port), DATABASE_URL: `postgres://latchkey:latchkey@127.0.0.1:${silent.port}/latchkey` });
    try {
      await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, 30_000, 'the bind');
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'starting' });
      const res = await fetch(`${url}/`, { method: 'POST', body: 'Action=GetCallerIdentity&Version=2011-06-15', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      const body = await res.text();
      expect(body).toContain('<Code>ServiceUnavailable</Code>');
      expect(body).toContain('<Type>Receiver</Type>');
      process.kill(r.pid, 'SIGTERM');
      // The step waiting for the database ends (connect timeout) or is abandoned after the grace.
      const { code } = await exitWithin(r, 15_000);
      expect(code).toBe(1);
      expect(await nothingListening(port)).toBe(true);
    } finally {
      r.killAll();
      silent.server.close();
    }
  }, 60_000);
});
