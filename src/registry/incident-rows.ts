/** Rows of the incident register and the records they hold, for `incidents.ts`. */
import type { Insertable, Selectable } from 'kysely';
import type {
  FieldChange,
  IncidentDoor,
  IncidentDoorsStatus,
  IncidentEvent,
  IncidentEventType,
  IncidentFields,
  IncidentRecord,
} from '../../domain/incident.js';
import type { DoorKind } from '../../domain/shared-account.js';
import type { IncidentAction } from '../../domain/incident.js';
import { storedInstant } from './listing.js';
import type { IncidentDoorsTable, IncidentEventsTable, IncidentsTable } from './incidents-migration.js';

/** A stored field's value: `null` where it is unknown. */
export type FieldValue = FieldChange['from'];

/** The column of each Law 25 field. */
export const FIELD_COLUMNS = {
  reason: 'reason',
  discoveredAt: 'discovered_at',
  occurredFrom: 'occurred_from',
  occurredUntil: 'occurred_until',
  personalInformation: 'personal_information',
  circumstances: 'circumstances',
  personsConcerned: 'persons_concerned',
  riskAssessment: 'risk_assessment',
  seriousRisk: 'serious_risk',
  commissionNotifiedAt: 'commission_notified_at',
  personsNotifiedAt: 'persons_notified_at',
  measures: 'measures',
} as const satisfies Record<keyof IncidentFields, keyof IncidentsTable>;

/** The fields that hold instants: stored in the one form that compares as text. */
const INSTANT_FIELDS: ReadonlySet<keyof IncidentFields> = new Set([
  'discoveredAt',
  'occurredFrom',
  'occurredUntil',
  'commissionNotifiedAt',
  'personsNotifiedAt',
]);

/** A field's value as its column holds it (`seriousRisk` as 0 or 1, instants normalised). */
export function columnValue(
  field: keyof IncidentFields,
  value: FieldValue | undefined,
): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (INSTANT_FIELDS.has(field) && typeof value === 'string') return storedInstant(value);
  return value;
}

/** A column's value as the field's (`null` where it is unknown). */
export function fieldValue(field: keyof IncidentFields, row: Selectable<IncidentsTable>): FieldValue {
  const value = row[FIELD_COLUMNS[field]];
  if (field === 'seriousRisk') return value === null ? null : Number(value) === 1;
  return value === null ? null : field === 'personsConcerned' ? Number(value) : value;
}

export function incidentRow(record: IncidentRecord): Insertable<IncidentsTable> {
  const row: Insertable<IncidentsTable> = {
    id: record.id,
    supplier_id: record.supplierId ?? null,
    supplier_name: record.supplierName ?? null,
    reason: record.reason,
    discovered_at: storedInstant(record.discoveredAt),
    doors: record.supplierId === undefined ? 'none' : 'closing',
    doors_closed_at: null,
    created_by: record.createdBy,
    created_at: storedInstant(record.createdAt),
    updated_at: storedInstant(record.createdAt),
    revision: 0,
  };
  for (const field of Object.keys(FIELD_COLUMNS) as (keyof IncidentFields)[]) {
    if (field === 'reason' || field === 'discoveredAt') continue;
    (row as Record<string, unknown>)[FIELD_COLUMNS[field]] = columnValue(field, record[field]);
  }
  return row;
}

export function toIncident(row: Selectable<IncidentsTable>): IncidentRecord {
  const record: IncidentRecord = {
    id: row.id,
    ...(row.supplier_id ? { supplierId: row.supplier_id } : {}),
    ...(row.supplier_name ? { supplierName: row.supplier_name } : {}),
    reason: row.reason,
    discoveredAt: row.discovered_at,
    doors: row.doors as IncidentDoorsStatus,
    ...(row.doors_closed_at ? { doorsClosedAt: row.doors_closed_at } : {}),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revision: Number(row.revision),
  };
  for (const field of Object.keys(FIELD_COLUMNS) as (keyof IncidentFields)[]) {
    const value = fieldValue(field, row);
    if (value !== null) (record as unknown as Record<string, unknown>)[field] = value;
  }
  return record;
}

export function incidentDoorRow(door: IncidentDoor, seq: number): Insertable<IncidentDoorsTable> {
  return {
    incident_id: door.incidentId,
    door_id: door.doorId,
    seq,
    kind: door.kind,
    provider: door.provider ?? null,
    name: door.name,
    held_from: storedInstant(door.heldFrom),
    action: door.action,
    requested_at: storedInstant(door.requestedAt),
    closed_at: door.closedAt ? storedInstant(door.closedAt) : null,
  };
}

export function toIncidentDoor(row: Selectable<IncidentDoorsTable>): IncidentDoor {
  return {
    incidentId: row.incident_id,
    kind: row.kind as DoorKind,
    doorId: row.door_id,
    ...(row.provider ? { provider: row.provider } : {}),
    name: row.name,
    heldFrom: row.held_from,
    action: row.action as IncidentAction,
    requestedAt: row.requested_at,
    ...(row.closed_at ? { closedAt: row.closed_at } : {}),
  };
}

export function toIncidentEvent(row: Selectable<IncidentEventsTable>): IncidentEvent {
  return {
    incidentId: row.incident_id,
    type: row.type as IncidentEventType,
    at: row.at,
    actor: row.actor,
    ...(row.details ? { details: JSON.parse(row.details) as Record<string, string> } : {}),
    ...(row.changes ? { changes: JSON.parse(row.changes) as IncidentEvent['changes'] } : {}),
  };
}
