import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Tests of pure logic, the registry, the fakes and the API in memory: no Temporal server, no shared state. */
const FAST = [
  'test/unit/**/*.test.ts',
  'test/activities/**/*.test.ts',
  'test/registry/**/*.test.ts',
  'test/review/**/*.test.ts',
  'test/notify/**/*.test.ts',
  'test/api/**/*.test.ts',
  'test/fakes/**/*.test.ts',
  'test/cli/cli-offline.test.ts',
  'test/web/**/*.test.ts',
];

/**
 * The crash and outage test last: its 200 grants must all be created within a 30 s window, and `scripts/test.sh`
 * runs the type check, lint and the fast project beside the first end-to-end files. By the end they are done.
 */
class CrashTestLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isCrashTest = (file: TestSpecification) => file.moduleId.endsWith('/crash-outage.test.ts');
    return [...sorted.filter((f) => !isCrashTest(f)), ...sorted.filter(isCrashTest)];
  }
}

export default defineConfig({
  test: {
    // Workers and native Temporal bridges need real processes, not threads.
    pool: 'forks',
    sequence: { sequencer: CrashTestLast },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Node reads this at start-up, so it is set for each test process (and the worker processes they start):
    // the Microsoft Graph fake serves HTTPS with a test-only CA.
    env: {
      NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('./test/fakes/graph/tls/test-ca.crt', import.meta.url)),
    },
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: FAST },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: FAST,
          // One Temporal dev server, one slapd and one workflow bundle for the run (test/global-setup.ts).
          globalSetup: ['test/global-setup.ts'],
          // The machine has two cores: end-to-end files, each with a worker process and servers, run one by one.
          fileParallelism: false,
        },
      },
    ],
  },
});
