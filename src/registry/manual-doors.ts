/**
 * The registry's manual doors, for `KyselyRegistry`; `ManualDoorStore` documents what each promises. Every write to
 * one door starts by locking its row ({@link lockDoor}), so writes to one door run one at a time across processes
 * in both dialects, and its trail's sequence numbers never collide.
 */
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { ManualDoorRecord, ManualDoorEvent } from '../../domain/manual-door.js';
import { newestFirst, storedInstant } from './listing.js';
import { manualDoorRow, toManualDoor, toManualDoorEvent } from './manual-door-rows.js';
import type { ManualDoorPage, ManualDoorQuery, ManualDoorStore } from './manual-door-store.js';
import type { Database } from './schema.js';
import { appendToTrail, lockDoor, readTrail, recordedOnce } from './trail.js';

/** See `ManualDoorStore.insertManualDoor`; the same record again (a retried request) is answered as stored. */
export async function insertManualDoor(
  db: Kysely<Database>,
  record: ManualDoorRecord,
): Promise<ManualDoorRecord> {
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('manual_doors')
      .values(manualDoorRow({ ...record, status: 'open' }))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      await appendToTrail(tx, 'manual_doors', record.id, {
        type: 'created',
        at: storedInstant(record.createdAt),
        actor: record.requestedBy,
      });
    }
    const row = await tx
      .selectFrom('manual_doors')
      .selectAll()
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    return toManualDoor(row);
  });
}

export async function getManualDoor(db: Kysely<Database>, id: string): Promise<ManualDoorRecord | null> {
  const row = await db.selectFrom('manual_doors').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toManualDoor(row) : null;
}

/** Open at `at`: created by then and not closed by then. */
function openAt(eb: ExpressionBuilder<Database, 'manual_doors'>, at: string): Expression<SqlBool> {
  return eb.and([eb('created_at', '<=', at), eb.or([eb('closed_at', 'is', null), eb('closed_at', '>', at)])]);
}

/** See `ManualDoorStore.listManualDoors`. */
export async function listManualDoors(db: Kysely<Database>, query: ManualDoorQuery): Promise<ManualDoorPage> {
  let select = db.selectFrom('manual_doors').selectAll();
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.supplierId !== undefined) select = select.where('supplier_id', '=', query.supplierId);
  if (query.activeAt !== undefined) {
    const at = storedInstant(query.activeAt);
    select = select.where((eb) => openAt(eb, at));
  }
  const { items, next } = await newestFirst(select, query, toManualDoor);
  return next ? { manualDoors: items, next } : { manualDoors: items };
}

/** See `ManualDoorStore.liveManualDoors`. */
export async function liveManualDoors(db: Kysely<Database>, activeAt?: string): Promise<ManualDoorRecord[]> {
  const at = storedInstant(activeAt ?? new Date().toISOString());
  const rows = await db
    .selectFrom('manual_doors')
    .selectAll()
    .where((eb) => openAt(eb, at))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toManualDoor);
}

export async function listManualDoorEvents(db: Kysely<Database>, id: string): Promise<ManualDoorEvent[]> {
  return readTrail(db, 'manual_doors', id, toManualDoorEvent);
}

/** See `ManualDoorStore.recordManualDoorNotice`. */
export async function recordManualDoorNotice(
  db: Kysely<Database>,
  notice: Parameters<ManualDoorStore['recordManualDoorNotice']>[0],
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockDoor(tx, 'manual_doors', notice.manualDoorId))) return false;
    if (await recordedOnce(tx, 'manual_doors', notice.manualDoorId, notice.type, notice.key)) return false;
    await appendToTrail(tx, 'manual_doors', notice.manualDoorId, {
      type: notice.type,
      at: storedInstant(notice.at),
      actor: notice.actor,
      details: notice.details,
      noticeKey: notice.key,
    });
    return true;
  });
}

/** See `ManualDoorStore.markManualDoorOverdue`. */
export async function markManualDoorOverdue(
  db: Kysely<Database>,
  id: string,
): Promise<ManualDoorRecord | null> {
  await db
    .updateTable('manual_doors')
    .set({ status: 'overdue' })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .execute();
  return getManualDoor(db, id);
}

/** See `ManualDoorStore.closeManualDoor`. */
export async function closeManualDoor(
  db: Kysely<Database>,
  id: string,
  attestation: { actor: string; at: string; note?: string | undefined },
): Promise<ManualDoorRecord | null> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockDoor(tx, 'manual_doors', id))) return null;
    const current = await tx
      .selectFrom('manual_doors')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (current.status === 'closed') return toManualDoor(current);
    const at = storedInstant(attestation.at);
    await tx
      .updateTable('manual_doors')
      .set({ status: 'closed', closed_at: at, closed_by: attestation.actor, note: attestation.note ?? null })
      .where('id', '=', id)
      .execute();
    await appendToTrail(tx, 'manual_doors', id, {
      type: 'attested-closed',
      at,
      actor: attestation.actor,
      ...(attestation.note ? { details: { note: attestation.note } } : {}),
    });
    const row = await tx
      .selectFrom('manual_doors')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toManualDoor(row);
  });
}
