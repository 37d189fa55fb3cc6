/**
 * GET /metrics (src/metrics.ts, src/http/app.ts): the counters rise by exactly what was done,
 * with finite labels; access is a bearer token (or public, or off); hostile input adds no
 * series; nothing secret or from the request is ever a label.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { CreateLoginProfileCommand, CreateRoleCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.js';
import { ConsoleClient, csrfOf } from '../helpers/console.js';
import { allow, credentialsOf, startService, type Credentials, type TestService } from '../helpers/service.js';

const TOKEN = 'prom-scrape-token-6f1c0e2a9b7d4c3e8f5a1b2c';
const CONTENT_TYPE = /^text\/plain; version=0\.0\.4(; charset=utf-8)?$/;

/** One sample line: `name{label="value",…} value` (no timestamps: prom-client writes none). */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * A strict reader of the text exposition format: every line is a HELP, a TYPE, or a sample whose
 * metric was declared by a TYPE line before it; label values are quoted with only \\, \" and \n
 * escaped; values are numbers (or ±Inf, NaN). Anything else fails the test.
 */
function parseExposition(text: string): Sample[] {
  expect(text.endsWith('\n'), 'the exposition ends with a newline').toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleLine = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*)\\})? (\\S+)$`);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const help = new RegExp(`^# HELP (${NAME}) .*$`).exec(line);
    if (help) continue;
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type?.[1] && type[2]) {
      expect(types.has(type[1]), `one TYPE line for ${type[1]}`).toBe(false);
      types.set(type[1], type[2]);
      continue;
    }
    const m = sampleLine.exec(line);
    expect(m, `a sample line: ${line}`).not.toBeNull();
    if (!m?.[1] || m[3] === undefined) continue;
    const name = m[1];
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total)$/, '');
    expect(types.has(family) || types.has(name), `${name} declared by a TYPE line`).toBe(true);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) if (k !== undefined && v !== undefined) labels[k] = v;
    // Prometheus reads floats as Go's ParseFloat does: NaN in any case (prom-client writes `Nan`).
    const nan = /^nan$/i.test(m[3]);
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : nan ? NaN : Number(m[3]);
    expect(Number.isNaN(value) && !nan, `a number: ${line}`).toBe(false);
    samples.push({ name, labels, value });
  }
  return samples;
}

function seriesKey(s: Sample): string {
  return `${s.name}{${Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',')}}`;
}

/** The value of one series (0 when absent: a counter not yet seen). */
function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.find((s) => s.name === name && Object.keys(labels).length === Object.keys(s.labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value ?? 0;
}

async function scrape(url: string, token = TOKEN): Promise<{ text: string; samples: Sample[] }> {
  const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(CONTENT_TYPE);
  const text = await r.text();
  return { text, samples: parseExposition(text) };
}

/** An HTTP request with exactly these header bytes (what fetch would refuse to send). */
function rawRequest(url: string, head: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(`${head}\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`, 'latin1')));
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

function head(url: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: 'HEAD', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A seeded generator: the "random" inputs are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function junk(rand: () => number, length: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%&=+/:;,!*()'): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

let svc: TestService;
let user: Credentials & { userName: string };
let nobody: Credentials & { userName: string };
let roleArn: string;
const secrets: string[] = [];

beforeAll(async () => {
  svc = await startService({ metrics: { kind: 'token', token: TOKEN }, version: '9.8.7-test' });
  const acct = svc.account.accountId;
  user = await svc.userWithPolicy('metrics-user', allow(['sts:AssumeRole', 'sts:GetSessionToken']));
  nobody = await svc.userWithPolicy('metrics-nobody');
  const role = await svc.iam().send(
    new CreateRoleCommand({
      RoleName: 'metrics-role',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }] }),
    }),
  );
  roleArn = role.Role?.Arn ?? '';
  secrets.push(TOKEN, acct, svc.root.accessKeyId, svc.root.secretAccessKey, user.accessKeyId, user.secretAccessKey, nobody.accessKeyId, nobody.secretAccessKey, roleArn, 'metrics-user', 'metrics-nobody');
});

afterAll(async () => {
  await svc?.close();
});

