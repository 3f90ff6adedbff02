/**
 * The confidentiality-incident register's entries and a supplier's block, for `KyselyRegistry`; `IncidentStore`
 * documents what each promises. The trail and the doors are in `incident-trail.ts` and `incident-doors.ts`.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  INCIDENT_FIELDS,
  type FieldChange,
  type IncidentDoor,
  type IncidentFields,
  type IncidentRecord,
} from '../../domain/incident.js';
import { insertIncidentDoors } from './incident-doors.js';
import { columnValue, FIELD_COLUMNS, fieldValue, incidentRow, toIncident } from './incident-rows.js';
import type { IncidentChanges, IncidentPage, IncidentQuery, IncidentStore } from './incident-store.js';
import { appendIncidentEvent, lockIncident } from './incident-trail.js';
import { newestFirst, storedInstant } from './listing.js';
import type { Database, SuppliersTable } from './schema.js';

/**
 * See `IncidentStore.openIncident`. The block is set first, by an UPDATE that only a supplier not blocked matches:
 * of two opens racing, the database lets one set it (PostgreSQL re-checks the condition once the first commits;
 * SQLite runs one writer at a time), and the other writes nothing.
 */
export async function openIncident(
  db: Kysely<Database>,
  record: IncidentRecord,
  doors: readonly IncidentDoor[],
): Promise<{ incident: IncidentRecord } | { blockedBy: string }> {
  return db.transaction().execute(async (tx) => {
    const at = storedInstant(record.createdAt);
    let supplierName = record.supplierName;
    if (record.supplierId !== undefined) {
      const blocked = await tx
        .updateTable('suppliers')
        .set({ block_incident_id: record.id, block_since: at, block_by: record.createdBy })
        .where('id', '=', record.supplierId)
        .where('block_incident_id', 'is', null)
        .executeTakeFirst();
      const supplier = await tx
        .selectFrom('suppliers')
        .select(['legal_name', 'block_incident_id'])
        .where('id', '=', record.supplierId)
        .executeTakeFirst();
      if (!supplier) throw new Error(`supplier ${record.supplierId} does not exist`);
      if (Number(blocked.numUpdatedRows) === 0) return { blockedBy: blockerOf(supplier) };
      supplierName ??= supplier.legal_name;
    }
    await tx
      .insertInto('incidents')
      .values(incidentRow({ ...record, supplierName }))
      .execute();
    const actor = record.createdBy;
    await appendIncidentEvent(tx, {
      incidentId: record.id,
      type: 'opened',
      at,
      actor,
      details: { reason: record.reason, discoveredAt: storedInstant(record.discoveredAt) },
    });
    if (record.supplierId !== undefined) {
      await appendIncidentEvent(tx, {
        incidentId: record.id,
        type: 'supplier-blocked',
        at,
        actor,
        details: { supplierId: record.supplierId },
      });
      await insertIncidentDoors(tx, record.id, doors, actor);
    }
    return { incident: await readIncident(tx, record.id) };
  });
}

/** The incident holding a block the open could not set. */
function blockerOf(supplier: Pick<SuppliersTable, 'block_incident_id'>): string {
  // Only a lift committed between the two statements gets here; the caller's retry then opens it.
  if (supplier.block_incident_id === null) throw new Error('the supplier was unblocked meanwhile; try again');
  return supplier.block_incident_id;
}

async function readIncident(tx: Kysely<Database>, id: string): Promise<IncidentRecord> {
  return toIncident(
    await tx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}

export async function getIncident(db: Kysely<Database>, id: string): Promise<IncidentRecord | null> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toIncident(row) : null;
}

/** See `IncidentStore.listIncidents`. */
export async function listIncidents(db: Kysely<Database>, query: IncidentQuery): Promise<IncidentPage> {
  let select = db.selectFrom('incidents').selectAll();
  if (query.supplierId !== undefined) select = select.where('supplier_id', '=', query.supplierId);
  if (query.discoveredFrom !== undefined)
    select = select.where('discovered_at', '>=', storedInstant(query.discoveredFrom));
  if (query.discoveredBefore !== undefined)
    select = select.where('discovered_at', '<', storedInstant(query.discoveredBefore));
  const { items, next } = await newestFirst(select, query, toIncident);
  return next ? { incidents: items, next } : { incidents: items };
}

/** The fields the register cannot do without: they may be corrected, never cleared. */
const REQUIRED: ReadonlySet<keyof IncidentFields> = new Set(['reason', 'discoveredAt']);

/** See `IncidentStore.updateIncident`. */
export async function updateIncident(
  db: Kysely<Database>,
  id: string,
  changes: IncidentChanges,
  by: { actor: string; at: string },
): ReturnType<IncidentStore['updateIncident']> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockIncident(tx, id))) return null;
    const row = await tx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const changed: Partial<Record<keyof IncidentFields, FieldChange>> = {};
    const columns: Record<string, string | number | null> = {};
    for (const field of INCIDENT_FIELDS) {
      const value = changes[field];
      if (value === undefined) continue;
      if (value === null && REQUIRED.has(field)) throw new RangeError(`${field} cannot be cleared`);
      const before = fieldValue(field, row);
      const stored = columnValue(field, value);
      const after = field === 'seriousRisk' ? value : stored;
      if (before === after) continue;
      changed[field] = { from: before, to: after };
      columns[FIELD_COLUMNS[field]] = stored;
    }
    if (Object.keys(changed).length === 0) return { incident: toIncident(row), changes: changed };
    const at = storedInstant(by.at);
    await tx
      .updateTable('incidents')
      .set({ ...columns, updated_at: at, revision: Number(row.revision) + 1 })
      .where('id', '=', id)
      .execute();
    await appendIncidentEvent(tx, { incidentId: id, type: 'updated', at, actor: by.actor, changes: changed });
    return { incident: await readIncident(tx, id), changes: changed };
  });
}

/** See `IncidentStore.liftSupplierBlock`. */
export async function liftSupplierBlock(
  db: Kysely<Database>,
  supplierId: string,
  by: { actor: string; at: string; reason: string },
): Promise<{ incidentId: string } | null> {
  return db.transaction().execute(async (tx) => {
    const incidentId = await takeBlock(tx, supplierId, storedInstant(by.at));
    if (incidentId === null) return null;
    await lockIncident(tx, incidentId);
    await appendIncidentEvent(tx, {
      incidentId,
      type: 'block-lifted',
      at: by.at,
      actor: by.actor,
      details: { reason: by.reason },
    });
    return { incidentId };
  });
}

/**
 * Clears the supplier's block, locking its row first so two lifts record one; the incident it named, if any. The
 * lift stamps `updated_at`: the contact retention counts from it (`eraseRetiredSupplierContacts`).
 */
async function takeBlock(tx: Transaction<Database>, supplierId: string, at: string): Promise<string | null> {
  const locked = await tx
    .updateTable('suppliers')
    .set((eb) => ({ block_by: eb.ref('block_by') }))
    .where('id', '=', supplierId)
    .where('block_incident_id', 'is not', null)
    .executeTakeFirst();
  if (Number(locked.numUpdatedRows) === 0) return null;
  const row = await tx
    .selectFrom('suppliers')
    .select('block_incident_id')
    .where('id', '=', supplierId)
    .executeTakeFirstOrThrow();
  await tx
    .updateTable('suppliers')
    .set({ block_incident_id: null, block_since: null, block_by: null, updated_at: at })
    .where('id', '=', supplierId)
    .execute();
  return row.block_incident_id;
}
