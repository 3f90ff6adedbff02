import { bundleWorkflowCode, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  EncryptionCodec,
  FAILURE_CONVERTER_PATH,
  createDataConverter,
  createWorkerDataConverter,
  generateKeySpec,
  parseEncryptionKeys,
} from '../../src/codec.js';
import { toolPath } from '../../src/local-stack/tools.js';
import { createLogger } from '../../src/logger.js';
import { installTemporalLogging } from '../../src/temporal-logging.js';
import { workflowsPath } from '../../src/temporal.js';
import { sharedServers } from './shared-servers.js';

/** The workflows bundled once per test file: bundling is the slow part of starting a worker. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });
}

/** A workflow bundle for a Worker: the run's shared one when there is one, else bundled for this file. */
export async function workflowBundle(): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  const shared = sharedServers();
  return shared ? { codePath: shared.workflowBundlePath } : bundleWorkflows();
}

/**
 * A fixed, test-only key: recorded histories (replayed by test/workflows/replay.test.ts) are encrypted with it.
 * Never used outside tests.
 */
export const TEST_KEY_SPEC = 'test-fixed:1oZJzTG8E8MDcj0t60XmU2kpZyLdV5j0PkwU6gdfBQI=';

/** A data converter as the service would build from PAYLOAD_ENCRYPTION_KEYS. */
export function testDataConverter(spec = TEST_KEY_SPEC) {
  return createDataConverter(new EncryptionCodec(parseEncryptionKeys(spec)));
}

/** The worker's data converter as the service builds it: what it cannot decrypt is refused. */
export function testWorkerDataConverter(spec = TEST_KEY_SPEC) {
  return createWorkerDataConverter(new EncryptionCodec(parseEncryptionKeys(spec)));
}

/** A data converter with a key nobody else has. */
export function throwawayDataConverter() {
  return testDataConverter(generateKeySpec('throwaway'));
}

/** The time-skipping test server from `.tools/bin` (nothing is downloaded). */
export function timeSkippingEnvironment(dataConverter = testDataConverter()) {
  // Retries are part of what these tests exercise: only errors of the SDK itself are worth printing.
  installTemporalLogging(createLogger('error'));
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPath('temporal-test-server') } },
    client: { dataConverter },
  });
}
