/**
 * The request schemas of the incident routes (docs/api.md, "Incidents"): strict bodies, rules named per field. The
 * fields are the register's (Law 25, s. 3.8; Regulation respecting confidentiality incidents, s. 7).
 */
import { z } from 'zod';
import { instant, paging, supplierIdSchema, text, utc } from './schemas.js';

/** When the organisation became aware of an incident cannot lie ahead of the request. */
export const DISCOVERED_RULE = 'must not be in the future';

/** The start of the incident's period comes before its end. */
export const PERIOD_RULE = 'must not be before occurredFrom';

const longText = (max: number, description: string) => text(max, { lines: true }).meta({ description });

/** The register's fields as a request gives them (each optional here; `openIncidentSchema` requires two). */
const fields = {
  reason: longText(500, 'What happened, in a sentence ("Supplier reports ransomware on its laptops").'),
  discoveredAt: instant.meta({ description: 'When the organisation became aware of the incident.' }),
  occurredFrom: instant.meta({ description: "The incident's start, known or estimated." }),
  occurredUntil: instant.meta({ description: 'Its end, when known.' }),
  personalInformation: longText(4000, 'The personal information concerned, or why it cannot be described.'),
  circumstances: longText(8000, 'A brief description of the circumstances.'),
  personsConcerned: z
    .number('must be a number of persons')
    .int('must be a whole number of persons')
    .min(0, 'must be at least 0')
    .max(1_000_000_000, 'must be at most 1000000000')
    .meta({ description: 'The number of persons concerned, or its approximation.' }),
  riskAssessment: longText(
    8000,
    'The assessment of the risk of serious injury: sensitivity, possible malicious uses, consequences and their likelihood.',
  ),
  seriousRisk: z
    .boolean('must be true or false')
    .meta({ description: 'Whether the incident presents a risk of serious injury.' }),
  commissionNotifiedAt: instant.meta({
    description: "When the notice to the Commission d'accès à l'information was sent.",
  }),
  personsNotifiedAt: instant.meta({ description: 'When the notices to the persons concerned were sent.' }),
  measures: longText(8000, 'The measures taken to reduce the risk of injury.'),
};

/** The instants of the register, normalised to UTC once they are valid. */
const INSTANTS = [
  'discoveredAt',
  'occurredFrom',
  'occurredUntil',
  'commissionNotifiedAt',
  'personsNotifiedAt',
] as const;

function toUtc<T extends Partial<Record<(typeof INSTANTS)[number], string | null | undefined>>>(body: T): T {
  const out = { ...body };
  for (const key of INSTANTS) {
    const value = out[key];
    if (typeof value === 'string') (out as Record<string, unknown>)[key] = utc(value);
  }
  return out;
}

/** `discoveredAt` not ahead of now; `occurredFrom` not after `occurredUntil` (named on `occurredUntil`). */
export function checkDates(
  ctx: z.RefinementCtx,
  body: { discoveredAt?: string | null; occurredFrom?: string | null; occurredUntil?: string | null },
  now: number,
): void {
  if (typeof body.discoveredAt === 'string' && Date.parse(body.discoveredAt) > now)
    ctx.addIssue({ code: 'custom', path: ['discoveredAt'], message: DISCOVERED_RULE });
  if (
    typeof body.occurredFrom === 'string' &&
    typeof body.occurredUntil === 'string' &&
    Date.parse(body.occurredFrom) > Date.parse(body.occurredUntil)
  )
    ctx.addIssue({ code: 'custom', path: ['occurredUntil'], message: PERIOD_RULE });
}

/**
 * `POST /v1/suppliers/{id}/incident` and `POST /v1/incidents`: `reason` and `discoveredAt` are required, the rest
 * is completed as the facts come in.
 */
export function openIncidentSchema(now: () => number) {
  const { reason, discoveredAt, ...rest } = fields;
  const optional = Object.fromEntries(
    Object.entries(rest).map(([key, schema]) => [key, schema.optional()]),
  ) as { [K in keyof typeof rest]: z.ZodOptional<(typeof rest)[K]> };
  return z
    .strictObject({ reason, discoveredAt, ...optional })
    .superRefine((body, ctx) => checkDates(ctx, body, now()))
    .transform(toUtc);
}

export type OpenIncidentBody = z.output<ReturnType<typeof openIncidentSchema>>;

/**
 * `PATCH /v1/incidents/{id}`: absent leaves a field alone, `null` clears one that may be unknown; `reason` and
 * `discoveredAt` may change but not be cleared. The period is checked against the entry's other end too (in the
 * service, which knows it).
 */
export function patchIncidentSchema(now: () => number) {
  const { reason, discoveredAt, ...rest } = fields;
  const nullable = Object.fromEntries(
    Object.entries(rest).map(([key, schema]) => [key, schema.nullable().optional()]),
  ) as { [K in keyof typeof rest]: z.ZodOptional<z.ZodNullable<(typeof rest)[K]>> };
  return z
    .strictObject({ reason: reason.optional(), discoveredAt: discoveredAt.optional(), ...nullable })
    .superRefine((body, ctx) => {
      if (Object.values(body).every((v) => v === undefined))
        ctx.addIssue({ code: 'custom', path: [], message: 'must change at least one field' });
      checkDates(ctx, body, now());
    })
    .transform(toUtc);
}

export type PatchIncidentBody = z.output<ReturnType<typeof patchIncidentSchema>>;

/** `DELETE /v1/suppliers/{id}/block`. */
export const liftBlockSchema = z.strictObject({
  reason: longText(500, 'Why the supplier may have doors again ("new laptops, audit passed").'),
});

export const incidentParams = z.object({
  id: z.uuid('must be an incident id (a UUID)').meta({ description: 'The incident id.' }),
});

/** The register's filters, shared by the listing and the exports. */
const filters = {
  supplierId: supplierIdSchema.optional(),
  discoveredFrom: instant.transform(utc).optional(),
  discoveredBefore: instant.transform(utc).optional(),
};

/** `GET /v1/incidents`. */
export const listIncidentsQuerySchema = z.strictObject({ ...filters, ...paging });

/** `GET /v1/incidents.csv` and `GET /v1/incidents.json`: every entry matching the filters, never paged. */
export const exportIncidentsQuerySchema = z.strictObject(filters);

/** Descriptions of the register's query parameters. */
export const INCIDENT_QUERY_DESCRIPTIONS: Record<string, string> = {
  supplierId: 'Only the incidents of this supplier.',
  discoveredFrom: 'Incidents the organisation became aware of at or after this instant.',
  discoveredBefore: 'Incidents the organisation became aware of strictly before this instant.',
  limit: 'At most this many incidents on the page.',
  cursor: 'The `nextCursor` of the previous page.',
};