describe('counting', () => {
  it('each call rises its series by exactly one, under the operation, outcome and service it had', async () => {
    const before = await scrape(svc.url);
    const sts = svc.sts();
    for (let i = 0; i < 3; i++) await sts.send(new GetCallerIdentityCommand({}));
    // AccessDenied: a user with no policy.
    for (let i = 0; i < 2; i++) await expect(svc.iam(nobody).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    // SignatureDoesNotMatch: the right key id, the wrong secret.
    await expect(svc.sts({ accessKeyId: user.accessKeyId, secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    // An Action nobody implements: never a label of its own.
    const unknown = await fetch(`${svc.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=MakeMeAdmin&Version=2011-06-15' });
    expect(unknown.status).toBe(400);
    // Credentials handed out.
    const assumed = await svc.sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'metrics' }));
    const session = await svc.sts(user).send(new GetSessionTokenCommand({}));
    const issued = [credentialsOf(assumed.Credentials), credentialsOf(session.Credentials)];
    for (const c of issued) secrets.push(c.accessKeyId, c.secretAccessKey, c.sessionToken ?? '');

    const after = await scrape(svc.url);
    const rise = (name: string, labels: Record<string, string>) => valueOf(after.samples, name, labels) - valueOf(before.samples, name, labels);
    const requests = (service: string, operation: string, outcome: string) => rise('latchkey_requests_total', { service, operation, outcome });
    expect(requests('sts', 'GetCallerIdentity', 'ok')).toBe(3);
    expect(requests('iam', 'ListUsers', 'AccessDenied')).toBe(2);
    expect(requests('sts', 'GetCallerIdentity', 'SignatureDoesNotMatch')).toBe(1);
    expect(requests('other', 'unknown', 'InvalidAction')).toBe(1);
    expect(requests('sts', 'AssumeRole', 'ok')).toBe(1);
    expect(requests('sts', 'GetSessionToken', 'ok')).toBe(1);
    // Every series that rose is one of those: the scrapes themselves are not counted.
    const rose = after.samples.filter((s) => s.name === 'latchkey_requests_total' && s.value !== valueOf(before.samples, s.name, s.labels)).map((s) => s.labels);
    expect(rose).toHaveLength(6);
    expect(after.samples.some((s) => s.name === 'latchkey_requests_total' && s.labels.operation === 'MakeMeAdmin')).toBe(false);

    // The histogram's count is the number of requests of the operation, whatever their outcome.
    const duration = (suffix: string, operation: string, extra: Record<string, string> = {}) => rise(`latchkey_request_duration_seconds_${suffix}`, { service: 'sts', operation, ...extra });
    expect(duration('count', 'GetCallerIdentity')).toBe(4);
    expect(duration('bucket', 'GetCallerIdentity', { le: '+Inf' })).toBe(4);
    expect(duration('sum', 'GetCallerIdentity')).toBeGreaterThan(0);
    expect(rise('latchkey_request_duration_seconds_count', { service: 'iam', operation: 'ListUsers' })).toBe(2);

    expect(rise('latchkey_credentials_issued_total', { operation: 'AssumeRole' })).toBe(1);
    expect(rise('latchkey_credentials_issued_total', { operation: 'GetSessionToken' })).toBe(1);
    // A refused call hands out nothing.
    await expect(svc.sts(nobody).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'denied' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const later = await scrape(svc.url);
    expect(valueOf(later.samples, 'latchkey_credentials_issued_total', { operation: 'AssumeRole' })).toBe(valueOf(after.samples, 'latchkey_credentials_issued_total', { operation: 'AssumeRole' }));
    expect(valueOf(later.samples, 'latchkey_requests_total', { service: 'sts', operation: 'AssumeRole', outcome: 'AccessDenied' })).toBe(1);
  });

  it('counts the federation endpoint under its action, and an unknown action as unknown', async () => {
    const before = await scrape(svc.url);
    expect((await fetch(`${svc.url}/federation?Action=getSigninToken`)).status).toBe(400);
    expect((await fetch(`${svc.url}/federation?Action=${encodeURIComponent('<script>x</script>')}`)).status).toBe(400);
    const after = await scrape(svc.url);
    const rise = (labels: Record<string, string>) => valueOf(after.samples, 'latchkey_requests_total', labels) - valueOf(before.samples, 'latchkey_requests_total', labels);
    expect(rise({ service: 'federation', operation: 'getSigninToken', outcome: 'MissingParameter' })).toBe(1);
    expect(rise({ service: 'federation', operation: 'unknown', outcome: 'InvalidAction' })).toBe(1);
  });

  it('counts console pages under fixed route names, sign-ins by result, and console credentials issued', async () => {
    const password = 'Metrics-passw0rd-1';
    await svc.iam().send(new CreateLoginProfileCommand({ UserName: 'metrics-user', Password: password }));
    secrets.push(password);
    const before = await scrape(svc.url);
    const signIn = async (browser: ConsoleClient, pw: string) => {
      const form = await browser.get('/console/signin');
      return browser.post('/console/signin', { csrf: csrfOf(form), account: svc.account.accountId, username: 'metrics-user', password: pw });
    };
    expect((await signIn(new ConsoleClient(svc.url), 'Wrong-passw0rd-1')).status).toBe(401);
    const browser = new ConsoleClient(svc.url);
    expect((await signIn(browser, password)).status).toBe(303);
    const home = await browser.get('/console');
    expect(home.status).toBe(200);
    expect((await browser.post('/console/credentials', { csrf: csrfOf(home) })).status).toBe(200);

    const after = await scrape(svc.url);
    const rise = (name: string, labels: Record<string, string>) => valueOf(after.samples, name, labels) - valueOf(before.samples, name, labels);
    expect(rise('latchkey_console_sign_ins_total', { result: 'refused' })).toBe(1);
    expect(rise('latchkey_console_sign_ins_total', { result: 'success' })).toBe(1);
    expect(rise('latchkey_requests_total', { service: 'console', operation: 'GET /console/signin', outcome: 'ok' })).toBe(2);
    expect(rise('latchkey_requests_total', { service: 'console', operation: 'POST /console/signin', outcome: 'AccessDenied' })).toBe(1);
    expect(rise('latchkey_requests_total', { service: 'console', operation: 'POST /console/signin', outcome: 'ok' })).toBe(1);
    expect(rise('latchkey_requests_total', { service: 'console', operation: 'POST /console/credentials', outcome: 'ok' })).toBe(1);
    expect(rise('latchkey_credentials_issued_total', { operation: 'GetConsoleCredentials' })).toBe(1);
  });

  it('serves the build info, prom-client\'s process metrics, and a parseable exposition', async () => {
    const { samples } = await scrape(svc.url);
    expect(valueOf(samples, 'latchkey_build_info', { version: '9.8.7-test' })).toBe(1);
    for (const name of ['process_cpu_user_seconds_total', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(samples.some((s) => s.name === name), name).toBe(true);
    }
  });
});

describe('cardinality', () => {
  /** Random Actions (POST and GET), random paths, junk bodies and methods: the same for one seed. */
  async function hostile(seed: number, count: number): Promise<void> {
    const rand = prng(seed);
    for (let i = 0; i < count; i++) {
      const kind = i % 5;
      let r: Response;
      if (kind === 0) r = await fetch(`${svc.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `Action=${encodeURIComponent(junk(rand, 1 + Math.floor(rand() * 40)))}&Version=2011-06-15` });
      else if (kind === 1) r = await fetch(`${svc.url}/?Action=${encodeURIComponent(junk(rand, 1 + Math.floor(rand() * 40)))}&Version=2010-05-08`);
      else if (kind === 2) r = await fetch(`${svc.url}/${junk(rand, 1 + Math.floor(rand() * 30), 'abcdefghijklmnopqrstuvwxyz0123456789-_.~/')}`);
      else if (kind === 3) r = await fetch(`${svc.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `Action=${junk(rand, 8)}&${junk(rand, 1 + Math.floor(rand() * 200))}` });
      else r = await fetch(`${svc.url}/federation?Action=${encodeURIComponent(junk(rand, 1 + Math.floor(rand() * 20)))}`);
      await r.arrayBuffer();
      expect(r.status, `request ${i} of seed ${seed}`).toBeLessThan(500);
    }
  }

  it('200 hostile requests add no series, and every label value is from the finite sets', async () => {
    await hostile(1, 50);
    const before = await scrape(svc.url);
    await hostile(2, 200);
    const after = await scrape(svc.url);
    const series = (samples: readonly Sample[]) => new Set(samples.filter((s) => s.name.startsWith('latchkey_')).map(seriesKey));
    expect([...series(after.samples)].filter((k) => !series(before.samples).has(k))).toEqual([]);
    expect(valueOf(after.samples, 'latchkey_requests_total', { service: 'other', operation: 'unknown', outcome: 'InvalidAction' }) - valueOf(before.samples, 'latchkey_requests_total', { service: 'other', operation: 'unknown', outcome: 'InvalidAction' })).toBeGreaterThanOrEqual(120);

    const operations = new Set([...svc.service.deps.operations.values()].map((d) => d.name));
    const outcomes = new Set(['ok', 'other', ...Object.keys(ERRORS)]);
    for (const s of after.samples.filter((x) => x.name === 'latchkey_requests_total')) {
      const { service, operation, outcome } = s.labels;
      expect(['sts', 'iam', 'console', 'federation', 'other']).toContain(service);
      expect(outcomes.has(outcome ?? ''), `outcome ${outcome}`).toBe(true);
      if (service === 'sts' || service === 'iam') expect(operations.has(operation ?? ''), `operation ${operation}`).toBe(true);
      else expect(operation, `operation ${operation}`).toMatch(/^(unknown|getSigninToken|login|(GET|POST) \/console[a-z/]*)$/);
    }
  });
});

describe('access', () => {
  it('refuses a missing, wrong or malformed Authorization with 401 and a bearer challenge', async () => {
    const wrong = [
      undefined,
      `Bearer ${TOKEN.slice(0, -1)}x`,
      `Bearer ${TOKEN.slice(0, 10)}`,
      `Bearer ${TOKEN}${TOKEN}`,
      `Bearer ${TOKEN} extra`,
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`,
      TOKEN,
      `Token ${TOKEN}`,
      `Bearer\t${TOKEN}`,
      'x'.repeat(8000),
    ];
    for (const authorization of wrong) {
      const r = await fetch(`${svc.url}/metrics`, authorization === undefined ? {} : { headers: { authorization } });
      expect(r.status, String(authorization).slice(0, 40)).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(r.headers.get('content-type')).toBe('application/json');
      const body = await r.text();
      expect(JSON.parse(body)).toMatchObject({ status: 'unauthorized' });
      expect(body).not.toContain(TOKEN);
    }
  });

  it('serves the right token (the scheme in any case)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) expect((await fetch(`${svc.url}/metrics`, { headers: { authorization: `${scheme} ${TOKEN}` } })).status).toBe(200);
  });

  it('never answers 5xx to hostile headers or methods', async () => {
    for (const raw of [
      'GET /metrics HTTP/1.1\r\nAuthorization: Bearer \xff\xfe\xe9\xe8',
      'GET /metrics HTTP/1.1\r\nAuthorization: \x80\x81 Bearer',
      `GET /metrics HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\nAuthorization: Bearer wrong`,
      'GET /metrics?x=%ff%fe HTTP/1.1',
      'GET /metrics/ HTTP/1.1',
      'GET //metrics HTTP/1.1',
    ]) {
      const status = await rawRequest(svc.url, raw);
      expect(status, JSON.stringify(raw)).toBeGreaterThanOrEqual(400);
      expect(status, JSON.stringify(raw)).toBeLessThan(500);
    }
    expect(await head(svc.url, '/metrics')).toBe(401);
    expect(await head(svc.url, '/metrics', { authorization: `Bearer ${TOKEN}` })).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await fetch(`${svc.url}/metrics`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
      expect([404, 405], method).toContain(r.status);
    }
  });

  it('is off (404, as any unknown path) when neither METRICS_TOKEN nor METRICS_PUBLIC is set', async () => {
    const off = await startService();
    try {
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
        const r = await fetch(`${off.url}/metrics`, { headers });
        expect(r.status).toBe(404);
        expect(await r.text()).not.toMatch(/latchkey_|METRICS/);
      }
    } finally {
      await off.close();
    }
  });

  it('is served to anyone with METRICS_PUBLIC', async () => {
    const open = await startService({ metrics: { kind: 'public' } });
    try {
      await open.sts().send(new GetCallerIdentityCommand({}));
      const r = await fetch(`${open.url}/metrics`);
      expect(r.status).toBe(200);
      const samples = parseExposition(await r.text());
      expect(valueOf(samples, 'latchkey_requests_total', { service: 'sts', operation: 'GetCallerIdentity', outcome: 'ok' })).toBe(1);
      // Its own registry: the token service's counts are not here.
      expect(valueOf(samples, 'latchkey_requests_total', { service: 'iam', operation: 'ListUsers', outcome: 'AccessDenied' })).toBe(0);
    } finally {
      await open.close();
    }
  });
});

describe('secrets', () => {
  it('no key id, secret, session token, account id, ARN, user name or the metrics token in the exposition or the log', async () => {
    const { text } = await scrape(svc.url);
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets.filter((s) => s !== '')) expect(text, secret.slice(0, 8)).not.toContain(secret);
    for (const line of svc.logs) expect(line).not.toContain(TOKEN);
  });
});
