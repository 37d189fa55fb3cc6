/**
 * A tiny measuring harness for `npm run bench`: throughput from timed batches, latency
 * percentiles from individually timed calls. Every result is printed beside a baseline measured
 * in the same run, so the ratio means something on a noisy or slower machine.
 */
import { performance } from 'node:perf_hooks';

export interface Result {
  readonly name: string;
  readonly opsPerSec: number;
  readonly p50us: number;
  readonly p99us: number;
}

export interface MeasureOptions {
  /** Time spent on throughput, in ms. */
  readonly durationMs?: number;
  /** Individually timed calls for the percentiles. */
  readonly samples?: number;
}

export function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Result {
  const durationMs = options.durationMs ?? 1000;
  const samples = options.samples ?? 20_000;
  let sink: unknown;
  // Warm up so the JIT has settled before anything is timed.
  const warmEnd = performance.now() + Math.min(300, durationMs / 2);
  while (performance.now() < warmEnd) for (let i = 0; i < 100; i++) sink = fn();

  let ops = 0;
  let batch = 64;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < batch; i++) sink = fn();
    ops += batch;
    now = performance.now();
    if (batch < 65_536 && now - start < durationMs / 10) batch *= 2;
  }
  const opsPerSec = ops / ((now - start) / 1000);

  const times = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    sink = fn();
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  times.sort();
  if (sink === Symbol.for('never')) console.log('');
  return {
    name,
    opsPerSec,
    p50us: times[Math.floor(samples * 0.5)] ?? 0,
    p99us: times[Math.floor(samples * 0.99)] ?? 0,
  };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Print results as a table with each one's cost in baseline units (mean time / baseline mean time). */
export function report(title: string, baseline: Result, results: readonly Result[]): void {
  console.log(`\n${title}`);
  const rows = [baseline, ...results].map((r) => [
    r.name,
    fmt(r.opsPerSec),
    fmt(r.p50us, 2),
    fmt(r.p99us, 2),
    r === baseline ? '1.00 (baseline)' : fmt(baseline.opsPerSec / r.opsPerSec, 2),
  ]);
  const head = ['case', 'ops/s', 'p50 µs', 'p99 µs', 'cost in baselines'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
