/**
 * A TCP proxy a test can cut and restore, or silence and resume: the database "goes away" (every
 * connection through it is destroyed and new ones are refused) and comes back on the same port, as
 * when a database server restarts; or it goes silent (connections stay open, nothing gets through
 * either way) and speaks again, as when a network drops packets and then heals within TCP's
 * retransmission time (what was sent meanwhile arrives then, in order).
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Destroy every connection and stop accepting new ones (connects get ECONNREFUSED). */
  cut(): Promise<void>;
  /** Accept connections again, on the same port. */
  restore(): Promise<void>;
  /** Forward nothing, either way, on existing and new connections; hold it until resume(). */
  silence(): void;
  /** Deliver what was held, and forward again. */
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let silent = false;
  const held: { readonly to: Socket; readonly data: Buffer }[] = [];

  const forward = (from: Socket, to: Socket) =>
    from.on('data', (data: Buffer) => {
      if (silent) held.push({ to, data });
      else to.write(data);
    });

  const open = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
          // A close while silent is held too: the other side learns of it only when the silence ends.
          sock.on('end', () => (silent ? held.push({ to: sock === client ? upstream : client, data: Buffer.alloc(0) }) : (sock === client ? upstream : client).end()));
        }
        forward(client, upstream);
        forward(upstream, client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const address = s.address();
        if (address && typeof address === 'object') port = address.port;
        server = s;
        resolve();
      });
    });

  const cut = () =>
    new Promise<void>((resolve) => {
      held.length = 0;
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await open();
  return {
    get port() {
      return port;
    },
    cut,
    restore: open,
    silence() {
      silent = true;
    },
    resume() {
      silent = false;
      for (const { to, data } of held.splice(0)) {
        if (to.destroyed) continue;
        if (data.length === 0) to.end();
        else to.write(data);
      }
    },
    close: cut,
  };
}
