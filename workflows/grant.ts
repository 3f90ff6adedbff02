import { allHandlersFinished, condition } from '@temporalio/workflow';
import { requireAuthentic } from './authentic.js';
import { accountDoor, serviceDoor } from './doors.js';
import { GrantLifecycle } from './grant-lifecycle.js';
import { acceptMessages } from './handlers.js';
import type { GrantInput, GrantState } from '../domain/grant.js';
import type { ServiceInput } from '../domain/service.js';

/**
 * One supplier grant, from the request to the closed door: provision the account with its expiry, sleep until
 * the expiry (moved later only by an extension that a second person approved, earlier by a shortening), then
 * disable the account and rotate its credentials. A revoke does the same at once. A `service` grant runs the same
 * lifecycle over a credential for the supplier's integration instead of an account (see `serviceDoor`).
 */
export async function grantWorkflow(input: GrantInput | ServiceInput): Promise<GrantState> {
  // A start sent straight to Temporal without the key ends here, before anything is recorded or created.
  requireAuthentic(input);
  // Chosen from the input alone, before any command: inputs recorded before service doors carry no `door`.
  const door = 'door' in input && input.door === 'service' ? serviceDoor(input) : accountDoor(input);
  const grant = new GrantLifecycle(input, door);
  acceptMessages(grant);

  await grant.register();
  if (await grant.provision()) {
    const ending = await grant.sleepUntilExpiryOrRevoke();
    await grant.close(ending);
  }
  // Notices (a shortening's) are not cancelled by the closing, but would be dropped by the workflow's end.
  await grant.notices.delivered();
  await condition(allHandlersFinished);
  return grant.snapshot();
}
