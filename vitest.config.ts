import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Workers and native Temporal bridges need real processes, not threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The time-skipping server has one clock per environment and the machine has two cores.
    fileParallelism: false,
  },
});
