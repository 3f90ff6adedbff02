import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  FAILURE_CONVERTER_PATH,
  createDataConverter,
  generateKeySpec,
  parseEncryptionKeys,
} from '../../src/codec.js';
import { toolPath } from '../../src/local-stack/tools.js';
import { workflowsPath } from '../../src/temporal.js';

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

/** A data converter with a throwaway key, as the service would build from PAYLOAD_ENCRYPTION_KEYS. */
export function testDataConverter() {
  return createDataConverter(parseEncryptionKeys(generateKeySpec('test')));
}

/** The time-skipping test server from `.tools/bin` (nothing is downloaded). */
export function timeSkippingEnvironment(dataConverter = testDataConverter()) {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPath('temporal-test-server') } },
    client: { dataConverter },
  });
}
