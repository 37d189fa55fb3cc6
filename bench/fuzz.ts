/**
 * `npm run fuzz -- --requests N`: a black-box pass of N hostile requests against the service in
 * its own process (bench/fuzz-server.ts), on a file-backed PGlite and then, when a URL is given
 * (--database-url or LATCHKEY_FUZZ_DATABASE_URL), on a scratch PostgreSQL database created
 * beside it and dropped afterwards. Only ever 127.0.0.1: the server binds loopback and this
 * process refuses any other address.
 *
 * The mix: the generated requests of test/fuzz/requests.ts (validly signed with hostile
 * parameters for any action of both services, unsigned ones with federation actions among them,
 * presigned URLs, random bytes and broken form encoding, hostile Authorization headers,
 * signatures damaged after signing), plus over raw sockets a few of what an HTTP client library
 * will not send: random bytes instead of HTTP, URLs and headers past node's limits, bodies past
 * the 1 MiB limit, and bodies that stop half way (slow, then gone).
 *
 * Per backend it prints the status histogram, the count of 5xx (must be 0), of replies not in
 * AWS's shape, of connection errors, requests/s, and the server process's RSS (VmRSS in
 * /proc/<pid>/status) before the run, after the warm-up (a tenth of the requests, at most
 * 50,000) and at the end, with samples in between: once warm, every cache is bounded, so the
 * RSS stays flat. Exits 1 on any 5xx, any reply not in AWS's shape, or a server that died.
 *
 * Options: --requests N (20,000), --concurrency C (16), --seed S (LATCHKEY_FUZZ_SEED or fixed),
 * --database-url URL, --only pglite|postgres.
 */
import { CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { connect } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewAccount } from '../src/accounts/accounts.js';
import { loadServices } from '../src/protocol/index.js';
import { generateKey } from '../src/tokens/keyring.js';
import { scratchDatabase } from '../test/helpers/scratch-database.js';
import { TINY_POLICY } from '../test/negative/minimal-params.js';
import { createAgent, send, type Key, type WireRequest } from '../test/negative/wire.js';
import { replyProblem, requestPlan, toWire, UNKNOWN_KEY, type Keys, type Plan } from '../test/fuzz/requests.js';
import { SEED } from '../test/fuzz/settings.js';
import { ForkedServer } from './forked-server.js';
import type { FromFuzzServer, FuzzBackend, ServerStats, ToFuzzServer } from './fuzz-server.js';

