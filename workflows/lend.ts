import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { GrantState } from '../domain/grant.js';
import type { LendInput } from '../domain/shared-account.js';
import { requireAuthentic } from './authentic.js';
import { lendDoor } from './doors.js';
import { GrantLifecycle } from './grant-lifecycle.js';
import { acceptMessages } from './handlers.js';

/**
 * One lend of a shared account to a supplier: rotate its password and hand the new one to the requester once,
 * sleep until the lend's end (moved later only by an extension a second person approved, earlier by a
 * shortening or an early return), then rotate the password again for the custodian, who is told a new one waits
 * for their claim. The account stays enabled throughout, and its expiry in the directory is never touched.
 *
 * It answers the grant's messages (`handlers.ts`): a lend is a grant of the `lend` door, and runs under the shared
 * account's workflow id, so Temporal itself lets one lend at a time hold the account.
 */
export async function lendWorkflow(input: LendInput): Promise<GrantState> {
  // A start sent straight to Temporal without the key ends here, before anything is recorded or rotated.
  requireAuthentic(input);
  const lend = new GrantLifecycle(input, lendDoor(input));
  acceptMessages(lend);

  await lend.register();
  if (await lend.provision()) {
    const ending = await lend.sleepUntilExpiryOrRevoke();
    await lend.close(ending);
    lend.notices.custodianCredentialWaits({
      sharedAccountId: input.sharedAccountId,
      reason: 'lend-ended',
      lendId: input.grantId,
    });
  }
  // The custodian's notice (and a shortening's) would be dropped by the workflow's end.
  await lend.notices.delivered();
  await condition(allHandlersFinished);
  return lend.snapshot();
}
