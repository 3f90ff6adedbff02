import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { GrantLifecycle, reject } from './grant-lifecycle.js';
import {
  approveExtensionUpdate,
  claimCredentialUpdate,
  rejectExtensionUpdate,
  requestExtensionUpdate,
  revokeUpdate,
  stateQuery,
  type ExtensionDecision,
  type ExtensionRequest,
  type GrantInput,
  type GrantState,
  type RevokeRequest,
} from './messages.js';

/**
 * One supplier grant, from the request to the closed door: provision the account with its expiry, sleep until
 * the expiry (moved only by an extension that a second person approved), then disable the account and rotate
 * its credentials. A revoke does the same at once.
 */
export async function grantWorkflow(input: GrantInput): Promise<GrantState> {
  const grant = new GrantLifecycle(input);
  acceptMessages(grant);

  await grant.register();
  if (await grant.provision()) {
    const ending = await grant.sleepUntilExpiryOrRevoke();
    await grant.close(ending);
  }
  await condition(allHandlersFinished);
  return grant.snapshot();
}

/** Message handlers only change the grant's state; validators refuse a request before it is accepted. */
function acceptMessages(grant: GrantLifecycle): void {
  setHandler(stateQuery, () => grant.snapshot());
  setHandler(claimCredentialUpdate, ({ answerBy }) => grant.claimCredential(answerBy));
  setHandler(requestExtensionUpdate, (request) => grant.requestExtension(request), {
    validator: (request: ExtensionRequest) => grant.checkExtensionRequest(request),
  });
  setHandler(approveExtensionUpdate, ({ actor }) => grant.approveExtension(actor), {
    validator: ({ actor }: ExtensionDecision) => grant.checkDecision(actor),
  });
  setHandler(rejectExtensionUpdate, ({ actor, reason }) => grant.rejectExtension(actor, reason), {
    validator: (_decision: ExtensionDecision) => grant.checkDecision(),
  });
  setHandler(revokeUpdate, (request) => grant.revoke(request), {
    validator: (_request: RevokeRequest) => {
      if (!grant.live) reject('Conflict', `the grant is already ${grant.state.status}`);
    },
  });
}
