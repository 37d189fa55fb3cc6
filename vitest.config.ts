import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The CI machine has 2 cores; let vitest size its pool from them.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // One migrated database template per run (PGlite dump, or a PostgreSQL template database).
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
