/**
 * The request schemas of the manual-door routes (docs/api.md, "Manual doors"): strict bodies, rules named per
 * field. A door is asked for like a grant: the same supplier reference, expiry rules and reason.
 */
import { z } from 'zod';
import { MANUAL_DOOR_STATUSES } from '../../domain/manual-door.js';
import {
  durationDays,
  email,
  endingUntil,
  instant,
  paging,
  supplierByName,
  supplierIdField,
  supplierIdSchema,
  text,
  utc,
  type GrantPolicy,
} from './schemas.js';

const custodian = z
  .strictObject({
    name: text(128).meta({
      description: "The custodian's API token name: who closes the door and may attest it.",
    }),
    email: email.optional().meta({ description: 'Where the custodian is reminded to close it.' }),
  })
  .meta({ description: 'The internal person who closes the door by hand.' });

/** `POST /v1/manual-doors`: `until` or `durationDays`, at most `MAX_GRANT_DAYS` away; the contract end is the service's check. */
export function createManualDoorSchema(policy: GrantPolicy, now: () => number) {
  return endingUntil(
    z.strictObject({
      supplierId: supplierIdField,
      supplier: supplierByName,
      what: text(200).meta({ description: 'What the door is ("Zapier connection to the CRM").' }),
      where: text(200).meta({
        description: 'Where it lives, where to go to close it ("zapier.com, team workspace").',
      }),
      custodian,
      until: instant
        .optional()
        .meta({ description: 'When the door must be closed. Give this or `durationDays`.' }),
      durationDays: durationDays(policy),
      reason: text(500, { lines: true }),
    }),
    policy,
    now,
  );
}

export type CreateManualDoorBody = z.output<ReturnType<typeof createManualDoorSchema>>;

/** `POST /v1/manual-doors/{id}/attest`. */
export const attestSchema = z.strictObject({
  note: text(500, { lines: true }).optional().meta({ description: 'How it was closed, or what was found.' }),
});

export const manualDoorParams = z.object({
  id: z.uuid('must be a manual door id (a UUID)').meta({ description: 'The manual door id.' }),
});

/** `GET /v1/manual-doors`. */
export const listManualDoorsQuerySchema = z.strictObject({
  status: z
    .enum(MANUAL_DOOR_STATUSES, { error: `must be one of: ${MANUAL_DOOR_STATUSES.join(', ')}` })
    .optional(),
  supplierId: supplierIdSchema.optional(),
  activeAt: instant.transform(utc).optional(),
  ...paging,
});

/** Descriptions of the `GET /v1/manual-doors` query parameters. */
export const MANUAL_DOOR_QUERY_DESCRIPTIONS: Record<string, string> = {
  status: 'Only doors in this status.',
  supplierId: 'Only the doors of this supplier.',
  activeAt: 'Doors open at this instant: recorded by then and not attested closed by then.',
  limit: 'At most this many doors on the page.',
  cursor: 'The `nextCursor` of the previous page.',
};
