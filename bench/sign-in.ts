/**
 * Console sign-in throughput (issue 15): verifyConsolePassword (src/iam/sign-in.ts) on an
 * in-memory PGlite, beside a baseline measured in the same run: a bare argon2id `verify` (and
 * `hash`) with the same parameters (src/auth/passwords.ts), at the same concurrency. Sign-in is
 * bounded by argon2 by design (19 MiB, 2 passes per attempt): the ratio says what the database
 * steps (the user and profile read, the throttle, PasswordLastUsed) add on top.
 *
 * Cases: a correct password; a wrong one (counted on the throttle: its limits are raised here so
 * the bench measures verification, not refusals); a user that does not exist (a dummy verify);
 * and the whole console sign-in over HTTP (POST /console/signin through the service: form, CSRF,
 * verification, audit event, sealed session cookie).
 *
 * Tuning: LATCHKEY_BENCH_SIGNIN_SECONDS (3 per case), LATCHKEY_BENCH_SIGNIN_CONCURRENCY (4: libuv's
 * default thread pool, where argon2 runs).
 */
import { performance } from 'node:perf_hooks';
import { createAccount } from '../src/accounts/accounts.js';
import { hashPassword, verifyPassword } from '../src/auth/passwords.js';
import { SOURCE_THROTTLE, USER_THROTTLE, verifyConsolePassword, type SignInDeps } from '../src/iam/sign-in.js';
import { createLogger } from '../src/log.js';
import { createService, listen } from '../src/service.js';
import { openStore, type Store } from '../src/store/db.js';
import { insertLoginProfile } from '../src/store/login-profiles.js';
import { insertUser } from '../src/store/users.js';
import { generateKey, Keyring } from '../src/tokens/keyring.js';

interface AsyncResult {
  readonly name: string;
  readonly opsPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** `concurrency` loops calling `fn` for `seconds`, after a short warm-up; every call timed. */
async function measureAsync(name: string, fn: () => Promise<unknown>, seconds: number, concurrency: number): Promise<AsyncResult> {
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) await fn();
  const times: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await fn();
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  return { name, opsPerSec: times.length / elapsed, p50ms: times[Math.floor(times.length * 0.5)] ?? 0, p99ms: times[Math.floor(times.length * 0.99)] ?? 0 };
}

/**
 * The whole console sign-in over HTTP (src/console/routes.ts): POST /console/signin with the form
 * and its CSRF cookie, through the service as `npm start` serves it: the form read, the password
 * verified (verifyConsolePassword), the MFA-device lookup, the audit event, the session sealed
 * into its cookie. One sign-in form (its cookie and CSRF token) is fetched once and posted again
 * and again, as many browsers would each post theirs.
 */
async function consoleSignInOverHttp(store: Store, keyring: Keyring, accountId: string, password: string, seconds: number, concurrency: number): Promise<AsyncResult> {
  const service = createService({ store, keyring, logger: createLogger('error', () => {}) });
  const server = await listen(service, 0, '127.0.0.1');
  try {
    const form = await fetch(`${server.url}/console/signin`);
    const cookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const body = new URLSearchParams({ csrf, account: accountId, username: 'bench', password }).toString();
    const post = async () => {
      const r = await fetch(`${server.url}/console/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body, redirect: 'manual' });
      await r.arrayBuffer();
      if (r.status !== 303) throw new Error(`console sign-in answered ${r.status}`);
    };
    return await measureAsync('console: POST /console/signin over HTTP (right password)', post, seconds, concurrency);
  } finally {
    await server.close();
    service.dispose();
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export async function runSignInBench(): Promise<void> {
  const seconds = envNumber('LATCHKEY_BENCH_SIGNIN_SECONDS', 3);
  const concurrency = envNumber('LATCHKEY_BENCH_SIGNIN_CONCURRENCY', 4);
  const store = await openStore({});
  try {
    await store.migrate();
    const now = new Date();
    const keyring = new Keyring([generateKey(now)]);
    const account = await createAccount(store, keyring, now);
    const password = 'Bench-passw0rd!';
    const passwordHash = await hashPassword(password);
    const user = { id: 'AIDABENCHBENCHBENCH1', accountId: account.accountId, name: 'bench', path: '/', createdAt: now, boundaryPolicyId: null };
    await insertUser(store.db, user);
    await insertLoginProfile(store.db, { userId: user.id, accountId: account.accountId, passwordHash, passwordResetRequired: false, passwordSetAt: now, passwordLastUsedAt: null, createdAt: now });

    // Throttles raised far above what the run reaches: a wrong password is verified each time.
    const deps: SignInDeps = { userThrottle: { ...USER_THROTTLE, maxFailures: 1e9 }, sourceThrottle: { ...SOURCE_THROTTLE, maxFailures: 1e9 } };
    const attempt = (userName: string, pw: string) => verifyConsolePassword(store.db, deps, { account: account.accountId, userName, password: pw, sourceIp: '127.0.0.1', now: new Date() });

    const verifyBaseline = await measureAsync('baseline: argon2id verify (m=19456, t=2, p=1)', () => verifyPassword(passwordHash, password), seconds, concurrency);
    const results = [
      await measureAsync('argon2id hash (same parameters)', () => hashPassword(password), seconds, concurrency),
      await measureAsync('sign-in: right password', () => attempt('bench', password), seconds, concurrency),
      await measureAsync('sign-in: wrong password', () => attempt('bench', 'wrong-password'), seconds, concurrency),
      await measureAsync('sign-in: no such user', () => attempt('nobody', password), seconds, concurrency),
      await consoleSignInOverHttp(store, keyring, account.accountId, password, seconds, concurrency),
    ];

    console.log(`\nConsole sign-in (issue 15): verifyConsolePassword on PGlite in memory, ${concurrency} concurrent, ${seconds} s per case`);
    const rows = [verifyBaseline, ...results].map((r) => [
      r.name,
      fmt(r.opsPerSec),
      fmt(r.p50ms, 2),
      fmt(r.p99ms, 2),
      r === verifyBaseline ? '100% (baseline)' : `${fmt((100 * r.opsPerSec) / verifyBaseline.opsPerSec)}%`,
    ]);
    const head = ['case', 'ops/s', 'p50 ms', 'p99 ms', 'of baseline ops/s'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    console.log(line(head));
    for (const r of rows) console.log(line(r));
  } finally {
    await store.close();
  }
}
