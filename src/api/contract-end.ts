import type { Actor } from '../../domain/actor.js';
import { LIVE_STATUSES } from '../../domain/status.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import { grantPages } from '../registry/grant-pages.js';
import type { GrantRecord, RegistryStore } from '../registry/types.js';
import type { GrantService } from './grant-service.js';
import { HttpProblem, problem } from './problem.js';

/** Grants shortened per listing page; a supplier rarely holds more than a few live grants. */
const PAGE = 100;

/** The supplier's live grants that run past `end`: the ones a contract end moved earlier must shorten. */
async function grantsPast(registry: RegistryStore, supplierId: string, end: string): Promise<GrantRecord[]> {
  const found: GrantRecord[] = [];
  const query = { supplierId, status: [...LIVE_STATUSES], expiresAfter: end, limit: PAGE };
  for await (const page of grantPages(registry, query)) found.push(...page.filter((g) => g.expiresAt > end));
  return found;
}

/**
 * Holds a supplier's live grants to its contract end: every one that runs past it is shortened to it, through
 * the grant's own workflow (which moves the directory's expiry and tells the sponsor and the contacts). Safe to
 * run again: a grant already at or before the end is not touched. A grant that ended meanwhile is skipped; any
 * other failure is a `503` naming the grants still to shorten, after the others were done: the contract end is
 * stored, and sending the same PATCH again finishes the work.
 */
export async function holdToContractEnd(
  grants: Pick<GrantService, 'shorten'>,
  registry: RegistryStore,
  supplier: SupplierRecord,
  actor: Actor,
): Promise<void> {
  const end = supplier.contractEnd;
  if (end === undefined) return;
  const reason = `the supplier's contract ends at ${end}`;
  const past = await grantsPast(registry, supplier.id, end);
  const outcomes = await Promise.allSettled(past.map((grant) => grants.shorten(grant, end, actor, reason)));
  const pending = past.filter((grant, i) => {
    const outcome = outcomes[i];
    if (outcome?.status !== 'rejected') return false;
    // Ended since it was listed: nothing left to shorten.
    return !(outcome.reason instanceof HttpProblem && outcome.reason.status === 409);
  });
  if (pending.length > 0) {
    throw problem(
      503,
      `the contract end is stored, but ${pending.length} grant(s) could not be shortened to it yet; send the same PATCH again`,
      { grantIds: pending.map((grant) => grant.id) },
    );
  }
}
