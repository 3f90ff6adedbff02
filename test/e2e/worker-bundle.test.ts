import { afterAll, beforeAll, expect, it } from 'vitest';
import { sharedServers } from '../helpers/shared-servers.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

/**
 * A worker given the run's prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH) starts without bundling the workflows
 * itself, which costs seconds of CPU at every worker start, and runs grants from that bundle.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('starts on the prebuilt bundle, without bundling, and runs grants from it', async () => {
  expect(sharedServers()?.workflowBundlePath).toBeDefined();
  // The SDK logs this line each time it bundles the workflows (at info, the stack's level).
  expect(stack.workerOutput).not.toContain('Workflow bundle created');
  const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation: 'Prebuilt Bundle Ltd' },
    durationDays: 7,
    reason: 'worker start',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.status).toBe('active');
  const revoked = await stack.request('POST', `/v1/grants/${created.body.id}/revoke`, TOKENS.admin, {
    reason: 'done',
  });
  expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
  expect(revoked.body.status).toBe('revoked');
});