interface Options {
  readonly requests: number;
  readonly concurrency: number;
  readonly seed: number;
  readonly databaseUrl: string | undefined;
  readonly only: FuzzBackend | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i !== -1) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const count = (name: string, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${raw}`);
    return n;
  };
  const only = get('only');
  if (only !== undefined && only !== 'pglite' && only !== 'postgres') throw new Error('--only is pglite or postgres');
  const known = new Set(['--requests', '--concurrency', '--seed', '--database-url', '--only']);
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.has(a.split('=')[0] ?? a) && !(i > 0 && known.has(argv[i - 1] ?? '')));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')}`);
  return {
    requests: count('requests', 20_000),
    concurrency: count('concurrency', 16),
    seed: count('seed', SEED),
    databaseUrl: get('database-url') ?? (process.env.LATCHKEY_FUZZ_DATABASE_URL || undefined),
    only,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* The server process                                                                           */
/* ------------------------------------------------------------------------------------------ */

class FuzzServer extends ForkedServer<ToFuzzServer, FromFuzzServer> {
  constructor() {
    super('./fuzz-server.ts', { type: 'stop' });
  }

  async stats(): Promise<ServerStats> {
    return (await this.ask({ type: 'stats' }, 'stats')).stats;
  }

  /** VmRSS of the server process, in MiB. */
  async rssMiB(): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    if (kb === undefined) throw new Error('no VmRSS in /proc/<pid>/status');
    return Number(kb) / 1024;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Fixtures: who signs                                                                          */
/* ------------------------------------------------------------------------------------------ */

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

/** Root, an IAM user allowed everything, one allowed nothing, a session, and the entities the generated parameters name. */
async function fixtures(url: string, root: NewAccount): Promise<Keys> {
  const config = (credentials: Key) => ({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const rootKey = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey };
  const iam = new IAMClient(config(rootKey));
  try {
    const user = async (name: string, policy: string | undefined): Promise<Key> => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'all', PolicyDocument: policy }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
      return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    };
    const admin = await user('fuzz-admin', ALLOW_ALL);
    const denied = await user('fuzz-denied', undefined);
    const sts = new STSClient(config(admin));
    const { Credentials: c } = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 129_600 }));
    sts.destroy();
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('GetSessionToken returned no credentials');
    await iam.send(new CreateUserCommand({ UserName: 'negative' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'negative' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'negative', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'negative-policy', PolicyDocument: TINY_POLICY }));
    return { root: rootKey, admin, denied, session: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, unknown: UNKNOWN_KEY };
  } finally {
    iam.destroy();
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The requests                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/** What only a raw socket sends (an HTTP client library would refuse, or fix it). */
type RawKind = 'garbage' | 'huge-url' | 'huge-headers' | 'oversized-body' | 'partial-body';

/** Out of every 1,000 requests, how many of each raw kind (the rest are generated plans). */
const RAW_PER_THOUSAND: Readonly<Record<RawKind, number>> = { garbage: 10, 'huge-url': 3, 'huge-headers': 3, 'oversized-body': 2, 'partial-body': 2 };

/** Distinct generated plans; a longer run sends them again, newly signed. */
const MAX_PLANS = 50_000;

/** mulberry32: a small seeded generator for the runner's own choices. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tally {
  readonly statuses: Map<string, number>;
  fiveXx: number;
  /** Replies with a request id (so from the service) not in AWS's shape. */
  shape: number;
  /** 4xx answered by node's HTTP parser before the service saw the request (no request id). */
  parser: number;
  connectionErrors: number;
  readonly examples: string[];
}

function count(t: Tally, key: string): void {
  t.statuses.set(key, (t.statuses.get(key) ?? 0) + 1);
}

function example(t: Tally, text: string): void {
  if (t.examples.length < 10) t.examples.push(text.length > 600 ? `${text.slice(0, 600)}…` : text);
}

function describePlan(plan: Plan): string {
  return JSON.stringify(plan, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v));
}

async function sendPlan(plan: Plan, url: string, keys: Keys, agent: Agent, t: Tally): Promise<void> {
  let wire: WireRequest;
  try {
    wire = await toWire(plan, url, keys);
  } catch {
    // A plan the client side cannot write (e.g. the SDK's signer refusing a value): not a request.
    count(t, 'unsendable');
    return;
  }
  try {
    const reply = await withTimeout(send(url, wire, agent), 30_000);
    count(t, String(reply.status));
    if (reply.status >= 500) {
      t.fiveXx++;
      example(t, `${reply.status} ${reply.code ?? ''} ${reply.message ?? ''} for ${describePlan(plan)}`);
    } else if (reply.requestId === undefined && reply.status >= 400) {
      t.parser++;
    } else {
      const problem = replyProblem(reply.status, reply.body, reply.requestId);
      if (problem !== undefined) {
        t.shape++;
        example(t, `${problem} for ${describePlan(plan)}`);
      }
    }
  } catch (err) {
    t.connectionErrors++;
    count(t, 'connection error');
    example(t, `connection error ${(err as Error).message} for ${describePlan(plan)}`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Write `pieces` on a fresh connection (a gap before each), read until the server closes or `ms` pass; the status line's code, if any. */
function rawExchange(port: number, pieces: readonly (string | Uint8Array)[], gapMs: number, ms: number, hangUp: boolean): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      const head = Buffer.concat(chunks).subarray(0, 16).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve(m?.[1] === undefined ? undefined : Number(m[1]));
    };
    const timer = setTimeout(() => done(), ms);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => (chunks.length > 0 ? done() : done(err)));
    socket.on('close', () => done());
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (socket.destroyed) return;
        socket.write(piece);
      }
      if (hangUp) done();
    });
  });
}

