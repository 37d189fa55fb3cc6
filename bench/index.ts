/** `npm run bench`: every benchmark, each beside a baseline measured in the same run. */
import { runPolicyBench } from './policy.js';
import { report } from './measure.js';

const { baseline, results } = runPolicyBench();
report('Policy engine (issue 2): target, typical case <= 2 baselines', baseline, results);
const typical = results[1];
if (typical) {
  const ratio = baseline.opsPerSec / typical.opsPerSec;
  console.log(`\ntypical case costs ${ratio.toFixed(2)} HMAC-SHA256(64 B) baselines: ${ratio <= 2 ? 'meets' : 'MISSES'} the target of 2`);
}
