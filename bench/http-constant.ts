/**
 * The baseline route on WORKERS processes (node:cluster, one shared port): the constant Hono route
 * of bench/http-server.ts, deployed like the service with WORKERS. Prints `listening <url>` once
 * every worker listens; SIGTERM stops them all.
 */
import cluster from 'node:cluster';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CONSTANT } from './http-server-constant.js';

const workers = Number(process.env.WORKERS ?? '1');
const port = Number(process.env.PORT ?? '0');

if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (m: unknown) => {
      if (m === 'listening' && ++listening === workers) process.stdout.write(`listening http://127.0.0.1:${port}\n`);
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const app = new Hono();
  app.all('/', (c) => c.body(CONSTANT, 200, { 'content-type': 'text/xml' }));
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => process.send?.('listening'));
  process.on('SIGTERM', () => process.exit(0));
}
