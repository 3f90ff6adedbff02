import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { requireAuthentic } from './authentic.js';
import { GrantLifecycle, reject } from './grant-lifecycle.js';
import {
  approveExtensionUpdate,
  claimCredentialUpdate,
  rejectExtensionUpdate,
  requestExtensionUpdate,
  returnCredentialUpdate,
  revokeUpdate,
  shortenUpdate,
  stateQuery,
  type ClaimCredentialRequest,
  type ExtensionDecision,
  type ExtensionRequest,
  type ReturnCredentialRequest,
  type RevokeRequest,
  type ShortenRequest,
} from './messages.js';
import { checkShortening, shortenGrant } from './shortening.js';
import type { GrantInput, GrantState } from '../domain/grant.js';

/**
 * One supplier grant, from the request to the closed door: provision the account with its expiry, sleep until
 * the expiry (moved later only by an extension that a second person approved, earlier by a shortening), then
 * disable the account and rotate its credentials. A revoke does the same at once.
 */
export async function grantWorkflow(input: GrantInput): Promise<GrantState> {
  // A start sent straight to Temporal without the key ends here, before anything is recorded or created.
  requireAuthentic(input);
  const grant = new GrantLifecycle(input);
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

/**
 * Message handlers only change the grant's state; validators refuse a request before it is accepted. Every
 * validator first refuses a message that did not come encrypted with the service's key (see `authentic.ts`):
 * the names in it (who asked, who approved) are believed only from the service.
 */
function acceptMessages(grant: GrantLifecycle): void {
  const { grantId } = grant.input;
  setHandler(stateQuery, () => grant.snapshot());
  setHandler(claimCredentialUpdate, ({ answerBy, claimedBy }) => grant.claimCredential(answerBy, claimedBy), {
    validator: (request: ClaimCredentialRequest) => requireAuthentic(request, grantId),
  });
  setHandler(returnCredentialUpdate, (request) => grant.takeBackCredential(request), {
    validator: (request: ReturnCredentialRequest) => requireAuthentic(request, grantId),
  });
  setHandler(requestExtensionUpdate, (request) => grant.requestExtension(request), {
    validator: (request: ExtensionRequest) => {
      requireAuthentic(request, grantId);
      grant.checkExtensionRequest(request);
    },
  });
  setHandler(approveExtensionUpdate, ({ actor }) => grant.approveExtension(actor), {
    validator: (decision: ExtensionDecision) => {
      requireAuthentic(decision, grantId);
      grant.checkDecision(decision.requestedAt, decision.actor);
    },
  });
  setHandler(rejectExtensionUpdate, ({ actor, reason }) => grant.rejectExtension(actor, reason), {
    validator: (decision: ExtensionDecision) => {
      requireAuthentic(decision, grantId);
      grant.checkDecision(decision.requestedAt);
    },
  });
  setHandler(shortenUpdate, (request) => shortenGrant(grant, request), {
    validator: (request: ShortenRequest) => {
      requireAuthentic(request, grantId);
      checkShortening(grant, request);
    },
  });
  setHandler(revokeUpdate, (request) => grant.revoke(request), {
    validator: (request: RevokeRequest) => {
      requireAuthentic(request, grantId);
      if (!grant.live) reject('Conflict', `the grant is already ${grant.state.status}`);
    },
  });
}
