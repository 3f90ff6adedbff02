import type { Kysely, Transaction } from 'kysely';
import type { ProviderName } from '../../domain/account.js';
import { SYSTEM_ACTOR } from '../../domain/actor.js';
import { CLOSED_STATUSES } from '../../domain/status.js';
import { appendLateEvent } from './review-store.js';
import { toGrant } from './rows.js';
import type { Database } from './schema.js';
import type { GrantRecord } from './types.js';

/** Where a sweep resumes: the last grant it looked at, in the order of `closedAt`, then `id`. */
export interface ClosingCursor {
  closedAt: string;
  id: string;
}

/*
 * The retention sweep's queries (Law 25: personal information is destroyed once its purpose is served), on a
 * migrated database of either dialect; `KyselyRegistry` delegates to these and `RegistryStore` documents them.
 * The sweep deletes no row of the registry: it deletes closed accounts from their directories and erases contact
 * e-mails, while grants, their trails, suppliers and manual doors stay. So the incident register's entries, kept at
 * least `INCIDENT_RETENTION_YEARS`, and every door and supplier they name stay too (`IncidentStore`).
 */

/** What stands in an event's details, or a failure, where the contact e-mail was. */
export const ERASED = '[erased]';

/** See `RegistryStore.accountsDueForDeletion`. */
export async function accountsDueForDeletion(
  db: Kysely<Database>,
  provider: ProviderName,
  closedBefore: string,
  limit: number,
  after?: ClosingCursor,
): Promise<GrantRecord[]> {
  // The (account_deleted_at, closed_at) index gives the accounts still there, oldest closing first; a newer
  // grant is looked for through the (provider, username, created_at) index, a few rows per account.
  let query = db.selectFrom('grants').selectAll('grants');
  if (after) {
    // A range on closed_at first, for the index; the OR only breaks ties.
    query = query
      .where('grants.closed_at', '>=', after.closedAt)
      .where((eb) => eb.or([eb('grants.closed_at', '>', after.closedAt), eb('grants.id', '>', after.id)]));
  }
  const rows = await query
    .where('grants.account_deleted_at', 'is', null)
    .where('grants.closed_at', '<=', closedBefore)
    .where('grants.provider', '=', provider)
    .where('grants.status', 'in', ['expired', 'revoked'])
    // A lend's account is a shared account, which stays for its custodian: never deleted.
    .where('grants.door', '=', 'account')
    .where((outer) =>
      outer.not(
        outer.exists(
          outer
            .selectFrom('grants as later')
            .select('later.id')
            .whereRef('later.provider', '=', 'grants.provider')
            .whereRef('later.username', '=', 'grants.username')
            .where('later.status', '!=', 'failed')
            .where('later.door', '=', 'account')
            // Newer: created later, or at the same instant with a greater id. Written as a range on created_at
            // and no top-level OR, so both dialects walk the account's own grants by (provider, username,
            // created_at) instead of every grant of the provider created since.
            .whereRef('later.created_at', '>=', 'grants.created_at')
            .where((eb) =>
              eb.or([
                eb('later.created_at', '>', eb.ref('grants.created_at')),
                eb('later.id', '>', eb.ref('grants.id')),
              ]),
            ),
        ),
      ),
    )
    .orderBy('grants.closed_at')
    .orderBy('grants.id')
    .limit(limit)
    .execute();
  return rows.map(toGrant);
}

/** See `RegistryStore.recordAccountDeleted`. */
export async function recordAccountDeleted(
  db: Kysely<Database>,
  grantId: string,
  at: string,
  details: Record<string, string>,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const grant = await tx
      .selectFrom('grants')
      .select('account_deleted_at')
      .where('id', '=', grantId)
      .executeTakeFirst();
    if (!grant) throw new Error(`grant ${grantId} does not exist`);
    if (grant.account_deleted_at !== null) return;
    await appendLateEvent(tx, { grantId, type: 'account-deleted', at, actor: SYSTEM_ACTOR, details });
    await tx.updateTable('grants').set({ account_deleted_at: at }).where('id', '=', grantId).execute();
  });
}

/** See `RegistryStore.contactsDueForErasure`. */
export async function contactsDueForErasure(
  db: Kysely<Database>,
  endedBefore: string,
  limit: number,
): Promise<GrantRecord[]> {
  const rows = await db
    .selectFrom('grants')
    .selectAll()
    .where('contact_email', 'is not', null)
    .where('status', 'in', [...CLOSED_STATUSES])
    .where('ended_at', '<=', endedBefore)
    .orderBy('ended_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toGrant);
}

/** See `RegistryStore.eraseContact`. */
export async function eraseContact(db: Kysely<Database>, grantId: string, at: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const grant = await tx
      .selectFrom('grants')
      .select(['contact_email', 'failure'])
      .where('id', '=', grantId)
      .executeTakeFirst();
    if (!grant) throw new Error(`grant ${grantId} does not exist`);
    const email = grant.contact_email;
    if (email === null) return false;
    await scrubEvents(tx, grantId, email);
    const failure = grant.failure === null ? null : scrubbed(grant.failure, email);
    await tx.updateTable('grants').set({ contact_email: null, failure }).where('id', '=', grantId).execute();
    await appendLateEvent(tx, { grantId, type: 'contact-erased', at, actor: SYSTEM_ACTOR });
    return true;
  });
}

/** Rewrites the grant's event details that quote the address, so no copy of it outlives the erasure. */
async function scrubEvents(tx: Transaction<Database>, grantId: string, email: string): Promise<void> {
  const events = await tx
    .selectFrom('grant_events')
    .select(['seq', 'details'])
    .where('grant_id', '=', grantId)
    .where('details', 'is not', null)
    .execute();
  for (const event of events) {
    const details = event.details as string;
    const clean = scrubbed(details, email);
    if (clean === details) continue;
    await tx
      .updateTable('grant_events')
      .set({ details: clean })
      .where('grant_id', '=', grantId)
      .where('seq', '=', event.seq)
      .execute();
  }
}

/**
 * The JSON text with every occurrence of the address replaced, whatever its case (directories and mail servers
 * echo addresses lower-cased). Done on the parsed values, so the text stays valid JSON whatever the address holds.
 */
function scrubbed(json: string, email: string): string {
  const pattern = new RegExp(email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  const replaced: unknown = JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'string' ? value.replace(pattern, ERASED) : value,
  );
  const text = JSON.stringify(replaced);
  return text === JSON.stringify(JSON.parse(json)) ? json : text;
}
