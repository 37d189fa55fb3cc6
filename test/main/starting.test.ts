/** The port before the service is ready (src/boot/starting.ts): /metrics is 503 like /readyz, whoever asks. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startingResponder } from '../../src/boot/starting.js';
import { createLogger } from '../../src/log.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(startingResponder(createLogger('error', () => {})));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('while starting', () => {
  it('/metrics answers 503 {status: starting}, with or without a token', async () => {
    for (const headers of [{}, { authorization: 'Bearer some-token-that-may-or-may-not-be-right-0123' }]) {
      const r = await fetch(`${url}/metrics`, { headers });
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ status: 'starting' });
    }
  });

  it('/readyz is 503 and /healthz 200, as before', async () => {
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
