/**
 * The server side of the HTTP bench, in its own process (forked by bench/http.ts) so the load
 * generator does not share its event loop: Latchkey over a fresh store, and beside it, on the
 * same kind of node http server (@hono/node-server), the baseline: a Hono route that answers
 * every request with a constant. Driven over IPC: start → ready, breakdown → stages, stop → exit.
 */
import { serve, type HttpBindings, type ServerType } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createAccount, type NewAccount } from '../src/accounts/accounts.js';
import { createLogger } from '../src/log.js';
import type { PipelineDeps } from '../src/http/pipeline.js';
import { endOfTurn } from '../src/http/end-of-turn.js';
import { readNodeRequest } from '../src/http/raw-request.js';
import { createService, listen } from '../src/service.js';
import { openStore } from '../src/store/db.js';
import { Keyring } from '../src/tokens/keyring.js';
import { breakdown, type SamlBreakdown, type StageResult, type WebIdentityBreakdown, type WireRequest } from './http-breakdown.js';
import { CONSTANT } from './http-server-constant.js';

export type Backend = 'pglite' | 'postgres';

export type ToServer =
  | { readonly type: 'start'; readonly backend: Backend; readonly databaseUrl?: string; readonly key: { readonly kid: string; readonly created: string; readonly key: string } }
  | { readonly type: 'breakdown'; readonly temporary: WireRequest; readonly others: readonly { name: string; req: WireRequest }[]; readonly webIdentity?: WebIdentityBreakdown; readonly saml?: SamlBreakdown }
  | { readonly type: 'stop' };

export type FromServer =
  | { readonly type: 'ready'; readonly url: string; readonly baselineUrl: string; readonly layerUrls: { readonly read: string; readonly authenticate: string }; readonly root: NewAccount; readonly operations: readonly string[] }
  | { readonly type: 'breakdown'; readonly stages: readonly StageResult[] }
  | { readonly type: 'failed'; readonly message: string };


function serveApp(app: Hono<{ Bindings: Partial<HttpBindings> }>): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
  });
}

function serveBaseline(): Promise<{ server: ServerType; url: string }> {
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();
  app.all('/', (c) => c.body(CONSTANT, 200, { 'content-type': 'text/xml' }));
  return serveApp(app);
}

/**
 * The service's request path cut after one layer, answering the constant: to see under load what
 * each layer costs, between the baseline and the whole service. `read`: the body read and the
 * headers taken as app.ts does; `authenticate`: then the SigV4 check with its caches, as the
 * pipeline calls it. Both hold their responses to the end of the turn, as app.ts does.
 */
function serveLayer(layer: 'read' | 'authenticate', deps: PipelineDeps): Promise<{ server: ServerType; url: string }> {
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();
  app.all('/', async (c) => {
    const incoming = c.env?.incoming;
    if (!incoming) throw new Error('the layer servers run behind @hono/node-server');
    const raw = await readNodeRequest(incoming);
    if (layer === 'authenticate') await deps.authenticate(raw.sig, deps.clock(), 'sts');
    await endOfTurn();
    return new Response(CONSTANT, { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': randomUUID() } });
  });
  return serveApp(app);
}

function send(message: FromServer, then?: () => void): void {
  if (process.send) process.send(message, undefined, {}, () => then?.());
  else then?.();
}

async function main(): Promise<void> {
  const start = await new Promise<Extract<ToServer, { type: 'start' }>>((resolve) => {
    process.once('message', (m: ToServer) => {
      if (m.type === 'start') resolve(m);
    });
  });
  const store = await openStore(start.backend === 'postgres' ? { databaseUrl: start.databaseUrl } : {});
  await store.migrate();
  const keyring = new Keyring([{ kid: start.key.kid, created: start.key.created, key: Buffer.from(start.key.key, 'base64') }]);
  // The access log is formatted as in production (its cost is part of every request) but not
  // written: a terminal or a pipe would measure the terminal.
  const logger = createLogger('info', () => {});
  // The AssumeRoleWithWebIdentity row's issuer is plain http on loopback, as outside production.
  const service = createService({ store, keyring, logger, oidc: { allowLoopbackHttp: true } });
  const server = await listen(service, 0, '127.0.0.1');
  const baseline = await serveBaseline();
  const layers = [await serveLayer('read', service.deps), await serveLayer('authenticate', service.deps)] as const;
  const root = await createAccount(store, keyring, new Date());
  send({ type: 'ready', url: server.url, baselineUrl: baseline.url, layerUrls: { read: layers[0].url, authenticate: layers[1].url }, root, operations: [...service.deps.operations.keys()] });

  process.on('message', (m: ToServer) => {
    if (m.type === 'breakdown') {
      breakdown(service, keyring, server.url, m.temporary, m.others, m.webIdentity, m.saml).then(
        (stages) => send({ type: 'breakdown', stages }),
        (err: unknown) => send({ type: 'failed', message: String(err) }),
      );
    } else if (m.type === 'stop') {
      // Whatever happens below, exit (process.exit still writes a --cpu-prof profile).
      setTimeout(() => process.exit(0), 15_000).unref();
      void (async () => {
        await server.close();
        for (const { server: other } of [baseline, ...layers]) {
          if ('closeAllConnections' in other) other.closeAllConnections();
          await new Promise<void>((done) => other.close(() => done()));
        }
        service.dispose();
        await store.close();
        process.exit(0);
      })();
    }
  });
}

main().catch((err: unknown) => {
  // Exit once the parent has the reason (or at once without a parent).
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1));
});
