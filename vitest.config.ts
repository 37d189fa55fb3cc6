import { defineConfig } from 'vitest/config';

/**
 * Pure suites (engine, SigV4, protocol, config, keys) run once. Suites that use a database run
 * on PGlite, and again on PostgreSQL when LATCHKEY_TEST_POSTGRES_URL names a server where we may
 * create databases (.ci/run sets it). One migrated template per run and backend
 * (test/helpers/global-setup.ts); each test file starts from a copy of it.
 */
const DATABASE_SUITES = ['test/integration/**/*.test.ts', 'test/fuzz/**/*.http.test.ts', 'test/store/**/*.test.ts', 'test/negative/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/logs/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/keys/**/*.test.ts'];
const postgresUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;

const shared = {
  // The CI machine has 2 cores; let vitest size its pool from them.
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    ...shared,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: DATABASE_SUITES } },
      {
        test: {
          ...shared,
          name: 'pglite',
          include: DATABASE_SUITES,
          globalSetup: ['test/helpers/global-setup.ts'],
          // An explicit empty URL: this project never uses PostgreSQL, whatever the environment says.
          env: { LATCHKEY_TEST_DATABASE_URL: '' },
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                ...shared,
                name: 'postgres',
                include: DATABASE_SUITES,
                globalSetup: ['test/helpers/global-setup.ts'],
                env: { LATCHKEY_TEST_DATABASE_URL: postgresUrl },
              },
            },
          ]
        : []),
    ],
  },
});
