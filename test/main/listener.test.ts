/**
 * The port as main.ts binds it (src/boot/listener.ts), in-process: the bind error is one line with
 * exit status 2, and close() drains: idle keep-alive connections do not hold it open, a response
 * finished during the drain says `Connection: close`, and what outlives the grace is cut.
 */
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { bindListener, hostPort } from '../../src/boot/listener.js';
import { StartupError } from '../../src/boot/startup-error.js';

function get(port: number, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

const port = (url: string) => Number(new URL(url).port);

describe('bindListener', () => {
  test('a port in use is a StartupError with exit status 2 and one line naming the address', async () => {
    const held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
    const addr = held.address();
    const taken = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      const err: unknown = await bindListener(taken, '127.0.0.1', () => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StartupError);
      expect((err as StartupError).exitCode).toBe(2);
      expect((err as StartupError).message).toBe(`cannot listen on 127.0.0.1:${taken}: the address is already in use`);
    } finally {
      held.close();
    }
  });

  test('IPv6 addresses are written in brackets', () => {
    expect(hostPort('::1', 8080)).toBe('[::1]:8080');
    expect(hostPort('127.0.0.1', 8080)).toBe('127.0.0.1:8080');
  });

  test('serve() switches every later request to the new handler', async () => {
    const listener = await bindListener(0, '127.0.0.1', (_req, res) => res.writeHead(503).end());
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await get(port(listener.url), agent)).status).toBe(503);
      listener.serve((_req, res) => res.writeHead(200).end());
      expect((await get(port(listener.url), agent)).status).toBe(200);
    } finally {
      agent.destroy();
      await listener.close(0);
    }
  });

  test('close(): an idle keep-alive connection does not hold it open', async () => {
    const listener = await bindListener(0, '127.0.0.1', (_req, res) => res.writeHead(200).end());
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await get(port(listener.url), agent)).connection).toBe('keep-alive');
      const started = Date.now();
      expect(await listener.close(5_000)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      agent.destroy();
    }
  });

  test('close(): the request in flight finishes with Connection: close, and close resolves once it has', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const listener = await bindListener(0, '127.0.0.1', (_req: IncomingMessage, res: ServerResponse) => void held.then(() => res.writeHead(200).end('done')));
    const agent = new Agent({ keepAlive: true });
    try {
      const answer = get(port(listener.url), agent);
      await new Promise((r) => setTimeout(r, 100));
      let closed = false;
      const closing = listener.close(5_000).then((drained) => ((closed = true), drained));
      await new Promise((r) => setTimeout(r, 100));
      expect(closed).toBe(false);
      release();
      expect(await answer).toEqual({ status: 200, connection: 'close' });
      const started = Date.now();
      expect(await closing).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      agent.destroy();
    }
  });

  test('close(): a request still running after the grace is cut and close resolves false', async () => {
    const listener = await bindListener(0, '127.0.0.1', () => {});
    const agent = new Agent({ keepAlive: true });
    try {
      const answer = get(port(listener.url), agent).then(
        () => 'answered',
        () => 'cut',
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(await listener.close(200)).toBe(false);
      expect(await answer).toBe('cut');
    } finally {
      agent.destroy();
    }
  });
});
