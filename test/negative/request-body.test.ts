/**
 * The ways a request body reaches the server over a raw socket: in one piece (read straight from
 * node's buffer), in pieces, chunked, too large, or cut off. Each is answered, or at least
 * survived, with nothing logged as our failure.
 */
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { type TestService, useService } from '../helpers/service.js';
import { signedPost, tag, type WireRequest } from './wire.js';

const STS = { service: 'sts' } as const;
const GET_CALLER_IDENTITY = 'Action=GetCallerIdentity&Version=2011-06-15';

let svc: TestService;
useService((s) => ({ svc } = s));

interface RawReply {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: string;
}

/** Write the head and then each piece of the body, `gapMs` apart; read until the server closes. */
function sendRaw(head: string, pieces: readonly (string | Buffer)[], gapMs = 20): Promise<RawReply> {
  const { port } = new URL(svc.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status: Number(text.slice(9, 12)), code: tag(body, 'Code'), body });
    });
    socket.on('connect', async () => {
      socket.write(head);
      for (const piece of pieces) {
        await new Promise((done) => setTimeout(done, gapMs));
        socket.write(piece);
      }
    });
  });
}

function headOf(req: WireRequest, extra: Record<string, string>): string {
  const headers = { ...req.headers, connection: 'close', ...extra };
  return `POST / HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

function chunked(pieces: readonly string[]): string[] {
  return [...pieces.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`), '0\r\n\r\n'];
}

const failures = () => svc.logs.filter((l) => l.includes('"level":"error"'));

describe('request bodies', () => {
  test('a body sent in several pieces after the headers is read whole', async () => {
    const req = await signedPost(svc.url, GET_CALLER_IDENTITY, { key: svc.root, ...STS });
    const body = GET_CALLER_IDENTITY;
    const reply = await sendRaw(headOf(req, { 'content-length': String(body.length) }), [body.slice(0, 10), body.slice(10, 30), body.slice(30)]);
    expect(reply.status).toBe(200);
    expect(tag(reply.body, 'Account')).toBe(svc.account.accountId);
  });

  test('a chunked body is read whole', async () => {
    const req = await signedPost(svc.url, GET_CALLER_IDENTITY, { key: svc.root, ...STS });
    const body = GET_CALLER_IDENTITY;
    const reply = await sendRaw(headOf(req, { 'transfer-encoding': 'chunked' }), chunked([body.slice(0, 7), body.slice(7)]));
    expect(reply.status).toBe(200);
    expect(tag(reply.body, 'Account')).toBe(svc.account.accountId);
  });

  test('a chunked body over 1 MB is RequestEntityTooLarge', async () => {
    const req = await signedPost(svc.url, GET_CALLER_IDENTITY, { key: svc.root, ...STS });
    const piece = 'a'.repeat(256 * 1024);
    const reply = await sendRaw(headOf(req, { 'transfer-encoding': 'chunked' }), chunked([piece, piece, piece, piece, piece]), 1);
    expect([reply.status, reply.code]).toEqual([413, 'RequestEntityTooLarge']);
  });

  test('a body changed after signing is refused, in one piece or in several', async () => {
    const req = await signedPost(svc.url, GET_CALLER_IDENTITY, { key: svc.root, ...STS });
    const other = GET_CALLER_IDENTITY.replace('GetCallerIdentity', 'GetSessionToken');
    const whole = await sendRaw(headOf(req, { 'content-length': String(other.length) }), [other], 0);
    const pieces = await sendRaw(headOf(req, { 'content-length': String(other.length) }), [other.slice(0, 5), other.slice(5)]);
    expect([whole.status, whole.code, pieces.status, pieces.code]).toEqual([403, 'SignatureDoesNotMatch', 403, 'SignatureDoesNotMatch']);
  });

  test('a client that goes away in the middle of its body changes nothing and breaks nothing', async () => {
    const before = failures().length;
    const req = await signedPost(svc.url, GET_CALLER_IDENTITY, { key: svc.root, ...STS });
    const { port } = new URL(svc.url);
    await new Promise<void>((done, fail) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(headOf(req, { 'content-length': String(GET_CALLER_IDENTITY.length) }));
        socket.write(GET_CALLER_IDENTITY.slice(0, 10));
        setTimeout(() => socket.destroy(), 30);
      });
      socket.on('close', () => done());
      socket.on('error', fail);
    });
    // The server still answers, and logged nothing as its own failure.
    const again = await signedPost(svc.url, GET_CALLER_IDENTITY, { key: svc.root, ...STS });
    const reply = await sendRaw(headOf(again, { 'content-length': String(GET_CALLER_IDENTITY.length) }), [GET_CALLER_IDENTITY], 0);
    expect(reply.status).toBe(200);
    await new Promise((done) => setTimeout(done, 50));
    expect(failures().slice(before)).toEqual([]);
  });
});
