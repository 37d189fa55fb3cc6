/**
 * HTTP load benchmark (issue 4): the running service on loopback under a fixed number of
 * keep-alive connections, requests/s and p50/p99 latency for GetCallerIdentity (temporary and
 * long-term credentials), AssumeRole, AssumeRoleWithWebIdentity (an RS256 ID token from a local
 * issuer whose keys the service fetched once and caches), AssumeRoleWithSAML (a response signed by
 * the test IdP, one per request, signed before the run) and GetSessionToken, each beside a
 * baseline measured in the same run: a Hono route that returns a constant, on the same kind of server, fed the same bytes.
 * On PGlite, then on PostgreSQL when LATCHKEY_BENCH_DATABASE_URL is set (a scratch database is
 * created there and dropped afterwards).
 *
 * Targets: GetCallerIdentity with temporary credentials at least 50% of the baseline's
 * requests/s; AssumeRole on PostgreSQL at least 2,000 requests/s.
 *
 * The baseline and GetCallerIdentity with temporary credentials are measured in alternation,
 * LATCHKEY_BENCH_ROUNDS (3) times each, and reported combined with the share of every round.
 *
 * On PostgreSQL, the service is then also measured as deployed with WORKERS processes
 * (LATCHKEY_BENCH_WORKERS, default the number of cores; 1 skips it) beside the constant route on
 * as many processes.
 *
 * Tuning: LATCHKEY_BENCH_CONNECTIONS (32), LATCHKEY_BENCH_SECONDS (8 per case and round), LATCHKEY_BENCH_WARMUP (2);
 * LATCHKEY_BENCH_ONLY=text runs only the cases whose name contains it (and the baseline);
 * LATCHKEY_BENCH_CPU_PROF=dir writes a V8 CPU profile of the server process there;
 * LATCHKEY_BENCH_SERVER_FLAGS='--trace-opt …' passes node flags to the server process.
 */
import { availableParallelism, loadavg } from 'node:os';
import { generateKey, Keyring } from '../src/tokens/keyring.js';
import { scratchDatabase } from '../test/helpers/scratch-database.js';
import type { SamlBreakdown, StageResult, WireRequest } from './http-breakdown.js';
import { preflight, setUp, setUpSaml, setUpWebIdentity, signedSamlResponses, signPool, STS_VERSION, toAutocannon, unsignedPool, type Fixtures } from './http-fixtures.js';
import { startIssuer } from './http-issuer.js';
import { startConstant, startDeployed } from './http-deployed.js';
import { combine, runLoad, runLoadOnce, type LoadOptions, type LoadResult } from './http-load.js';
import { ForkedServer } from './forked-server.js';
import type { Backend, FromServer, ToServer } from './http-server.js';

const POOL = 64;

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

