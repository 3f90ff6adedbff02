import type { GrantEventType, GrantEvent } from '../../domain/events.js';
import { failureView } from '../../domain/failure.js';
import type { GrantRecord } from './types.js';

/** How a grant ended: its expiry was reached, it was revoked, or its account was never made. */
export type Ending = 'expired' | 'revoked' | 'failed';

/** When, how, by whom and why a grant ended, as the API and the CSV show it beside its expiry. */
export interface GrantEnding {
  ending: Ending;
  /** When it ended; the account closed at `closedAt`, later if the directory was down. */
  endedAt: string | undefined;
  /** The revoker's token name, or `supplier-access` for an expiry or a refused provisioning. */
  endedBy: string;
  /** The revoker's reason, the expiry that was reached, or the provider's refusal. */
  endReason: string;
}

const ENDING_EVENTS: Partial<Record<GrantEventType, Ending>> = {
  expired: 'expired',
  revoked: 'revoked',
  'provisioning-failed': 'failed',
};

/** The grant's ending, read from its event trail; undefined while the grant has not ended. */
export function endingOf(grant: GrantRecord, trail: readonly GrantEvent[]): GrantEnding | undefined {
  const event = trail.find((e) => ENDING_EVENTS[e.type] !== undefined);
  const ending = event && ENDING_EVENTS[event.type];
  if (!event || !ending) return undefined;
  return {
    ending,
    endedAt: grant.endedAt ?? event.at,
    endedBy: event.actor,
    endReason: reasonOf(grant, event),
  };
}

function reasonOf(grant: GrantRecord, event: GrantEvent): string {
  if (event.type === 'revoked') return event.details?.reason ?? '';
  if (event.type === 'expired') return `expiry reached (${event.details?.expiresAt ?? grant.expiresAt})`;
  if (!grant.failure) return '';
  const { kind, message } = failureView(grant.failure);
  return `${kind}: ${message}`;
}

/**
 * Whether the grant ended but its account is not closed yet: disabling or rotating is still being retried (the
 * directory is down), so the account is usable although the status reads `expired` or `revoked`. Undefined for
 * grants that have no account to close: live ones, and failed ones (which never had one).
 */
export function isClosing(grant: GrantRecord): boolean | undefined {
  if (grant.status !== 'expired' && grant.status !== 'revoked') return undefined;
  return grant.closedAt === undefined;
}
