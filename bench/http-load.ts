/**
 * HTTP load with autocannon: a fixed number of keep-alive connections, each sending requests
 * back to back for a fixed time, after a warm-up whose numbers are thrown away. Latencies are
 * taken from autocannon's per-response event (float milliseconds) rather than its histogram,
 * which keeps whole milliseconds only and reads 0 for a sub-millisecond baseline.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** How many times the baseline and the headline case are measured, in alternation. */
  readonly rounds: number;
}

export interface LoadResult {
  readonly name: string;
  readonly requestsPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly total: number;
  /** Responses that were not 2xx, by status code. */
  readonly failed: Readonly<Record<string, number>>;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** Seconds measured, and every latency (ms, sorted): for combining rounds. */
  readonly seconds: number;
  readonly latencies: Float64Array;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

/** Several runs of one case as one: requests over total time, percentiles over every latency. */
export function combine(name: string, runs: readonly LoadResult[]): LoadResult {
  const total = runs.reduce((n, r) => n + r.total, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const latencies = new Float64Array(runs.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of runs) {
    latencies.set(r.latencies, at);
    at += r.latencies.length;
  }
  latencies.sort();
  const failed: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.failed)) failed[code] = (failed[code] ?? 0) + n;
  return {
    name,
    requestsPerSec: seconds > 0 ? total / seconds : 0,
    p50ms: percentile(latencies, 0.5),
    p99ms: percentile(latencies, 0.99),
    total,
    failed,
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds,
    latencies,
  };
}

/** The same pool, rotated: each connection starts at a different request. */
function rotate<T>(pool: readonly T[], by: number): T[] {
  const k = by % pool.length;
  return [...pool.slice(k), ...pool.slice(0, k)];
}

/**
 * `seconds` of load, each connection cycling through the pool from its own offset; or, with
 * `once`, every request of the pool sent exactly once (each connection its own slice, as many
 * requests as the slice holds: autocannon's `amount`), for requests that may succeed only once.
 */
async function fire(url: string, pool: readonly autocannon.Request[], connections: number, seconds: number, once = false): Promise<{ result: autocannon.Result; latencies: Float64Array }> {
  let next = 0;
  const stride = Math.max(1, Math.floor(pool.length / connections));
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    connections,
    ...(once ? { amount: stride * connections } : { duration: seconds }),
    requests: pool,
    setupClient: (client) => {
      const k = next++;
      client.setRequests(once ? pool.slice(stride * k, stride * (k + 1)) : rotate(pool, stride * k));
    },
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => void latencies.push(ms));
  // autocannon ends by itself after `seconds` (or the pool, at 100 requests/s or more); never wait for ever if it does not.
  const limit = (once ? Math.ceil(pool.length / 100) : seconds) + 30;
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      instance.stop();
      reject(new Error(`load did not end within ${limit} s`));
    }, limit * 1000);
  });
  try {
    const result = await Promise.race([Promise.resolve(instance), overdue]);
    return { result, latencies: Float64Array.from(latencies).sort() };
  } finally {
    clearTimeout(timer);
  }
}

export async function runLoad(name: string, url: string, pool: readonly autocannon.Request[], options: LoadOptions): Promise<LoadResult> {
  if (pool.length === 0) throw new Error(`${name}: empty request pool`);
  if (options.warmupSeconds > 0) await fire(url, pool, options.connections, options.warmupSeconds);
  return loadResult(name, await fire(url, pool, options.connections, options.seconds));
}

/**
 * Load with requests that succeed once only (a SAML assertion is accepted once): the warm-up pool,
 * each request sent exactly once, then the measured pool, made for the warm-up's rate (`pool`), each
 * request sent exactly once too: the run lasts as long as its pool. Its last moments have fewer busy
 * connections than the rest (each stops at the end of its slice), which lowers requests/s slightly.
 */
export async function runLoadOnce(name: string, url: string, warmup: readonly autocannon.Request[], pool: (warmupRate: number) => readonly autocannon.Request[], options: LoadOptions): Promise<LoadResult> {
  if (warmup.length < options.connections) throw new Error(`${name}: fewer warm-up requests than connections`);
  const warm = loadResult(`${name} (warm-up)`, await fire(url, warmup, options.connections, 0, true));
  const measured = pool(warm.requestsPerSec);
  if (measured.length < options.connections) throw new Error(`${name}: fewer requests than connections`);
  return loadResult(name, await fire(url, measured, options.connections, 0, true));
}

function loadResult(name: string, { result, latencies }: { result: autocannon.Result; latencies: Float64Array }): LoadResult {
  const failed: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
    if (!code.startsWith('2')) failed[code] = Number(count);
  }
  return {
    name,
    requestsPerSec: result.requests.total / result.duration,
    p50ms: percentile(latencies, 0.5),
    p99ms: percentile(latencies, 0.99),
    total: result.requests.total,
    failed,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    latencies,
  };
}
