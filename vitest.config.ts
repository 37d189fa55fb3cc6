import { defineConfig } from 'vitest/config';

/**
 * Pure suites (engine, SigV4, protocol, config, keys) run once, in the `unit` project. Suites that
 * use a database run on PGlite (`pglite`), and again on PostgreSQL (`postgres`) when
 * LATCHKEY_TEST_POSTGRES_URL names a server where we may create databases (.ci/run sets it). One
 * migrated template per run and backend (test/helpers/global-setup.ts); each test file starts
 * from a copy of it.
 *
 * Suites that spawn processes (the server as `npm start` runs it, the CLI's smoke test, the AWS
 * CLI and boto3 journeys, the examples, the console in headless Chromium) are slow on a small machine: they live in `processes` (and the journeys
 * again in `processes-postgres`), which `npm test` runs and `npm run test:fast` (unit + pglite)
 * leaves out.
 */
const DATABASE_SUITES = ['test/integration/**/*.test.ts', 'test/fuzz/**/*.http.test.ts', 'test/store/**/*.test.ts', 'test/negative/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/logs/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/keys/**/*.test.ts'];
/** Spawn processes and use a database: run on both backends. */
const PROCESS_DATABASE_SUITES = ['test/e2e/**/*.test.ts'];
/** Spawn processes and need no database (or make their own, as `npm start` does): run once. */
const PROCESS_ONLY_SUITES = ['test/main/bind.test.ts', 'test/main/main.test.ts', 'test/main/stop.test.ts', 'test/cli/spawn.test.ts', 'test/store/patch-postgres.test.ts', 'test/examples/**/*.test.ts', 'test/browser/**/*.test.ts'];
const PROCESS_SUITES = [...PROCESS_DATABASE_SUITES, ...PROCESS_ONLY_SUITES];
const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

/**
 * The AWS SDK prints a NodeVersionSupportWarning (newer SDKs will need Node 22) once per process,
 * so once per test file; this is the SDK's own switch for exactly that warning
 * (@aws-sdk/core, emitWarningIfUnsupportedVersion). Other warnings still print.
 */
const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * Two workers, one per core of the CI machine. Vitest's default (cores - 1) is one worker there:
 * files ran one after another while the second core idled, and every spawned server, AWS CLI run,
 * PostgreSQL round trip or sleep left the first one idle too. (Three workers were no faster, and
 * worker threads instead of forked processes once lost a worker mid-run.)
 * LATCHKEY_TEST_WORKERS overrides the count.
 */
const WORKERS = Number(process.env.LATCHKEY_TEST_WORKERS) || 2;

/**
 * The in-process suites (unit, pglite, postgres) reuse each worker from one file to the next of
 * the same project: the AWS SDKs, hono, drizzle and PGlite's WebAssembly load once per worker
 * instead of once per file (a third of those projects' CPU time). Each file still gets its own
 * database and service; nothing in them mocks modules or stubs globals. LATCHKEY_TEST_ISOLATE=1
 * runs every file in a fresh worker again, to rule out a test leaning on module state left by
 * another. The process-spawning suites always run isolated.
 */
const ISOLATE = process.env.LATCHKEY_TEST_ISOLATE === '1';

/** A project on one backend: an empty URL means PGlite, whatever the environment says. */
const onBackend = (name: string, include: string[], exclude: string[], databaseUrl: string, isolate: boolean) => ({
  test: {
    ...shared,
    name,
    include,
    exclude,
    isolate,
    globalSetup: ['test/helpers/global-setup.ts'],
    env: { ...QUIET_SDK, LATCHKEY_TEST_DATABASE_URL: databaseUrl },
  },
});

export default defineConfig({
  test: {
    ...shared,
    maxWorkers: WORKERS,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: [...DATABASE_SUITES, ...PROCESS_SUITES], isolate: ISOLATE, env: QUIET_SDK } },
      onBackend('pglite', DATABASE_SUITES, PROCESS_SUITES, '', ISOLATE),
      ...(postgresUrl ? [onBackend('postgres', DATABASE_SUITES, PROCESS_SUITES, postgresUrl, ISOLATE)] : []),
      onBackend('processes', PROCESS_SUITES, [], '', true),
      ...(postgresUrl ? [onBackend('processes-postgres', PROCESS_DATABASE_SUITES, [], postgresUrl, true)] : []),
    ],
  },
});
