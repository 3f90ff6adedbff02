import { fileURLToPath } from 'node:url';
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
    // Node reads this at start-up, so it is set for each test process (and the worker processes they start):
    // the Microsoft Graph fake serves HTTPS with a test-only CA.
    env: {
      NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('./test/fakes/graph/tls/test-ca.crt', import.meta.url)),
    },
  },
});
