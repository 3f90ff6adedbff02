/** What the supplier routes answer, as zod schemas (see response-schemas.ts); they mirror `supplierView`. */
import { z } from 'zod';
import { manualDoorSchema } from './manual-door-responses.js';
import { grantSchema, nextCursorSchema } from './response-schemas.js';

const instant = (description: string) => z.iso.datetime().meta({ description });

/** The supplier as `supplierView` renders it. */
export const supplierSchema = z
  .object({
    id: z.uuid().meta({ description: 'The supplier id.' }),
    legalName: z.string().meta({ description: 'The legal name as written.' }),
    key: z.string().meta({
      description:
        'The canonical key of the legal name, the same for every spelling of it; set at creation, never changed.',
    }),
    contactEmails: z
      .array(z.email())
      .meta({ description: "The supplier's contacts; the first one is grants' default." }),
    sponsor: z
      .object({ name: z.string(), email: z.email().optional() })
      .meta({ description: 'The internal person answerable for the supplier.' }),
    contractEnd: instant(
      'No grant of the supplier runs past this instant; absent when none is on record.',
    ).optional(),
    notes: z.string().optional(),
    block: z
      .object({
        incidentId: z.uuid().meta({ description: 'The incident that blocked it.' }),
        since: instant('When it was blocked.'),
        by: z.string().meta({ description: 'The admin who opened the incident.' }),
      })
      .optional()
      .meta({
        description:
          'Present while an incident blocks the supplier: no new grant, lend, service credential or manual door, ' +
          'and no extension, until an admin lifts the block (`DELETE /v1/suppliers/{id}/block`).',
      }),
    createdBy: z.string().meta({
      description: 'The token name that registered it (`supplier-access` for suppliers made by the upgrade).',
    }),
    createdAt: instant('When it was registered.'),
    updatedAt: instant('When it last changed.'),
  })
  .meta({ id: 'Supplier', description: 'A supplier organisation. Clients must ignore unknown fields.' });

/** `GET /v1/suppliers/{id}`: the supplier and every grant it ever had. */
export const supplierWithGrantsSchema = z
  .intersection(
    supplierSchema,
    z.object({
      grants: z
        .array(grantSchema)
        .meta({ description: 'Every grant of the supplier, current and past, newest first.' }),
      manualDoors: z.array(manualDoorSchema).meta({
        description: 'The doors no API can close recorded for the supplier, open and closed, newest first.',
      }),
    }),
  )
  .meta({ id: 'SupplierWithGrants', description: 'A supplier with its grants.' });

/** `GET /v1/suppliers`. */
export const supplierPageSchema = z
  .object({
    suppliers: z.array(supplierSchema).meta({ description: 'Newest first (by `createdAt`, then `id`).' }),
    nextCursor: nextCursorSchema,
  })
  .meta({ id: 'SupplierPage', description: 'One page of suppliers.' });

/** The supplier schemas with a `components.schemas` entry of their own. */
export const SUPPLIER_COMPONENTS = [supplierSchema, supplierWithGrantsSchema, supplierPageSchema] as const;
