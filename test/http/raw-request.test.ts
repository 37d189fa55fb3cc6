import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNodeRequest } from '../../src/http/raw-request.js';

/** What the server saw of each request: the body it read, whether it had to listen for it, and whether the message then ended. */
interface Seen {
  readonly body: string;
  readonly listened: boolean;
  readonly ended: boolean;
}

let server: Server;
let port = 0;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let listened = false;
    req.on('newListener', (event) => {
      if (event === 'data') listened = true;
    });
    readNodeRequest(req).then(
      (raw) => {
        const body = Buffer.from(raw.sig.body).toString('utf8');
        // Answered in a later turn, as the app does: by then the message must have ended.
        setImmediate(() => {
          seen.push({ body, listened, ended: req.readableEnded });
          res.end('ok');
        });
      },
      (err: unknown) => {
        res.statusCode = 400;
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** One connection, each piece written `gapMs` after the previous; resolves with what the server saw. */
async function send(pieces: readonly string[], gapMs = 20): Promise<Seen | undefined> {
  const before = seen.length;
  await new Promise<void>((done, fail) => {
    const socket = connect(port, '127.0.0.1', async () => {
      for (const [i, piece] of pieces.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
        socket.write(piece);
      }
    });
    socket.on('data', () => socket.end());
    socket.on('close', () => done());
    socket.on('error', fail);
  });
  return seen[before];
}

const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
const head = (headers: string) => `POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${headers}\r\n\r\n`;

describe('readNodeRequest', () => {
  it('takes a body that came with its headers from the stream buffer, without listening for it', async () => {
    expect(await send([head(`content-length: ${BODY.length}`) + BODY])).toEqual({ body: BODY, listened: false, ended: true });
  });

  it('reads a body that arrives after its headers as it comes', async () => {
    expect(await send([head(`content-length: ${BODY.length}`), BODY.slice(0, 9), BODY.slice(9)])).toEqual({ body: BODY, listened: true, ended: true });
  });

  it('reads a chunked body', async () => {
    const chunks = `9\r\n${BODY.slice(0, 9)}\r\n${(BODY.length - 9).toString(16)}\r\n${BODY.slice(9)}\r\n0\r\n\r\n`;
    expect((await send([head('transfer-encoding: chunked') + chunks]))?.body).toBe(BODY);
  });

  it('gives an empty body for Content-Length: 0, and the message ends', async () => {
    expect(await send([head('content-length: 0')])).toMatchObject({ body: '', ended: true });
  });
});

describe('the source address', () => {
  it('is plain IPv4 for an IPv4 client of a dual-stack socket', async () => {
    let sourceIp: string | undefined;
    const dual = createServer((req, res) => {
      void readNodeRequest(req).then((raw) => {
        sourceIp = raw.sourceIp;
        res.end('ok');
      });
    });
    await new Promise<void>((done) => dual.listen(0, '::', done));
    try {
      const dualPort = (dual.address() as AddressInfo).port;
      await new Promise<void>((done, fail) => {
        const socket = connect(dualPort, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
        socket.on('data', () => socket.end());
        socket.on('close', () => done());
        socket.on('error', fail);
      });
      expect(sourceIp).toBe('127.0.0.1');
    } finally {
      await new Promise<void>((done) => dual.close(() => done()));
    }
  });
});
