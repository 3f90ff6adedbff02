/**
 * Moving a live grant's expiry earlier: when a supplier's contract now ends sooner, no door of it may outlive
 * the contract. One person may do it (it only takes access away); lengthening stays an extension, which needs
 * a second person. Deterministic: loaded inside the workflow sandbox.
 */
import { condition } from '@temporalio/workflow';
import type { GrantPatch } from '../domain/events.js';
import type { GrantState } from '../domain/grant.js';
import { reject, type GrantLifecycle } from './grant-lifecycle.js';
import type { ShortenRequest } from './messages.js';

/** The validator: refuses an expiry later than the current one (an extension), or a grant already over. */
export function checkShortening(grant: GrantLifecycle, { expiresAt }: ShortenRequest): void {
  if (!grant.live) reject('Conflict', `the grant is already ${grant.state.status}`);
  const requested = Date.parse(expiresAt);
  if (Number.isNaN(requested)) reject('Invalid', 'expiresAt must be an ISO-8601 instant');
  if (requested > Date.parse(grant.state.expiresAt)) {
    reject(
      'Invalid',
      `expiresAt must not be later than the current expiry ${grant.state.expiresAt}; ask for an extension instead`,
    );
  }
}

/**
 * Moves the expiry to `expiresAt`, or to now when that is already past. The durable timer moves first (the main
 * loop sees the new expiry), so the door closes on time even while the directory cannot be written; then the
 * directory's own expiry follows. A pending extension always asks for more than the new expiry, and is dropped.
 * The reminders are planned again for the new expiry, and the sponsor and the supplier contacts are told.
 *
 * Answers once the directory holds the new expiry, or, for an expiry now or past, once the account is closed.
 * A grant still provisioning is shortened once its account exists. Never lengthens: a request overtaken by an
 * earlier shortening changes nothing.
 */
export async function shortenGrant(
  grant: GrantLifecycle,
  { expiresAt, reason, actor }: ShortenRequest,
): Promise<GrantState> {
  await condition(() => grant.state.status !== 'provisioning');
  const { state, input } = grant;
  const shortenedAt = new Date().toISOString();
  const target = new Date(Math.max(Date.parse(expiresAt), Date.parse(shortenedAt))).toISOString();
  if (!grant.live || Date.parse(target) >= Date.parse(state.expiresAt)) return grant.snapshot();

  const from = state.expiresAt;
  const dropped = state.pendingExtension;
  // An approval under way took the pending extension already, and finds the expiry moved (`shortenings`).
  const wasAsked = state.status === 'extension-requested';
  state.expiresAt = target;
  state.pendingExtension = undefined;
  state.status = 'active';
  grant.shortenings += 1;
  grant.reminders.expiryMoved();
  const patch: GrantPatch = {
    expiresAt: target,
    ...(wasAsked ? { status: 'active', pendingExtension: null } : {}),
  };
  await grant.journal.record('expiry-shortened', actor, patch, {
    from,
    expiresAt: target,
    reason,
    ...(dropped ? { droppedExtension: dropped.expiresAt } : {}),
  });
  grant.notices.shortened({
    grantId: input.grantId,
    provider: input.provider,
    organisation: input.supplier.organisation,
    username: input.username,
    requestedBy: input.requestedBy,
    from,
    expiresAt: target,
    reason,
    shortenedBy: actor,
    shortenedAt,
  });
  if (target === shortenedAt) await condition(() => grant.closed);
  else await grant.applyExpiry();
  return grant.snapshot();
}
