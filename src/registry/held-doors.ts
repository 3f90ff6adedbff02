/** The register's pre-fill: the doors a supplier held during an incident's period, for `KyselyRegistry`. */
import type { Kysely } from 'kysely';
import type { HeldDoor } from '../../domain/incident.js';
import type { DoorKind } from '../../domain/shared-account.js';
import { storedInstant } from './listing.js';
import type { Database } from './schema.js';

/**
 * See `IncidentStore.heldDoors`. A grant's account is held from its provisioning (or, before that is recorded, its
 * creation) until it is closed (`closed_at`: disabled and rotated), not merely until its grant ended, as the
 * registry's `activeAt` rule says; a grant that failed before its account existed never held anything. A manual
 * door is held from its creation until someone attested it closed.
 */
export async function heldDoors(
  db: Kysely<Database>,
  supplierId: string,
  from: string,
  until: string,
): Promise<HeldDoor[]> {
  const start = storedInstant(from);
  const end = storedInstant(until);
  const grants = await db
    .selectFrom('grants')
    .select(['id', 'door', 'provider', 'username', 'status', 'created_at', 'provisioned_at', 'closed_at'])
    .where('supplier_id', '=', supplierId)
    .where('created_at', '<=', end)
    .where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', start)]))
    .where((eb) => eb.or([eb('status', '!=', 'failed'), eb('provisioned_at', 'is not', null)]))
    .execute();
  const manual = await db
    .selectFrom('manual_doors')
    .select(['id', 'what', 'status', 'created_at', 'closed_at'])
    .where('supplier_id', '=', supplierId)
    .where('created_at', '<=', end)
    .where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', start)]))
    .execute();
  const doors: HeldDoor[] = [
    ...grants.map((row) => ({
      kind: row.door as DoorKind,
      doorId: row.id,
      provider: row.provider,
      name: row.username,
      from: row.provisioned_at ?? row.created_at,
      ...(row.closed_at ? { until: row.closed_at } : {}),
      status: row.status,
    })),
    ...manual.map((row) => ({
      kind: 'manual' as const,
      doorId: row.id,
      name: row.what,
      from: row.created_at,
      ...(row.closed_at ? { until: row.closed_at } : {}),
      status: row.status,
    })),
  ];
  // Code-unit order, the same from either store and in every locale.
  return doors.sort((a, b) =>
    a.from === b.from ? (a.doorId < b.doorId ? -1 : a.doorId > b.doorId ? 1 : 0) : a.from < b.from ? -1 : 1,
  );
}
