/**
 * The service's workflows plus a stand-in `rotationWorkflow`, for testing what the review starts by that name:
 * it answers its input, or holds the shared account's workflow id until cancelled when told to.
 */
import { condition } from '@temporalio/workflow';

export * from '../../workflows/index.js';

export async function rotationWorkflow(input: { sharedAccountId: string; hold?: boolean }): Promise<unknown> {
  if (input.hold) await condition(() => false);
  return input;
}
