import { defineConfig } from 'vitest/config';

// Sized for CI's 2-core machine, which may be busy with something else: two test files at a time (the end-to-end
// files spawn the real CLI, so a third worker would only queue behind them), and timeouts that are generous deadlines
// for a hung test, never a measure of speed.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
  },
});
