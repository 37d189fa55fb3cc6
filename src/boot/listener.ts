/**
 * The server's port, bound first: start-up takes the address before it creates anything (keys,
 * data directory, migrations, the first account, root-credentials.json), so a busy port or a bad
 * HOST ends the process with one line and nothing left behind. Until the service is ready the
 * port answers for itself (see starting.ts); then every request goes to the service.
 *
 * Shutdown drains: the port stops accepting, requests in flight finish and are answered with
 * `Connection: close`, idle keep-alive connections are closed, and whatever is still open after
 * the grace period is cut.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from './startup-error.js';

export interface Listener {
  /** `http://host:port` as bound (the real port when PORT was 0). */
  readonly url: string;
  /** From now on every request goes to `handler`. */
  serve(handler: RequestListener): void;
  /**
   * Stop accepting connections and let in-flight requests finish, for at most `graceMs`; then
   * cut what is left. True when nothing had to be cut. Calling it again returns the same promise.
   */
  close(graceMs: number): Promise<boolean>;
}

/** Why an address cannot be listened on, in words (the errno codes of listen(2) and getaddrinfo(3)). */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied (a port below 1024 needs privileges)',
  EADDRNOTAVAIL: 'the address does not belong to this machine',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (temporary failure in name resolution)',
  EAI_FAIL: 'the host name does not resolve',
  EAFNOSUPPORT: 'the address family is not supported on this machine',
  EINVAL: 'the address is not valid',
};

/** `host:port`, with an IPv6 address in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Listen on `host:port` with `handler` answering. Rejects with a StartupError (exit status 2)
 * whose message is the one line to print, when the address cannot be had.
 */
export function bindListener(port: number, host: string, handler: RequestListener): Promise<Listener> {
  let current = handler;
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const server: Server = createServer();
  // Registered before the dispatcher, so a response begun while draining says Connection: close
  // before any handler can have written its headers.
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A keep-alive connection whose response went out before the drain began is idle now.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => current(req, res));

  let closing: Promise<boolean> | undefined;
  const close = (graceMs: number): Promise<boolean> => {
    closing ??= new Promise<boolean>((resolve) => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      const cut = setTimeout(() => {
        server.closeAllConnections();
        resolve(false);
      }, graceMs);
      server.close(() => {
        clearTimeout(cut);
        resolve(true);
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      const reason = REASONS[code] ?? (code ? `${code}` : err.message);
      reject(new StartupError(2, `cannot listen on ${hostPort(host, port)}: ${reason}`));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const info = server.address() as AddressInfo;
      resolve({
        url: `http://${hostPort(info.address, info.port)}`,
        serve: (next) => {
          current = next;
        },
        close,
      });
    });
  });
}
