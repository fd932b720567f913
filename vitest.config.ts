import { configDefaults, defineConfig } from 'vitest/config';

// Two projects: fast unit tests that sit beside the code (no servers), and
// integration tests under test/ that need the real ZooKeeper and Kafka
// started (or reused) by test/support/global-setup.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // test/chaos/ and test/support/ unit tests (the chaos schedule and checker on made-up histories, the kit's own helpers): no servers.
          include: ['{ring,coordinator,poller,cli,infra,bench}/**/*.test.ts', 'test/chaos/**/*.test.ts', 'test/support/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/chaos/**', 'test/support/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Integration tests start servers and processes; on a 2-core
          // machine running files one at a time keeps timings honest.
          fileParallelism: false,
        },
      },
    ],
  },
});
