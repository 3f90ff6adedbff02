/**
 * A grant's statuses, listed once. Deterministic and free of imports: the workflow bundle loads this file.
 */

/**
 * Every status a grant can be in, in the order a grant passes through them, and which side of the door it is
 * on: `live` while the account may still be usable and the grant can change, `closed` once it is over for good
 * (its account was closed, or never came to be).
 */
const STATUSES = {
  provisioning: 'live',
  active: 'live',
  'extension-requested': 'live',
  expired: 'closed',
  revoked: 'closed',
  failed: 'closed',
} as const;

export type GrantStatus = keyof typeof STATUSES;

/** Every status a grant can be in. */
export const GRANT_STATUSES = Object.keys(STATUSES) as [GrantStatus, ...GrantStatus[]];

/** Statuses in which the account may still be usable and the grant can change. */
export const LIVE_STATUSES: readonly GrantStatus[] = GRANT_STATUSES.filter((s) => STATUSES[s] === 'live');

/** Statuses of a grant that is over for good: its account was closed, or never came to be. */
export const CLOSED_STATUSES: readonly GrantStatus[] = GRANT_STATUSES.filter((s) => STATUSES[s] === 'closed');
