import type { Insertable, Selectable } from 'kysely';
import type {
  ManualDoorEvent,
  ManualDoorEventType,
  ManualDoorRecord,
  ManualDoorStatus,
} from '../../domain/manual-door.js';
import { personOf } from './columns.js';
import { storedInstant } from './listing.js';
import type { ManualDoorEventsTable, ManualDoorsTable } from './manual-doors-migration.js';
import { trailEntry } from './trail.js';

/** The row of a manual door; instants stored in the one form that compares as text. */
export function manualDoorRow(record: ManualDoorRecord): Insertable<ManualDoorsTable> {
  return {
    id: record.id,
    supplier_id: record.supplierId,
    what: record.what,
    location: record.where,
    custodian_name: record.custodian.name,
    custodian_email: record.custodian.email ?? null,
    until: storedInstant(record.until),
    reason: record.reason,
    requested_by: record.requestedBy,
    created_at: storedInstant(record.createdAt),
    status: record.status,
    closed_at: record.closedAt ? storedInstant(record.closedAt) : null,
    closed_by: record.closedBy ?? null,
    note: record.note ?? null,
  };
}

export function toManualDoor(row: Selectable<ManualDoorsTable>): ManualDoorRecord {
  return {
    id: row.id,
    supplierId: row.supplier_id,
    what: row.what,
    where: row.location,
    custodian: personOf(row.custodian_name, row.custodian_email),
    until: row.until,
    reason: row.reason,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    status: row.status as ManualDoorStatus,
    ...(row.closed_at ? { closedAt: row.closed_at } : {}),
    ...(row.closed_by ? { closedBy: row.closed_by } : {}),
    ...(row.note ? { note: row.note } : {}),
  };
}

export function toManualDoorEvent(row: Selectable<ManualDoorEventsTable>): ManualDoorEvent {
  return {
    manualDoorId: row.manual_door_id,
    type: row.type as ManualDoorEventType,
    ...trailEntry(row),
  };
}
