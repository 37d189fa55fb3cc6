/**
 * How the property-based suites run: a fixed seed by default, so a run is reproducible and a
 * failure names the seed and path to replay it with (fast-check prints both in its report);
 * LATCHKEY_FUZZ_SEED picks another seed, LATCHKEY_FUZZ_RUNS sets the number of runs.
 */
import type { Parameters } from 'fast-check';
import { expect } from 'vitest';
import { AwsError } from '../../src/errors.js';

const DEFAULT_SEED = 20_261_204;

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

export const SEED = envNumber('LATCHKEY_FUZZ_SEED') ?? DEFAULT_SEED;
const RUNS = envNumber('LATCHKEY_FUZZ_RUNS');

/**
 * fast-check's parameters for one property: `runs` runs unless LATCHKEY_FUZZ_RUNS says otherwise.
 * `shrink: false` reports the first counterexample as it is (shrinking a request through a live
 * service would take longer than the suite may).
 */
export function fuzzParams<T>(runs: number, options: { readonly shrink?: boolean } = {}): Parameters<T> {
  return { seed: SEED, numRuns: RUNS ?? runs, endOnFailure: options.shrink === false };
}

/**
 * Run `fn` within `maxMs`: it returns (undefined) or throws an AwsError (returned for the caller's
 * own checks); anything else it throws fails the property.
 */
export function thrownAwsError(fn: () => unknown, maxMs = 2_000): AwsError | undefined {
  const start = performance.now();
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(performance.now() - start).toBeLessThan(maxMs);
  if (caught === undefined) return undefined;
  if (!(caught instanceof AwsError)) throw caught;
  return caught;
}