interface Case {
  readonly name: string;
  readonly result?: LoadResult;
  readonly skipped?: string;
  /** Its share of the baseline in each round, when measured in rounds beside it. */
  readonly shares?: readonly number[];
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

function report(title: string, baseline: LoadResult, cases: readonly Case[]): void {
  console.log(`\n${title}`);
  const rows = [{ name: baseline.name, result: baseline }, ...cases].map((c) => {
    const r = c.result;
    if (!r) return [c.name, 'skipped', '', '', '', c.skipped ?? ''];
    const share = r === baseline ? '100% (baseline)' : `${fmt((100 * r.requestsPerSec) / baseline.requestsPerSec)}%`;
    const bad = r.non2xx + r.errors;
    return [r.name, fmt(r.requestsPerSec), fmt(r.p50ms, 2), fmt(r.p99ms, 2), bad === 0 ? '0' : `${bad} !`, share];
  });
  table(['case', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'of baseline req/s'], rows);
  for (const c of cases) {
    if (c.shares && c.shares.length > 1) console.log(`  ${c.name}: ${c.shares.map((x) => `${fmt(100 * x)}%`).join(', ')} of the baseline in its ${c.shares.length} rounds`);
  }
  for (const c of [{ result: baseline }, ...cases]) {
    const r = c.result;
    if (r && r.non2xx + r.errors > 0) {
      console.log(`  ! ${r.name}: ${r.non2xx} non-2xx (${JSON.stringify(r.failed)}), ${r.errors} connection errors or timeouts out of ${r.total}: its numbers are not meaningful`);
    }
  }
}

function reportLayers(layers: readonly LoadResult[]): void {
  console.log('\nWhat each layer adds under load (GetCallerIdentity, temporary credentials; measured one after the other):');
  let previous: number | undefined;
  const rows = layers.map((r) => {
    const us = 1e6 / r.requestsPerSec;
    const added = previous === undefined ? '' : `+${fmt(us - previous, 1)}`;
    previous = us;
    return [r.name, fmt(r.requestsPerSec), fmt(us, 1), added];
  });
  table(['request path up to', 'req/s', 'µs per request', 'µs added'], rows);
}

function reportStages(stages: readonly StageResult[]): void {
  console.log('\nWhere the time goes (in the server process, no socket, one call at a time, caches warm):');
  table(['stage', 'ops/s', 'p50 µs', 'p99 µs'], stages.map((s) => [s.name, fmt(s.opsPerSec), fmt(s.p50us, 1), fmt(s.p99us, 1)]));
}


const ACTION = (name: string): [string, string][] => [['Action', name], ['Version', STS_VERSION]];
const ASSUME_ROLE = 'AssumeRole (long-term key → role session)';
const WEB_IDENTITY = 'AssumeRoleWithWebIdentity (RS256 ID token, keys cached)';
const SAML = 'AssumeRoleWithSAML (RSA-SHA256 signed assertion, each sent once)';
const SESSION_TOKEN = 'GetSessionToken (long-term key)';
/** Signed SAML responses per run at most (each ~5.3 KB of base64, ~1.9 ms to sign): LATCHKEY_BENCH_SAML_MAX. */
const SAML_MAX = envNumber('LATCHKEY_BENCH_SAML_MAX', 12_000);
/** The SAML stages of the breakdown: fresh responses for the whole call, one at a time. */
const SAML_BREAKDOWN = 1_500;

async function benchBackend(backend: Backend, label: string, databaseUrl: string | undefined, options: LoadOptions): Promise<{ baseline: LoadResult; cases: Case[] }> {
  const material = generateKey(new Date());
  const keyring = new Keyring([material]);
  const cpuProfDir = process.env.LATCHKEY_BENCH_CPU_PROF;
  const prof = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const server = new ForkedServer<ToServer, FromServer>('./http-server.ts', { type: 'stop' }, [
    ...process.execArgv,
    ...prof,
    ...(process.env.LATCHKEY_BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean),
  ]);
  // The web identity row's issuer, in this process: the service fetches its keys once.
  const issuer = await startIssuer();
  try {
    const ready = await server.ask(
      { type: 'start', backend, ...(databaseUrl ? { databaseUrl } : {}), key: { kid: material.kid, created: material.created, key: material.key.toString('base64') } },
      'ready',
    );
    const fx: Fixtures = await setUp(ready.url, ready.root, keyring, ready.operations);
    const has = (op: string) => ready.operations.includes(`${STS_VERSION}:${op}`);
    const webIdentity = has('AssumeRoleWithWebIdentity') ? await setUpWebIdentity(ready.url, ready.root, issuer.issuer, issuer.clientId) : undefined;
    // Distinct tokens (one subject each) and session names: nothing is the same request twice.
    const webIdentityParams = async (i: number): Promise<[string, string][]> => [
      ...ACTION('AssumeRoleWithWebIdentity'),
      ['RoleArn', webIdentity?.roleArn ?? ''],
      ['RoleSessionName', `bench-${i}`],
      ['WebIdentityToken', await issuer.token(`user-${i}`)],
    ];
    const webIdentityPool = async (): Promise<WireRequest[]> => unsignedPool(ready.url, await Promise.all(Array.from({ length: POOL }, (_, i) => webIdentityParams(i))));
    const saml = has('AssumeRoleWithSAML') ? await setUpSaml(ready.url, ready.root) : undefined;
    // One signed response per request: an assertion is accepted once.
    const samlPool = (size: number): WireRequest[] =>
      saml
        ? unsignedPool(
            ready.url,
            signedSamlResponses(size, saml).map((response) => [...ACTION('AssumeRoleWithSAML'), ['RoleArn', saml.roleArn], ['PrincipalArn', saml.providerArn], ['SAMLAssertion', response]]),
          )
        : [];

    // Each pool is signed just before its own run: signatures are good for 15 minutes.
    const temporaryPool = () =>
      signPool(ready.url, POOL, (i) => ({ key: fx.sessions[i % fx.sessions.length] ?? fx.userKey, params: ACTION('GetCallerIdentity'), secondsAgo: Math.floor(i / fx.sessions.length) }));
    const measured = async (name: string, url: string, pool: readonly WireRequest[], warm = true): Promise<LoadResult> => {
      const first = pool[0];
      if (first) await preflight(url, first);
      process.stdout.write(`  ${label}: ${name} …\n`);
      return runLoad(name, url, toAutocannon(pool), warm ? options : { ...options, warmupSeconds: 0 });
    };
    const only = (process.env.LATCHKEY_BENCH_ONLY ?? '').toLowerCase();
    const attempt = async (name: string, available: boolean, pool: () => Promise<WireRequest[]>): Promise<Case> => {
      if (!available) return { name, skipped: 'not implemented by this build' };
      if (only && !name.toLowerCase().includes(only)) return { name, skipped: 'not selected (LATCHKEY_BENCH_ONLY)' };
      try {
        return { name, result: await measured(name, ready.url, await pool()) };
      } catch (err) {
        return { name, skipped: `failed: ${(err as Error).message}` };
      }
    };

    /**
     * AssumeRoleWithSAML: every request carries its own signed response and is sent once, so the
     * pools are signed before the load (signing is the IdP's work, not the service's): a warm-up
     * pool sized from AssumeRole's rate (whose work is a subset of this one's; 16 to 32 requests
     * per connection), then a pool for
     * about LATCHKEY_BENCH_SECONDS at the warm-up's rate, at most SAML_MAX responses; the run
     * lasts as long as its pool.
     */
    const attemptSaml = async (assume: LoadResult | undefined): Promise<Case> => {
      if (!saml) return { name: SAML, skipped: 'not implemented by this build' };
      if (only && !SAML.toLowerCase().includes(only)) return { name: SAML, skipped: 'not selected (LATCHKEY_BENCH_ONLY)' };
      try {
        const floor = options.connections * 16;
        const signed = (size: number): WireRequest[] => {
          const started = performance.now();
          const pool = samlPool(size);
          signing.ms += performance.now() - started;
          signing.count += size;
          return pool;
        };
        const signing = { ms: 0, count: 0 };
        const [probe, ...warmup] = signed(1 + Math.max(floor, Math.min(2 * floor, Math.ceil(((assume?.requestsPerSec ?? 1000) * options.warmupSeconds) / 4))));
        if (probe) await preflight(ready.url, probe);
        process.stdout.write(`  ${label}: ${SAML}: ${fmt(warmup.length)} requests to warm up …\n`);
        let size = 0;
        const result = await runLoadOnce(SAML, ready.url, toAutocannon(warmup), (rate) => {
          size = Math.max(floor, Math.min(SAML_MAX, Math.ceil(rate * options.seconds)));
          process.stdout.write(`  ${label}: ${SAML}: ${fmt(size)} requests (${fmt(rate)}/s in the warm-up × ${options.seconds} s) …\n`);
          return toAutocannon(signed(size));
        }, options);
        samlSigning = `${fmt(signing.count)} responses signed before the load (${fmt(signing.ms / signing.count, 2)} ms each, ${fmt(signing.ms / 1000, 1)} s in all), ${fmt(size)} of them measured`;
        return { name: SAML, result };
      } catch (err) {
        return { name: SAML, skipped: `failed: ${(err as Error).message}` };
      }
    };
    let samlSigning: string | undefined;

    // The target's two rows are measured in alternation, round after round, so that the machine
    // slowing down or speeding up during the run (a shared VM does) moves both alike.
    const baselineName = 'baseline: Hono route returning a constant';
    const temporaryName = `GetCallerIdentity, temporary credentials (${fx.sessionsFrom})`;
    const baselineRounds: LoadResult[] = [];
    const temporaryRounds: LoadResult[] = [];
    let temporaryCase: Case | undefined;
    for (let round = 0; round < options.rounds; round++) {
      const tag = options.rounds > 1 ? ` (round ${round + 1} of ${options.rounds})` : '';
      baselineRounds.push(await measured(`${baselineName}${tag}`, ready.baselineUrl, await temporaryPool(), round === 0));
      if (temporaryCase?.skipped) continue;
      const c = await attempt(`${temporaryName}${tag}`, true, temporaryPool);
      if (c.result) temporaryRounds.push(c.result);
      else temporaryCase = { name: temporaryName, ...(c.skipped ? { skipped: c.skipped } : {}) };
    }
    const baseline = combine(baselineName, baselineRounds);
    const shares = temporaryRounds.map((r, i) => r.requestsPerSec / (baselineRounds[i]?.requestsPerSec ?? Number.NaN));
    const temporaryResult: Case = temporaryRounds.length > 0 ? { name: temporaryName, result: combine(temporaryName, temporaryRounds), shares } : (temporaryCase ?? { name: temporaryName, skipped: 'not measured' });
    const longTerm = await attempt('GetCallerIdentity, long-term access key', true, () =>
      signPool(ready.url, POOL, (i) => ({ key: fx.userKey, params: ACTION('GetCallerIdentity'), secondsAgo: i })));
    const assumeRole = await attempt(ASSUME_ROLE, has('AssumeRole'), () =>
      signPool(ready.url, POOL, (i) => ({ key: fx.userKey, params: [...ACTION('AssumeRole'), ['RoleArn', fx.roleArn], ['RoleSessionName', `bench-${i}`]] })));
    const webIdentityCase = await attempt(WEB_IDENTITY, webIdentity !== undefined, webIdentityPool);
    const samlCase = await attemptSaml(assumeRole.result);
    const cases: Case[] = [
      temporaryResult,
      longTerm,
      assumeRole,
      webIdentityCase,
      samlCase,
      await attempt(SESSION_TOKEN, has('GetSessionToken'), () =>
        signPool(ready.url, POOL, (i) => ({ key: fx.userKey, params: [...ACTION('GetSessionToken'), ['DurationSeconds', String(900 + i)]] }))),
    ];
    report(`HTTP load on ${label}: ${options.connections} connections, ${options.seconds} s per case after ${options.warmupSeconds} s of warm-up`, baseline, cases);
    if (webIdentity) console.log(`  ${WEB_IDENTITY}: the issuer's key set was fetched ${issuer.keyFetches()} time(s) in the whole run so far`);
    if (samlSigning) console.log(`  ${SAML}: ${samlSigning}`);

    // The same requests through the request path cut after each layer, in a row, once: what each
    // layer adds under load (the database plays no part in them: measured on the first backend).
    if (backend === 'pglite' && !only) {
      const layers: LoadResult[] = [];
      for (const [name, url] of [
        ['the constant (the baseline route)', ready.baselineUrl],
        ['+ body read and headers, as app.ts does', ready.layerUrls.read],
        ['+ authenticate(): SigV4, session token, caches', ready.layerUrls.authenticate],
        ['+ the rest: the whole service (GetCallerIdentity)', ready.url],
      ] as const) {
        layers.push(await measured(name, url, await temporaryPool()));
      }
      reportLayers(layers);
    }

    const temporary = (await temporaryPool())[0];
    if (temporary) {
      const others: { name: string; req: WireRequest }[] = [];
      const longTerm = (await signPool(ready.url, 1, () => ({ key: fx.userKey, params: ACTION('GetCallerIdentity') })))[0];
      if (longTerm) others.push({ name: 'GetCallerIdentity, long-term key', req: longTerm });
      const measuredCase = (name: string) => cases.some((c) => c.name === name && c.result);
      for (const [name, op] of [[ASSUME_ROLE, 'AssumeRole'], [SESSION_TOKEN, 'GetSessionToken']] as const) {
        if (!measuredCase(name)) continue;
        const params: [string, string][] = op === 'AssumeRole' ? [...ACTION(op), ['RoleArn', fx.roleArn], ['RoleSessionName', 'breakdown']] : ACTION(op);
        const req = (await signPool(ready.url, 1, () => ({ key: fx.userKey, params })))[0];
        if (req) others.push({ name: op, req });
      }
      let wi: { req: WireRequest; token: string; issuer: string; accountId: string } | undefined;
      if (measuredCase(WEB_IDENTITY)) {
        const params = await webIdentityParams(0);
        const req = unsignedPool(ready.url, [params])[0];
        const token = params[params.length - 1]?.[1];
        if (req && token) wi = { req, token, issuer: issuer.issuer, accountId: fx.accountId };
      }
      let samlBreakdown: SamlBreakdown | undefined;
      if (saml && measuredCase(SAML)) {
        const reqs = samlPool(SAML_BREAKDOWN);
        const [response] = signedSamlResponses(1, saml);
        if (response) samlBreakdown = { reqs, response, providerArn: saml.providerArn, accountId: fx.accountId };
      }
      const { stages } = await server.ask({ type: 'breakdown', temporary, others, ...(wi ? { webIdentity: wi } : {}), ...(samlBreakdown ? { saml: samlBreakdown } : {}) }, 'breakdown');
      reportStages(stages);
    }
    return { baseline, cases };
  } finally {
    await server.stop();
    await issuer.close();
  }
}

function verdicts(label: string, baseline: LoadResult, cases: readonly Case[], backend: Backend): void {
  const temporary = cases[0]?.result;
  if (temporary) {
    const share = temporary.requestsPerSec / baseline.requestsPerSec;
    console.log(`\n${label}: GetCallerIdentity with temporary credentials at ${fmt(100 * share, 1)}% of the baseline's requests/s: ${share >= 0.5 ? 'meets' : 'MISSES'} the target of 50%`);
  }
  const assume = cases.find((c) => c.name === ASSUME_ROLE)?.result;
  if (backend === 'postgres' && assume) {
    console.log(`${label}: AssumeRole at ${fmt(assume.requestsPerSec)} requests/s: ${assume.requestsPerSec >= 2000 ? 'meets' : 'MISSES'} the target of 2,000`);
  }
}

export async function runHttpBench(): Promise<void> {
  const options: LoadOptions = {
    connections: envNumber('LATCHKEY_BENCH_CONNECTIONS', 32),
    seconds: envNumber('LATCHKEY_BENCH_SECONDS', 8),
    warmupSeconds: envNumber('LATCHKEY_BENCH_WARMUP', 2),
    rounds: Math.round(envNumber('LATCHKEY_BENCH_ROUNDS', 3)),
  };
  console.log('\nHTTP load (issue 4): the service in its own process on loopback, autocannon in this one');
  // Server, load generator (and PostgreSQL) share these cores: a busy machine lowers every row.
  console.log(`${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} before the run`);
  const pglite = await benchBackend('pglite', 'PGlite (in memory)', undefined, options);
  verdicts('PGlite', pglite.baseline, pglite.cases, 'pglite');

  const url = process.env.LATCHKEY_BENCH_DATABASE_URL;
  if (!url) {
    console.log('\n(PostgreSQL skipped: set LATCHKEY_BENCH_DATABASE_URL=postgres://user:pass@host/db to run it too; a scratch database is created beside it and dropped.)');
    return;
  }
  const scratch = await scratchDatabase(url, 'latchkey_bench');
  try {
    const pg = await benchBackend('postgres', 'PostgreSQL', scratch.url, options);
    verdicts('PostgreSQL', pg.baseline, pg.cases, 'postgres');
  } finally {
    await scratch.drop();
  }

  const workers = Math.round(envNumber('LATCHKEY_BENCH_WORKERS', availableParallelism()));
  if (workers < 2) return;
  const deployedDb = await scratchDatabase(url, 'latchkey_bench');
  try {
    const label = `PostgreSQL, as deployed with WORKERS=${workers}`;
    const { baseline, cases } = await benchDeployed(label, deployedDb.url, workers, options);
    verdicts(label, baseline, cases, 'postgres');
  } finally {
    await deployedDb.drop();
  }
}

/**
 * The service as `npm start` runs it with WORKERS processes (src/main.ts, access log written to a
 * pipe), beside the constant route on as many processes: the same comparison as above, for a
 * deployment that uses every core.
 */
async function benchDeployed(label: string, databaseUrl: string, workers: number, options: LoadOptions): Promise<{ baseline: LoadResult; cases: Case[] }> {
  const service = await startDeployed(databaseUrl, workers);
  const constant = await startConstant(workers).catch(async (err: unknown) => {
    await service.stop();
    throw err;
  });
  try {
    // The keyring is only for a build without GetSessionToken; this one has it.
    const fx = await setUp(service.url, service.root, new Keyring([generateKey(new Date())]), [`${STS_VERSION}:GetSessionToken`]);
    const temporaryPool = () =>
      signPool(service.url, POOL, (i) => ({ key: fx.sessions[i % fx.sessions.length] ?? fx.userKey, params: ACTION('GetCallerIdentity'), secondsAgo: Math.floor(i / fx.sessions.length) }));
    const measured = async (name: string, url: string, pool: readonly WireRequest[], warm: boolean): Promise<LoadResult> => {
      const first = pool[0];
      if (first) await preflight(url, first);
      process.stdout.write(`  ${label}: ${name} …\n`);
      return runLoad(name, url, toAutocannon(pool), warm ? options : { ...options, warmupSeconds: 0 });
    };
    const baselineName = `baseline: the constant route on ${workers} processes`;
    const temporaryName = `GetCallerIdentity, temporary credentials (${fx.sessionsFrom})`;
    const baselineRounds: LoadResult[] = [];
    const temporaryRounds: LoadResult[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const tag = options.rounds > 1 ? ` (round ${round + 1} of ${options.rounds})` : '';
      baselineRounds.push(await measured(`${baselineName}${tag}`, constant.url, await temporaryPool(), round === 0));
      temporaryRounds.push(await measured(`${temporaryName}${tag}`, service.url, await temporaryPool(), round === 0));
    }
    const assumePool = await signPool(service.url, POOL, (i) => ({ key: fx.userKey, params: [...ACTION('AssumeRole'), ['RoleArn', fx.roleArn], ['RoleSessionName', `bench-${i}`]] }));
    const assume = await measured(ASSUME_ROLE, service.url, assumePool, true);
    const baseline = combine(baselineName, baselineRounds);
    const shares = temporaryRounds.map((r, i) => r.requestsPerSec / (baselineRounds[i]?.requestsPerSec ?? Number.NaN));
    const cases: Case[] = [{ name: temporaryName, result: combine(temporaryName, temporaryRounds), shares }, { name: assume.name, result: assume }];
    report(`HTTP load on ${label} (src/main.ts): ${options.connections} connections, ${options.seconds} s per case after ${options.warmupSeconds} s of warm-up`, baseline, cases);
    return { baseline, cases };
  } finally {
    await constant.stop();
    await service.stop();
  }
}
