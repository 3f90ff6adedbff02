import type { Kysely } from 'kysely';
import { foldOrganisation } from '../../src/registry/fold.js';
import type { GrantRecord } from '../../src/registry/types.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { migrateToBefore, type Backend } from './backends.js';

/**
 * Writes a grant, with its `created` event, as a release whose schema ended at `0004-closed-at` did: every column
 * of that time and nothing later. `status` is where the grant stands; a closed one gets its ending and closing
 * instants a day after it was made.
 */
export async function insertGrantAs0004(
  db: Kysely<any>,
  grant: GrantRecord,
  status: 'active' | 'revoked' | 'expired' | 'failed' = 'revoked',
): Promise<void> {
  const ended = status === 'revoked' || status === 'expired';
  const endedAt = new Date(Date.parse(grant.createdAt) + 86_400_000).toISOString();
  await db
    .insertInto('grants')
    .values({
      id: grant.id,
      workflow_id: grant.workflowId,
      provider: grant.provider,
      organisation: grant.organisation,
      organisation_key: foldOrganisation(grant.organisation),
      contact_email: grant.contactEmail ?? null,
      username: grant.username,
      external_id: status === 'failed' ? null : `uid=${grant.username}`,
      display_name: grant.displayName,
      status,
      expires_at: grant.expiresAt,
      reason: grant.reason,
      ticket: null,
      groups: JSON.stringify(grant.groups),
      requested_by: grant.requestedBy,
      created_at: grant.createdAt,
      ended_at: ended ? endedAt : null,
      pending_extension: null,
      failure: null,
      patched_seq: 0,
      provisioned_at: status === 'failed' ? null : grant.createdAt,
      closed_at: ended ? endedAt : null,
    })
    .execute();
  await db
    .insertInto('grant_events')
    .values({ grant_id: grant.id, seq: 1, type: 'created', at: grant.createdAt, actor: grant.requestedBy })
    .execute();
}

/**
 * Writes a supplier as a release whose schema ended between `0006-suppliers` and `0011-inventory` did: every column
 * of that time (no block) and nothing later.
 */
export async function insertSupplierAs0006(db: Kysely<any>, supplier: SupplierRecord): Promise<void> {
  await db
    .insertInto('suppliers')
    .values({
      id: supplier.id,
      supplier_key: supplier.key,
      legal_name: supplier.legalName,
      name_key: supplier.key,
      contact_emails: '[]',
      sponsor_name: supplier.sponsor.name,
      created_by: supplier.createdBy,
      created_at: supplier.createdAt,
      updated_at: supplier.updatedAt,
    })
    .execute();
}

/** A new database as the release before `first` left it, holding `supplier`, opened (so migrated) by this release. */
export async function openRegistryBefore(
  backend: Backend,
  first: string,
  supplier: SupplierRecord,
): Promise<RegistryStore> {
  const location = await backend.freshDatabase();
  const before = backend.connect(location);
  try {
    await migrateToBefore(before, first);
    await insertSupplierAs0006(before, supplier);
  } finally {
    await before.destroy();
  }
  return openRegistry(location);
}
