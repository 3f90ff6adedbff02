/**
 * The messages a grant's workflow answers, whatever its door: a grant and a lend take the same updates and query,
 * so the API's `/v1/grants/{id}/…` operations work for both. Deterministic: loaded inside the workflow sandbox.
 */
import { log, setHandler } from '@temporalio/workflow';
import { isAuthentic, requireAuthentic } from './authentic.js';
import { reject, type GrantLifecycle } from './grant-lifecycle.js';
import {
  approveExtensionUpdate,
  claimCredentialUpdate,
  rejectExtensionUpdate,
  requestExtensionUpdate,
  returnCredentialUpdate,
  revokeSignal,
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

/**
 * Message handlers only change the grant's state; validators refuse a request before it is accepted. Every
 * validator first refuses a message that did not come encrypted with the service's key (see `authentic.ts`):
 * the names in it (who asked, who approved) are believed only from the service.
 */
export function acceptMessages(grant: GrantLifecycle): void {
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
  // A signal has no validator and cannot be refused to its sender: what is not believed is logged and dropped.
  setHandler(revokeSignal, async (request: RevokeRequest) => {
    if (!isAuthentic(request) || request.grantId !== grantId) {
      // Someone reaches the Temporal frontend and is trying: operators should hear of it.
      log.warn(
        'refused a revoke signal that was not encrypted with a key this service holds or names another grant',
      );
      return;
    }
    if (!grant.live) return;
    await grant.revoke(request);
  });
}
