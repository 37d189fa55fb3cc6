/**
 * What the port answers between the bind and the service being ready (opening and migrating the
 * database, loading keys, creating the first account): the process is up (`/healthz` 200, so a
 * liveness probe does not kill a slow first start), not ready (`/readyz` 503, and `/metrics` too), and an AWS request
 * gets AWS's `ServiceUnavailable` (503), which the SDKs and the CLI retry, instead of hanging.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { AwsError } from '../errors.js';
import type { Logger } from '../log.js';
import { renderError } from '../protocol/index.js';

export function startingResponder(logger: Logger): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    // Not ready, so no metrics yet either (whatever METRICS_* say: the answer reveals nothing).
    if (req.method === 'GET' && (path === '/readyz' || path === '/metrics')) return json(res, 503, { status: 'starting' });
    const requestId = randomUUID();
    const r = renderError(new AwsError('ServiceUnavailable'), requestId);
    logger.info('request', { requestId, method: req.method, status: r.status, code: 'ServiceUnavailable', detail: 'starting' });
    res.writeHead(r.status, { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId });
    res.end(r.body);
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
