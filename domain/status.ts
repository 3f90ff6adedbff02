/**
 * A grant's statuses, listed once. Deterministic and free of imports: the workflow bundle loads this file.
 */

/** Every status a grant can be in, in the order a grant passes through them. */
export const GRANT_STATUSES = [
  'provisioning',
  'active',
  'extension-requested',
  'expired',
  'revoked',
  'failed',
] as const;

export type GrantStatus = (typeof GRANT_STATUSES)[number];

/** Statuses in which the account may still be usable and the grant can change. */
export const LIVE_STATUSES: readonly GrantStatus[] = ['provisioning', 'active', 'extension-requested'];

/** Statuses of a grant that is over for good: its account was closed, or never came to be. */
export const CLOSED_STATUSES: readonly GrantStatus[] = GRANT_STATUSES.filter(
  (status) => !LIVE_STATUSES.includes(status),
);
