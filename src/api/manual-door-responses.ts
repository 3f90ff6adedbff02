/** What the manual-door routes answer, as zod schemas (see response-schemas.ts); they mirror `manualDoorView`. */
import { z } from 'zod';
import {
  MANUAL_DOOR_EVENT_TYPES,
  MANUAL_DOOR_STATUSES,
  type ManualDoorRecord,
} from '../../domain/manual-door.js';
import { nextCursorSchema } from './response-schemas.js';

const instant = (description: string) => z.iso.datetime().meta({ description });

export const manualDoorSchema = z
  .object({
    id: z.uuid().meta({ description: 'The manual door id.' }),
    supplierId: z.uuid().meta({ description: 'The supplier the door lets in.' }),
    what: z.string().meta({ description: 'What the door is.' }),
    where: z.string().meta({ description: 'Where it lives.' }),
    custodian: z.object({ name: z.string(), email: z.email().optional() }).meta({
      description: 'Who closes it by hand, and is reminded to.',
    }),
    until: instant('When it must be closed.'),
    reason: z.string(),
    requestedBy: z.string().meta({ description: 'Who recorded it.' }),
    createdAt: instant('When it was recorded.'),
    status: z.enum(MANUAL_DOOR_STATUSES).meta({
      description: '`open`; `overdue` past `until` (escalated to admins daily); `closed` once attested.',
    }),
    closedAt: instant('When it was attested closed.').optional(),
    closedBy: z.string().optional().meta({ description: 'Who attested it closed.' }),
    note: z.string().optional().meta({ description: 'What they said.' }),
  })
  .meta({ id: 'ManualDoor', description: 'A door no API can close. Clients must ignore unknown fields.' });

export const manualDoorEventSchema = z
  .object({
    type: z.enum(MANUAL_DOOR_EVENT_TYPES).meta({ description: 'What happened.' }),
    at: instant('When it happened.'),
    actor: z.string().meta({ description: 'Who did it: a token name, or `supplier-access`.' }),
    details: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'ManualDoorEvent', description: "One entry of a manual door's trail, oldest first." });

export const manualDoorDetailSchema = z
  .intersection(manualDoorSchema, z.object({ events: z.array(manualDoorEventSchema) }))
  .meta({ id: 'ManualDoorDetail', description: 'A manual door with its trail.' });

export const manualDoorPageSchema = z
  .object({
    manualDoors: z.array(manualDoorSchema).meta({ description: 'Newest first.' }),
    nextCursor: nextCursorSchema,
  })
  .meta({ id: 'ManualDoorPage', description: 'One page of manual doors.' });

export const MANUAL_DOOR_COMPONENTS = [
  manualDoorSchema,
  manualDoorEventSchema,
  manualDoorDetailSchema,
  manualDoorPageSchema,
] as const;

/** A manual door as the API shows it. */
export function manualDoorView(door: ManualDoorRecord) {
  return {
    id: door.id,
    supplierId: door.supplierId,
    what: door.what,
    where: door.where,
    custodian: {
      name: door.custodian.name,
      ...(door.custodian.email ? { email: door.custodian.email } : {}),
    },
    until: door.until,
    reason: door.reason,
    requestedBy: door.requestedBy,
    createdAt: door.createdAt,
    status: door.status,
    ...(door.closedAt ? { closedAt: door.closedAt } : {}),
    ...(door.closedBy ? { closedBy: door.closedBy } : {}),
    ...(door.note ? { note: door.note } : {}),
  };
}
