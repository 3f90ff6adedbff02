import { failureOf } from './operation.js';
import type { AccountSpec } from './types.js';

/**
 * How an existing account of the requested name relates to the grant asking for it:
 * - `own`: it carries this grant's id (a retried create);
 * - `reclaimable`: it carries the id of one of the supplier's earlier grants that has closed, so it may be taken
 *   over;
 * - `foreign`: anything else, another grant's or nobody's of ours (made by hand), which is never touched.
 */
export type Ownership = 'own' | 'reclaimable' | 'foreign';

/** Reads the grant id found on an account (`owner`) against the spec asking for the account. */
export function ownershipOf(owner: string | undefined, spec: AccountSpec): Ownership {
  // An account without our marker is never ours to take, whatever `reclaimable` says.
  if (owner === undefined || owner === '') return 'foreign';
  if (owner === spec.grantId) return 'own';
  return spec.reclaimable?.includes(owner) ? 'reclaimable' : 'foreign';
}

/** How a conflict message names whoever holds the account. */
export function holderOf(owner: string | undefined): string {
  return owner ? `grant ${owner}` : 'no supplier-access grant';
}

/**
 * Refuses to delete an account that is not the closed grant's any more: marked by another grant (the supplier's
 * newer grant took it over) or by none of ours. Deleting is the one change that cannot be undone.
 */
export function checkDeletable(
  owner: string | undefined,
  grantId: string,
  provider: string,
  name: string,
): void {
  if (owner !== undefined && owner !== '' && owner === grantId) return;
  throw failureOf(provider, 'deleteAccount')(
    'conflict',
    `${name} is held by ${holderOf(owner)}, not grant ${grantId}`,
  );
}
