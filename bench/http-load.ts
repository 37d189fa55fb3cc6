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

async function fire(url: string, pool: readonly autocannon.Request[], connections: number, seconds: number): Promise<{ result: autocannon.Result; latencies: Float64Array }> {
  let next = 0;
  const stride = Math.max(1, Math.floor(pool.length / connections));
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    requests: pool,
    setupClient: (client) => client.setRequests(rotate(pool, stride * next++)),
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => void latencies.push(ms));
  // autocannon ends by itself after `seconds`; never wait for ever if it does not.
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      instance.stop();
      reject(new Error(`load did not end within ${seconds + 30} s`));
    }, (seconds + 30) * 1000);
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
  const { result, latencies } = await fire(url, pool, options.connections, options.seconds);
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
