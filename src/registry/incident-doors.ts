/** The doors incidents close, for `KyselyRegistry`; `IncidentStore` documents what each promises. */
import type { Kysely, Transaction } from 'kysely';
import { SYSTEM_ACTOR } from '../../domain/actor.js';
import type { IncidentDoor } from '../../domain/incident.js';
import { storedInstant } from './listing.js';
import { incidentDoorRow, toIncidentDoor } from './incident-rows.js';
import { appendIncidentEvent, lockIncident } from './incident-trail.js';
import type { Database } from './schema.js';

/**
 * Adds the doors the entry does not have yet, after the ones it has, each with `door-close-requested` by `actor`;
 * the entry must be locked (or new in `tx`).
 */
export async function insertIncidentDoors(
  tx: Transaction<Database>,
  incidentId: string,
  doors: readonly IncidentDoor[],
  actor: string,
): Promise<void> {
  const last = await tx
    .selectFrom('incident_doors')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  let seq = Number(last?.seq ?? 0);
  for (const door of doors) {
    const inserted = await tx
      .insertInto('incident_doors')
      .values(incidentDoorRow({ ...door, incidentId }, seq + 1))
      .onConflict((oc) => oc.columns(['incident_id', 'door_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;
    seq += 1;
    await appendIncidentEvent(tx, {
      incidentId,
      type: 'door-close-requested',
      at: door.requestedAt,
      actor,
      details: { kind: door.kind, doorId: door.doorId, action: door.action },
    });
  }
}

/** See `IncidentStore.listIncidentDoors`. */
export async function listIncidentDoors(db: Kysely<Database>, incidentId: string): Promise<IncidentDoor[]> {
  const rows = await db
    .selectFrom('incident_doors')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('seq')
    .execute();
  return rows.map(toIncidentDoor);
}

/** See `IncidentStore.addIncidentDoors`: the service found them, so the service asks for them. */
export async function addIncidentDoors(
  db: Kysely<Database>,
  incidentId: string,
  doors: readonly IncidentDoor[],
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await lockIncident(tx, incidentId))) throw new Error(`incident ${incidentId} does not exist`);
    await insertIncidentDoors(tx, incidentId, doors, SYSTEM_ACTOR);
  });
}

/** See `IncidentStore.markIncidentDoorClosed`. */
export async function markIncidentDoorClosed(
  db: Kysely<Database>,
  incidentId: string,
  doorId: string,
  closedAt: string,
): Promise<void> {
  const at = storedInstant(closedAt);
  await db.transaction().execute(async (tx) => {
    if (!(await lockIncident(tx, incidentId))) return;
    const closed = await tx
      .updateTable('incident_doors')
      .set({ closed_at: at })
      .where('incident_id', '=', incidentId)
      .where('door_id', '=', doorId)
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) === 0) return;
    const door = await tx
      .selectFrom('incident_doors')
      .select('kind')
      .where('incident_id', '=', incidentId)
      .where('door_id', '=', doorId)
      .executeTakeFirstOrThrow();
    await appendIncidentEvent(tx, {
      incidentId,
      type: 'door-closed',
      at,
      actor: SYSTEM_ACTOR,
      details: { kind: door.kind, doorId, closedAt: at },
    });
  });
}

/** See `IncidentStore.markIncidentDoorsClosed`. */
export async function markIncidentDoorsClosed(
  db: Kysely<Database>,
  incidentId: string,
  doorsClosedAt: string,
): Promise<void> {
  const at = storedInstant(doorsClosedAt);
  await db.transaction().execute(async (tx) => {
    if (!(await lockIncident(tx, incidentId))) return;
    const closed = await tx
      .updateTable('incidents')
      .set({ doors: 'closed', doors_closed_at: at })
      .where('id', '=', incidentId)
      .where('doors', '=', 'closing')
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) === 0) return;
    const count = await tx
      .selectFrom('incident_doors')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('incident_id', '=', incidentId)
      .executeTakeFirstOrThrow();
    await appendIncidentEvent(tx, {
      incidentId,
      type: 'doors-closed',
      at,
      actor: SYSTEM_ACTOR,
      details: { doorsClosedAt: at, count: String(count.count) },
    });
  });
}
