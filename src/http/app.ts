/**
 * createApp(deps) → the Hono app: the AWS Query endpoint at `/` (POST and GET), `/healthz`
 * (the process is up), `/readyz` (the database answers, within READY_TIMEOUT_MS, and every
 * migration is applied), `/static/saml-metadata.xml` (this service's SAML SP metadata) and
 * `/static/saml/<SAMLProviderUUID>/saml-metadata.xml` (a provider's, with its encryption keys).
 * No module state: everything comes in through `deps`.
 */
import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { describeError } from '../describe-error.js';
import { AwsError } from '../errors.js';
import { PROVIDER_SP_METADATA_ROUTE, SP_METADATA_PATH, spMetadata } from '../federation/saml/sp-metadata.js';
import { providerEncryptionKeys } from '../federation/saml/provider-metadata.js';
import type { Metrics } from '../metrics.js';
import { renderError } from '../protocol/index.js';
import { endOfTurn } from './end-of-turn.js';
import { handleQuery, type PipelineDeps } from './pipeline.js';
import { readNodeRequest, readWebRequest } from './raw-request.js';

export interface AppDeps extends PipelineDeps {
  /** This node's metrics (src/metrics.ts): counted here, served at /metrics as its access says. */
  readonly metrics?: Metrics | undefined;
}

/** The JSON a refused /metrics request gets, with the challenge Prometheus' bearer credentials answer. */
const METRICS_UNAUTHORIZED = JSON.stringify({ status: 'unauthorized', detail: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' });

/** The longest /readyz waits for the database (less when the request deadline is shorter). */
export const READY_TIMEOUT_MS = 1000;

/** `work`'s value, or `late` if it has not settled within `ms`. */
function within<T>(ms: number, work: Promise<T>, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(resolve, ms, late)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export type App = Hono<{ Bindings: Partial<HttpBindings> }>;

/** `mount` adds routes beside the Query endpoint (the console, src/console/routes.ts), before the catch-all answers. */
export function createApp(deps: AppDeps, mount?: (app: App) => void): App {
  const app: App = new Hono<{ Bindings: Partial<HttpBindings> }>();
  mount?.(app);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // A database that does not answer within READY_TIMEOUT_MS is not ready: a load balancer's
  // probe gets its 503 within that instead of hanging with every other request.
  const readyTimeoutMs = Math.min(READY_TIMEOUT_MS, deps.requestDeadlineMs ?? READY_TIMEOUT_MS);
  app.get('/readyz', async (c) => {
    // Known unreachable (its heartbeats fail): no need to wait to say so.
    const ready = deps.store.reachable() && (await within(readyTimeoutMs, deps.store.ready().catch(() => false), false));
    return c.json({ status: ready ? 'ready' : 'unavailable' }, ready ? 200 : 503);
  });

  // Prometheus metrics: 404 unless METRICS_TOKEN or METRICS_PUBLIC turned them on (src/metrics.ts).
  const { metrics } = deps;
  app.get('/metrics', async (c) => {
    // Off: the same answer as any other unknown path (nothing says metrics could be turned on).
    if (!metrics || metrics.access === 'off') return c.notFound();
    if (!metrics.allows(c.req.header('authorization'))) {
      return new Response(METRICS_UNAUTHORIZED, { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="metrics"', 'cache-control': 'no-store' } });
    }
    const { contentType, body } = await metrics.exposition();
    return new Response(body, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  });

  // This service's SAML SP metadata, for IdP administrators (src/federation/saml/sp-metadata.ts); made once.
  const samlMetadata = spMetadata(deps.registry.saml);
  app.get(SP_METADATA_PATH, () => new Response(samlMetadata, { status: 200, headers: { 'content-type': 'application/samlmetadata+xml' } }));
  // A provider's, as AWS serves it per IdP for encrypted assertions: the same, with its keys' public halves.
  app.get(PROVIDER_SP_METADATA_ROUTE, async (c) => {
    const keys = await providerEncryptionKeys(deps.store.db, deps.registry.keyring, c.req.param('uuid'));
    if (!keys) return c.notFound();
    return new Response(spMetadata(deps.registry.saml, keys), { status: 200, headers: { 'content-type': 'application/samlmetadata+xml' } });
  });

  // Every method reaches the pipeline, which answers anything but POST and GET with AWS's error.
  app.all('/', async (c) => {
    const requestId = randomUUID();
    const started = performance.now();
    const incoming = c.env?.incoming;
    let outcome;
    try {
      const raw = incoming ? await readNodeRequest(incoming, deps.trustedProxies) : await readWebRequest(c.req.raw);
      outcome = await handleQuery(deps, raw, requestId);
    } catch (err) {
      const aws = err instanceof AwsError ? err : new AwsError('InternalFailure');
      if (!(err instanceof AwsError)) deps.logger.error('unexpected failure', { requestId, error: describeError(err) });
      outcome = { response: renderError(aws, requestId), action: undefined, caller: undefined, accessKeyId: undefined, code: aws.code, operation: undefined, issued: false };
    }
    const { response } = outcome;
    const ms = performance.now() - started;
    if (metrics) {
      metrics.request(outcome.operation, outcome.code, ms / 1000);
      if (outcome.issued && outcome.operation) metrics.issued(outcome.operation);
    }
    deps.logger.info('request', {
      requestId,
      // node's own message when there is one: c.req would build a HonoRequest just for this.
      method: incoming?.method ?? c.req.method,
      action: outcome.action,
      status: response.status,
      code: outcome.code,
      caller: outcome.caller,
      accessKeyId: outcome.accessKeyId,
      ms: Math.round(ms * 10) / 10,
    });
    // Written with the rest of this event-loop turn's responses (see end-of-turn.ts).
    await endOfTurn();
    // A Response with plain headers: @hono/node-server writes it straight to the socket, with
    // no WHATWG Headers built for it (c.body() would build one).
    return new Response(response.body, { status: response.status, headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId } });
  });

  // Other paths, and failures outside the pipeline, still get an XML error, a request id and
  // their one access-log line.
  app.notFound((c) => {
    const requestId = randomUUID();
    const r = renderError(new AwsError('InvalidAction', 'Requests go to the path /.'), requestId);
    metrics?.route('other', 'unknown', 'InvalidAction');
    deps.logger.info('request', { requestId, method: c.req.method, status: r.status, code: 'InvalidAction' });
    return c.body(r.body, 404, { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId });
  });
  app.onError((err, c) => {
    const requestId = randomUUID();
    deps.logger.error('unexpected failure', { requestId, error: describeError(err) });
    const r = renderError(new AwsError('InternalFailure'), requestId);
    metrics?.route('other', 'unknown', 'InternalFailure');
    deps.logger.info('request', { requestId, method: c.req.method, status: r.status, code: 'InternalFailure' });
    return c.body(r.body, 500, { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId });
  });
  return app;
}