async function sendRaw(kind: RawKind, port: number, random: () => number, t: Tally): Promise<void> {
  const host = `127.0.0.1:${port}`;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  let status: number | undefined;
  try {
    switch (kind) {
      case 'garbage':
        status = await rawExchange(port, [bytes(1 + Math.floor(random() * 2048))], 0, 5_000, false);
        break;
      case 'huge-url':
        status = await rawExchange(port, [`GET /?Action=GetCallerIdentity&Version=2011-06-15&X=${'a'.repeat(20_000 + Math.floor(random() * 50_000))} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`], 0, 5_000, false);
        break;
      case 'huge-headers':
        status = await rawExchange(port, [`POST / HTTP/1.1\r\nHost: ${host}\r\nAuthorization: AWS4-HMAC-SHA256 ${'Credential=x, '.repeat(2_000)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`], 0, 5_000, false);
        break;
      case 'oversized-body': {
        // Declared, then (half the time) sent: 413 before the body is read either way.
        const size = 1024 * 1024 + 1 + Math.floor(random() * 1024);
        const head = `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;
        status = await rawExchange(port, random() < 0.5 ? [head] : [head, new Uint8Array(size).fill(0x61)], 0, 10_000, false);
        break;
      }
      case 'partial-body': {
        // A slow body that stops half way, and the client gone: the server must let go of it.
        const head = `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`;
        status = await rawExchange(port, [head, 'Action=GetCallerIdentity', '&Version=2011-06-15'], 100, 5_000, true);
        break;
      }
    }
    count(t, status === undefined ? `${kind}: no answer` : `${kind}: ${status}`);
    if (status !== undefined && status >= 500) {
      t.fiveXx++;
      example(t, `${status} for a raw ${kind} request`);
    }
  } catch {
    // The server may reset a connection that sent it garbage: that is its right, not an error of its.
    count(t, `${kind}: reset`);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* One backend                                                                                  */
/* ------------------------------------------------------------------------------------------ */

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function runBackend(backend: FuzzBackend, label: string, databaseUrl: string | undefined, options: Options): Promise<boolean> {
  const material = generateKey(new Date());
  const dataDir = backend === 'pglite' ? await mkdtemp(join(tmpdir(), 'latchkey-fuzz-')) : undefined;
  const server = new FuzzServer();
  try {
    const ready = await server.ask(
      { type: 'start', backend, ...(databaseUrl ? { databaseUrl } : {}), ...(dataDir ? { dataDir: join(dataDir, 'pglite') } : {}), key: { kid: material.kid, created: material.created, key: material.key.toString('base64') } },
      'ready',
    );
    const url = new URL(ready.url);
    if (url.hostname !== '127.0.0.1') throw new Error(`refusing to fuzz ${ready.url}: only 127.0.0.1`);
    const port = Number(url.port);
    const keys = await fixtures(ready.url, ready.root);
    const services = loadServices();
    const plans = requestPlan(services, ready.root.accountId);
    const agent = createAgent(options.concurrency);
    const random = rng(options.seed);
    const tally: Tally = { statuses: new Map(), fiveXx: 0, shape: 0, parser: 0, connectionErrors: 0, examples: [] };

    const warmup = Math.min(50_000, Math.ceil(options.requests / 10));
    const every = Math.max(1, Math.ceil(options.requests / 10));
    const rss: { at: number; mib: number }[] = [{ at: 0, mib: await server.rssMiB() }];
    console.log(`\n${label}: ${fmt(options.requests)} requests, ${options.concurrency} at a time, seed ${options.seed}, server pid ${server.pid}, RSS ${fmt(rss[0]?.mib ?? 0, 1)} MiB before`);

    // The plans come in batches, each from its own seed: the same --seed gives the same requests.
    // Generating one costs the load generator about a millisecond, so past MAX_PLANS distinct
    // ones they are sent again (signed anew, so with new signatures) in the same order.
    const BATCH = 500;
    const pool: Plan[] = [];
    let next = 0;
    const planAt = (i: number): Plan => {
      if (pool.length < MAX_PLANS && i >= pool.length) pool.push(...fc.sample(plans, { numRuns: BATCH, seed: options.seed + pool.length / BATCH }));
      const p = pool[i % pool.length];
      if (!p) throw new Error('fast-check returned no sample');
      return p;
    };
    const rawKinds = Object.entries(RAW_PER_THOUSAND) as [RawKind, number][];
    const pickRaw = (): RawKind | undefined => {
      let x = random() * 1000;
      for (const [kind, n] of rawKinds) {
        if (x < n) return kind;
        x -= n;
      }
      return undefined;
    };

    let sampling: Promise<void> = Promise.resolve();
    let warmRss = 0;
    const started = performance.now();
    let warmStarted = started;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < options.requests; i = next++) {
        if (server.exited !== undefined) throw new Error(`server process exited (${server.exited}) after ${i} requests`);
        const raw = pickRaw();
        if (raw) await sendRaw(raw, port, random, tally);
        else await sendPlan(planAt(i), ready.url, keys, agent, tally);
        const done = i + 1;
        if (done === warmup || done % every === 0 || done === options.requests) {
          sampling = sampling.then(async () => {
            const mib = await server.rssMiB();
            rss.push({ at: done, mib });
            if (done === warmup) {
              warmRss = mib;
              warmStarted = performance.now();
            }
            const seconds = (performance.now() - started) / 1000;
            process.stdout.write(`  ${label}: ${fmt(done)} requests, ${fmt(done / seconds)} req/s, RSS ${fmt(mib, 1)} MiB, 5xx ${tally.fiveXx}\n`);
          });
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    await sampling;
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    const stats = await server.stats();
    const endRss = rss[rss.length - 1]?.mib ?? 0;

    console.log(`\n${label}: ${fmt(options.requests)} requests in ${fmt(seconds, 1)} s, ${fmt(options.requests / seconds)} req/s`);
    const rows = [...tally.statuses].sort((a, b) => a[0].localeCompare(b[0]));
    for (const [key, n] of rows) console.log(`  ${key.padEnd(28)} ${fmt(n).padStart(10)}`);
    console.log(`  5xx: ${tally.fiveXx}   replies not in AWS's shape: ${tally.shape}   refused by node's HTTP parser (no request id): ${tally.parser}   connection errors: ${tally.connectionErrors}   server error log lines: ${stats.errorLines}`);
    console.log(`  RSS: ${fmt(rss[0]?.mib ?? 0, 1)} MiB before, ${fmt(warmRss, 1)} MiB after warm-up (${fmt(warmup)} requests), ${fmt(endRss, 1)} MiB at the end (${endRss >= warmRss ? '+' : ''}${fmt(endRss - warmRss, 1)} MiB over ${fmt(options.requests - warmup)} requests after warm-up, ${fmt((options.requests - warmup) / ((performance.now() - warmStarted) / 1000))} req/s)`);
    console.log(`  RSS samples (requests: MiB): ${rss.map((r) => `${fmt(r.at)}: ${fmt(r.mib, 1)}`).join(', ')}`);
    console.log(`  server heap ${fmt(stats.heapUsed / 1048576, 1)} MiB, external ${fmt(stats.external / 1048576, 1)} MiB; cache entries ${JSON.stringify(stats.caches)}`);
    for (const e of tally.examples) console.log(`  ! ${e}`);
    return tally.fiveXx === 0 && tally.shape === 0 && stats.errorLines === 0 && server.exited === undefined;
  } finally {
    await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * `drop database … with (force)` fails while autovacuum (a superuser's process) works on the
 * database, which it does after a run's hundreds of thousands of writes: wait and try again.
 */
async function dropWithRetries(drop: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await drop();
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 3_000));
    }
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  console.log(`npm run fuzz: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} before the run`);
  let ok = true;
  if (options.only !== 'postgres') ok = (await runBackend('pglite', 'PGlite (file-backed)', undefined, options)) && ok;
  if (options.only !== 'pglite') {
    if (!options.databaseUrl) {
      console.log('\n(PostgreSQL skipped: pass --database-url postgres://… or set LATCHKEY_FUZZ_DATABASE_URL; a scratch database is created beside it and dropped.)');
    } else {
      const scratch = await scratchDatabase(options.databaseUrl, 'latchkey_fuzz');
      try {
        ok = (await runBackend('postgres', 'PostgreSQL', scratch.url, options)) && ok;
      } finally {
        await dropWithRetries(scratch.drop);
      }
    }
  }
  console.log(ok ? '\nno 5xx, every reply in AWS\'s shape' : '\nFAILED: see the lines marked ! above');
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(2);
});
