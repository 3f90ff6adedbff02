/**
 * An incident's trail, for the register's queries (`incidents.ts`, `incident-doors.ts`). Every write to one entry
 * starts by locking its row ({@link lockIncident}), so writes to one entry run one at a time across processes in
 * both dialects, and its trail's sequence numbers never collide.
 */
import type { Kysely, Transaction } from 'kysely';
import type { IncidentEvent } from '../../domain/incident.js';
import { storedInstant } from './listing.js';
import { toIncidentEvent } from './incident-rows.js';
import type { IncidentStore } from './incident-store.js';
import type { Database } from './schema.js';
import { recordedOnce } from './trail.js';

/** Takes the entry's write lock before anything is read (see `shared-accounts.ts`); false when there is no entry. */
export async function lockIncident(tx: Transaction<Database>, id: string): Promise<boolean> {
  const locked = await tx
    .updateTable('incidents')
    .set((eb) => ({ revision: eb.ref('revision') }))
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0;
}

/** Appends to the entry's trail under the next sequence number; the entry must be locked (or new in `tx`). */
export async function appendIncidentEvent(
  tx: Transaction<Database>,
  event: IncidentEvent & { key?: string | undefined },
): Promise<void> {
  const last = await tx
    .selectFrom('incident_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('incident_id', '=', event.incidentId)
    .executeTakeFirst();
  await tx
    .insertInto('incident_events')
    .values({
      incident_id: event.incidentId,
      seq: Number(last?.seq ?? 0) + 1,
      type: event.type,
      at: storedInstant(event.at),
      actor: event.actor,
      details: event.details ? JSON.stringify(event.details) : null,
      changes: event.changes ? JSON.stringify(event.changes) : null,
      event_key: event.key ?? null,
    })
    .execute();
}

/** See `IncidentStore.recordIncidentEvent`; an entry that does not exist gets nothing. */
export async function recordIncidentEvent(
  db: Kysely<Database>,
  event: Parameters<IncidentStore['recordIncidentEvent']>[0],
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await lockIncident(tx, event.incidentId))) return;
    if (!(await recordedOnce(tx, 'incidents', event.incidentId, event.type, event.key)))
      await appendIncidentEvent(tx, event);
  });
}

/** See `IncidentStore.listIncidentEvents`. */
export async function listIncidentEvents(db: Kysely<Database>, incidentId: string): Promise<IncidentEvent[]> {
  const rows = await db
    .selectFrom('incident_events')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('seq')
    .execute();
  return rows.map(toIncidentEvent);
}
