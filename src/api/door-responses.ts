/** The open-doors answer's and the review inventory's response schemas (see response-schemas.ts for the others). */
import { z } from 'zod';
import { PROVIDER_NAMES } from '../../domain/account.js';
import { INVENTORY_FLAGS } from '../../domain/inventory.js';
import { DOOR_KINDS } from '../../domain/shared-account.js';

const doorTotalsSchema = z
  .object({
    ...Object.fromEntries(DOOR_KINDS.map((kind) => [kind, z.number().int()])),
    total: z.number().int(),
  })
  .meta({ id: 'DoorTotals', description: 'How many open doors of each kind, and in all.' });

export const openDoorSchema = z
  .object({
    kind: z.enum(DOOR_KINDS),
    id: z.uuid().meta({ description: 'The grant id (account, lend, service) or the manual door id.' }),
    supplierId: z.uuid().optional(),
    supplier: z.string().meta({ description: "The supplier's legal name." }),
    provider: z.enum(PROVIDER_NAMES).optional().meta({ description: 'Grant rows only.' }),
    account: z.string().optional().meta({ description: 'The account or credential name; grant rows only.' }),
    what: z.string().optional().meta({ description: 'Manual doors only.' }),
    where: z.string().optional().meta({ description: 'Manual doors only.' }),
    custodian: z.string().optional().meta({ description: 'Manual doors only: who closes it.' }),
    status: z.string(),
    since: z.iso.datetime().meta({ description: 'Provisioned (grant rows) or recorded (manual doors).' }),
    until: z.iso.datetime().meta({ description: "The grant's expiry, or the manual door's `until`." }),
    requestedBy: z.string(),
  })
  .meta({ id: 'OpenDoor', description: 'One door open at `activeAt`.' });

export const openDoorsSchema = z
  .object({
    activeAt: z.iso.datetime(),
    totals: doorTotalsSchema,
    suppliers: z.array(
      z.object({
        supplierId: z.uuid().optional(),
        supplier: z.string(),
        totals: doorTotalsSchema,
        doors: z.array(openDoorSchema),
      }),
    ),
  })
  .meta({
    id: 'OpenDoors',
    description:
      'Every live grant, lend, service credential and manual door at `activeAt`, by supplier, with totals per kind.',
  });

/** One holder of the review's inventory of non-human credentials. */
export const inventoriedCredentialSchema = z
  .object({
    provider: z.enum(PROVIDER_NAMES),
    kind: z.enum(['application', 'service-principal', 'service-app', 'api-token', 'service-account']),
    id: z.string().meta({ description: "The provider's own id." }),
    name: z.string(),
    owners: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: z.iso.datetime().optional(),
    ageDays: z.number().int().optional().meta({ description: 'Whole days from `createdAt` to the review.' }),
    lastUsedAt: z.iso.datetime().optional(),
    credentials: z.number().int().meta({ description: 'Secrets, keys or tokens it holds.' }),
    expiresAt: z.iso
      .datetime()
      .optional()
      .meta({ description: 'The latest end among them; absent when one never expires.' }),
    grantId: z
      .string()
      .optional()
      .meta({ description: 'Set when we issued it (left to its grant to repair).' }),
    flags: z.array(z.enum(INVENTORY_FLAGS)),
  })
  .meta({ id: 'InventoriedCredential', description: 'A non-human credential holder the review found.' });

/** Every schema here that gets its own `components.schemas` entry. */
export const DOOR_COMPONENTS = [
  doorTotalsSchema,
  openDoorSchema,
  openDoorsSchema,
  inventoriedCredentialSchema,
] as const;
