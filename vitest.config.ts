import { defineConfig } from 'vitest/config';

// Unit and in-process integration tests: fast, deterministic, safe to run file-parallel.
// Anything that spawns real servers on fixed addresses or ports belongs in test/e2e (see vitest.e2e.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
