/**
 * `npm run bench`: every benchmark, each beside a baseline measured in the same run.
 * `npm run bench -- policy`, `npm run bench -- http` or `npm run bench -- sign-in` runs one.
 */
import { report } from './measure.js';

const BENCHES = ['policy', 'http', 'sign-in'] as const;
type Bench = (typeof BENCHES)[number];

async function policy(): Promise<void> {
  // Imported here: the policy bench compiles its fixtures when its module loads.
  const { runPolicyBench } = await import('./policy.js');
  const { baseline, results } = runPolicyBench();
  report('Policy engine (issue 2): target, typical case <= 2 baselines', baseline, results);
  const typical = results[1];
  if (typical) {
    const ratio = baseline.opsPerSec / typical.opsPerSec;
    console.log(`\ntypical case costs ${ratio.toFixed(2)} HMAC-SHA256(64 B) baselines: ${ratio <= 2 ? 'meets' : 'MISSES'} the target of 2`);
  }
}

async function http(): Promise<void> {
  const { runHttpBench } = await import('./http.js');
  await runHttpBench();
}

async function signIn(): Promise<void> {
  const { runSignInBench } = await import('./sign-in.js');
  await runSignInBench();
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(BENCHES as readonly string[]).includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (choose from ${BENCHES.join(', ')})`);
  process.exit(2);
}
const run: Record<Bench, () => Promise<void>> = { policy, http, 'sign-in': signIn };
for (const name of BENCHES) {
  if (wanted.length === 0 || wanted.includes(name)) await run[name]();
}
