/** The request schemas of the supplier routes (docs/api.md, "Suppliers"): strict bodies, rules named per field. */
import { z } from 'zod';
import { supplierKey } from '../../domain/naming.js';
import { email, instant, paging, supplierIdSchema, text, utc } from './schemas.js';

/** What a legal name needs for the supplier to have a canonical key. */
export const LEGAL_NAME_RULE = 'must contain a letter or a digit (in any script)';

const legalName = text(128).refine((v) => supplierKey(v) !== '', LEGAL_NAME_RULE);
const contactEmails = z.array(email).max(10, 'must list at most 10 addresses');
const sponsor = z
  .strictObject({
    name: text(128).meta({ description: 'Who inside answers for the supplier.' }),
    email: email.optional().meta({ description: 'Where the sponsor is told of changes and reminders.' }),
  })
  .meta({ description: 'The internal person answerable for the supplier.' });
const notes = text(2000, { lines: true });

/** A contract end must lie ahead: a contract already over grants nothing. */
function checkFuture(ctx: z.RefinementCtx, at: string | null | undefined, now: number): void {
  if (typeof at === 'string' && Date.parse(at) <= now)
    ctx.addIssue({ code: 'custom', path: ['contractEnd'], message: 'must be in the future' });
}

/** `POST /v1/suppliers`. */
export function createSupplierSchema(now: () => number) {
  return z
    .strictObject({
      legalName,
      contactEmails: contactEmails.optional(),
      sponsor,
      contractEnd: instant.optional(),
      notes: notes.optional(),
    })
    .superRefine((body, ctx) => checkFuture(ctx, body.contractEnd, now()))
    .transform((body) => ({
      ...body,
      contactEmails: body.contactEmails ?? [],
      contractEnd: body.contractEnd === undefined ? undefined : utc(body.contractEnd),
    }));
}

export type CreateSupplierBody = z.output<ReturnType<typeof createSupplierSchema>>;

/** `PATCH /v1/suppliers/{id}`: absent leaves alone, `null` clears a contract end or notes. */
export function patchSupplierSchema(now: () => number) {
  return z
    .strictObject({
      legalName: legalName.optional(),
      contactEmails: contactEmails.optional(),
      sponsor: sponsor.optional(),
      contractEnd: instant.nullable().optional(),
      notes: notes.nullable().optional(),
    })
    .superRefine((body, ctx) => {
      if (Object.values(body).every((v) => v === undefined))
        ctx.addIssue({ code: 'custom', path: [], message: 'must change at least one field' });
      checkFuture(ctx, body.contractEnd, now());
    })
    .transform((body) => ({
      ...body,
      contractEnd: typeof body.contractEnd === 'string' ? utc(body.contractEnd) : body.contractEnd,
    }));
}

export type PatchSupplierBody = z.output<ReturnType<typeof patchSupplierSchema>>;

/** The path of the routes that work on one supplier. */
export const supplierParams = z.object({
  id: supplierIdSchema.meta({ description: 'The supplier id.' }),
});

/** `GET /v1/suppliers`: filters, then the same cursor paging as grants. */
export const listSuppliersQuerySchema = z.strictObject({
  name: text(128).optional(),
  contractEndsBefore: instant.transform(utc).optional(),
  ...paging,
});

/** Descriptions of the `GET /v1/suppliers` query parameters. */
export const SUPPLIER_QUERY_DESCRIPTIONS: Record<string, string> = {
  name: 'Part of the legal name, ignoring case and diacritics.',
  contractEndsBefore: 'Suppliers whose contract ends strictly before this instant.',
  limit: 'At most this many suppliers on the page.',
  cursor: 'The `nextCursor` of the previous page.',
};
