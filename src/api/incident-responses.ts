/** What the incident routes answer, as zod schemas (see response-schemas.ts); they mirror the views below. */
import { z } from 'zod';
import {
  INCIDENT_ACTIONS,
  INCIDENT_DOORS_STATUSES,
  INCIDENT_EVENT_TYPES,
  INCIDENT_FIELDS,
  INCIDENT_RETENTION_YEARS,
  type HeldDoor,
  type IncidentDoor,
  type IncidentEvent,
  type IncidentRecord,
} from '../../domain/incident.js';
import { DOOR_KINDS } from '../../domain/shared-account.js';
import { nextCursorSchema } from './response-schemas.js';

const instant = (description: string) => z.iso.datetime().meta({ description });

export const incidentSchema = z
  .object({
    id: z.uuid().meta({ description: 'The incident id.' }),
    supplierId: z.uuid().optional().meta({
      description: 'The supplier whose doors were closed; absent for an incident about an internal account.',
    }),
    supplierName: z
      .string()
      .optional()
      .meta({ description: "The supplier's legal name when it was opened." }),
    reason: z.string().meta({ description: 'What happened.' }),
    discoveredAt: instant('When the organisation became aware of the incident.'),
    occurredFrom: instant("The incident's start, known or estimated.").optional(),
    occurredUntil: instant('Its end, when known.').optional(),
    personalInformation: z.string().optional().meta({ description: 'The personal information concerned.' }),
    circumstances: z.string().optional().meta({ description: 'The circumstances.' }),
    personsConcerned: z.number().int().optional().meta({ description: 'The number of persons concerned.' }),
    riskAssessment: z
      .string()
      .optional()
      .meta({ description: 'The assessment of the risk of serious injury.' }),
    seriousRisk: z
      .boolean()
      .optional()
      .meta({ description: 'Whether it presents a risk of serious injury.' }),
    commissionNotifiedAt: instant('When the Commission was notified.').optional(),
    personsNotifiedAt: instant('When the persons concerned were notified.').optional(),
    measures: z.string().optional().meta({ description: 'The measures taken.' }),
    doors: z.enum(INCIDENT_DOORS_STATUSES).meta({
      description:
        '`closing` while a door the incident closes is still open, `closed` once all are, `none` without a supplier.',
    }),
    doorsClosedAt: instant('When the last of its doors closed.').optional(),
    createdBy: z.string().meta({ description: 'The admin who opened it.' }),
    createdAt: instant('When it was opened.'),
    updatedAt: instant('When it last changed.'),
    revision: z.number().int().meta({ description: 'How many changes were made since it was opened.' }),
  })
  .meta({
    id: 'Incident',
    description: 'An entry of the confidentiality-incident register. Clients must ignore unknown fields.',
  });

export const incidentDoorSchema = z
  .object({
    kind: z.enum(DOOR_KINDS),
    doorId: z.uuid().meta({ description: "The grant's id (account, lend, service) or the manual door's." }),
    provider: z.string().optional().meta({ description: 'Grant rows only.' }),
    name: z.string().meta({ description: "The account or credential name, or the manual door's `what`." }),
    heldFrom: instant('Since when the supplier held it.'),
    action: z.enum(INCIDENT_ACTIONS).meta({
      description:
        '`revoke` (disable and rotate), `end-lend` (rotate for the custodian), `remove-credential`, `flag` (a ' +
        'manual door: its custodian is told to close it and attest it).',
    }),
    requestedAt: instant('When the incident asked for it to be closed.'),
    closedAt: instant('When it closed; absent while it is still open.').optional(),
    status: z.enum(['closed', 'pending']).meta({ description: '`closed` once `closedAt` is set.' }),
  })
  .meta({ id: 'IncidentDoor', description: 'A door the incident closes, and when it closed.' });

export const heldDoorSchema = z
  .object({
    kind: z.enum(DOOR_KINDS),
    doorId: z.uuid(),
    provider: z.string().optional(),
    name: z.string(),
    from: instant('From when the supplier held it.'),
    until: instant('Until when; absent while it is open.').optional(),
    status: z.string().meta({ description: 'Its status now.' }),
  })
  .meta({
    id: 'HeldDoor',
    description: "A door the supplier held during the incident's period: the register's pre-filled list.",
  });

const valueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const incidentEventSchema = z
  .object({
    type: z.enum(INCIDENT_EVENT_TYPES).meta({ description: 'What happened.' }),
    at: instant('When it happened.'),
    actor: z.string().meta({ description: 'Who did it: a token name, or `supplier-access`.' }),
    details: z.record(z.string(), z.string()).optional(),
    changes: z
      .partialRecord(z.enum(INCIDENT_FIELDS), z.object({ from: valueSchema, to: valueSchema }))
      .optional()
      .meta({ description: '`updated` only: each changed field, before and after (`null`: unknown).' }),
  })
  .meta({ id: 'IncidentEvent', description: "One entry of an incident's trail, oldest first." });

export const incidentDetailSchema = z
  .object({
    incident: incidentSchema,
    keepUntil: instant(
      `The register keeps the entry at least until then (${INCIDENT_RETENTION_YEARS} years).`,
    ),
    doors: z.array(incidentDoorSchema).meta({ description: 'The doors it closes, with each closing.' }),
    heldDoors: z.array(heldDoorSchema).meta({
      description:
        'Every door the supplier held from `occurredFrom` (or `discoveredAt`) to `occurredUntil` (or now).',
    }),
    events: z.array(incidentEventSchema).meta({ description: 'Every change, oldest first.' }),
  })
  .meta({
    id: 'IncidentDetail',
    description: 'A register entry, pre-filled from the registry, with its trail.',
  });

export const openedIncidentSchema = z
  .object({
    incident: incidentSchema,
    doors: z.array(incidentDoorSchema),
    closed: z.number().int().meta({ description: 'How many doors closed before the answer.' }),
    pending: z.number().int().meta({ description: 'How many are still closing (a directory that is down).' }),
  })
  .meta({
    id: 'OpenedIncident',
    description: 'What an incident closed before answering, and what is pending.',
  });

export const incidentPageSchema = z
  .object({
    incidents: z.array(incidentSchema).meta({ description: 'Newest first.' }),
    nextCursor: nextCursorSchema,
  })
  .meta({ id: 'IncidentPage', description: 'One page of the register.' });

export const incidentExportSchema = z
  .object({
    exportedAt: instant('When the export was made.'),
    incidents: z.array(incidentDetailSchema).meta({ description: 'Newest first.' }),
  })
  .meta({ id: 'IncidentExport', description: 'The register, every entry in full, for the Commission.' });

export const INCIDENT_COMPONENTS = [
  incidentSchema,
  incidentDoorSchema,
  heldDoorSchema,
  incidentEventSchema,
  incidentDetailSchema,
  openedIncidentSchema,
  incidentPageSchema,
  incidentExportSchema,
] as const;

/** Only the members that are set: the stores may give `undefined` (or SQL `null`) for an unknown field. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/** An entry as the API shows it: its own members, whatever else a store row carries. */
export function incidentView(incident: IncidentRecord) {
  const fields = Object.fromEntries(INCIDENT_FIELDS.map((key) => [key, incident[key]]));
  return defined({
    id: incident.id,
    supplierId: incident.supplierId,
    supplierName: incident.supplierName,
    ...(fields as Pick<IncidentRecord, (typeof INCIDENT_FIELDS)[number]>),
    doors: incident.doors,
    doorsClosedAt: incident.doorsClosedAt,
    createdBy: incident.createdBy,
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    revision: incident.revision,
  });
}

/** A door the incident closes, with whether it is closed yet. */
export function incidentDoorView(door: IncidentDoor) {
  return {
    ...defined({
      kind: door.kind,
      doorId: door.doorId,
      provider: door.provider,
      name: door.name,
      heldFrom: door.heldFrom,
      action: door.action,
      requestedAt: door.requestedAt,
      closedAt: door.closedAt,
    }),
    status: door.closedAt ? ('closed' as const) : ('pending' as const),
  };
}

export function heldDoorView(door: HeldDoor) {
  return defined({
    kind: door.kind,
    doorId: door.doorId,
    provider: door.provider,
    name: door.name,
    from: door.from,
    until: door.until,
    status: door.status,
  });
}

export function incidentEventView(event: IncidentEvent) {
  return defined({
    type: event.type,
    at: event.at,
    actor: event.actor,
    details: event.details,
    changes: event.changes,
  });
}

/** When the register may let the entry go: `INCIDENT_RETENTION_YEARS` after the organisation became aware of it. */
export function keepUntil(incident: Pick<IncidentRecord, 'discoveredAt'>): string {
  const at = new Date(incident.discoveredAt);
  at.setUTCFullYear(at.getUTCFullYear() + INCIDENT_RETENTION_YEARS);
  return at.toISOString();
}
