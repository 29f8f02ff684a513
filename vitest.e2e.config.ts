import { defineConfig } from 'vitest/config';

// End-to-end tests: real processes, real sshd, real LevelDB, real signals. They bind fixed loopback
// addresses (127.0.0.x default Ozone ports, 127.0.1.x:22 for sshd), so files run one at a time.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
