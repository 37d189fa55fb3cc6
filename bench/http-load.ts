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
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
  return {
    name,
    requestsPerSec: result.requests.total / result.duration,
    p50ms: at(0.5),
    p99ms: at(0.99),
    total: result.requests.total,
    failed,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
