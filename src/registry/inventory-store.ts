import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ProviderName } from '../../domain/account.js';
import type { CredentialHolderKind, InventoriedCredential, InventoryFlag } from '../../domain/inventory.js';
import type { ReviewCredentialsTable } from './inventory-migration.js';
import type { Database } from './schema.js';

/*
 * The review's inventory rows, on a migrated database of either dialect; `KyselyRegistry` delegates to these and
 * `RegistryStore` documents what each promises.
 */

/** Rows per INSERT: 14 parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const ROWS_PER_INSERT = 1000;

/** See `RegistryStore.saveReviewCredentials`. */
export async function saveReviewCredentials(
  db: Kysely<Database>,
  reviewId: string,
  holders: readonly InventoriedCredential[],
): Promise<void> {
  if (holders.length === 0) return;
  const rows = holders.map((holder) => credentialRow(reviewId, holder));
  await db.transaction().execute(async (tx) => {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      await tx
        .insertInto('review_credentials')
        .values(rows.slice(start, start + ROWS_PER_INSERT))
        .onConflict((oc) =>
          oc.columns(['review_id', 'provider', 'holder_id']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            name: eb.ref('excluded.name'),
            owners: eb.ref('excluded.owners'),
            enabled: eb.ref('excluded.enabled'),
            created_at: eb.ref('excluded.created_at'),
            age_days: eb.ref('excluded.age_days'),
            last_used_at: eb.ref('excluded.last_used_at'),
            credentials: eb.ref('excluded.credentials'),
            expires_at: eb.ref('excluded.expires_at'),
            grant_id: eb.ref('excluded.grant_id'),
            flags: eb.ref('excluded.flags'),
          })),
        )
        .execute();
    }
  });
}

/** The inventory of one review, ordered by provider, then name, then id (in code-unit order, like its accounts). */
export async function reviewCredentials(
  db: Kysely<Database>,
  reviewId: string,
): Promise<InventoriedCredential[]> {
  const rows = await db
    .selectFrom('review_credentials')
    .selectAll()
    .where('review_id', '=', reviewId)
    .execute();
  const key = (c: InventoriedCredential) => [c.provider, c.name, c.id];
  return rows.map(toCredential).sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) return (x[i] ?? '') < (y[i] ?? '') ? -1 : 1;
    }
    return 0;
  });
}

/** Deletes the inventory of the reviews given (the review's detail past its keeping time). */
export async function pruneReviewCredentials(db: Kysely<Database>, cutoff: string): Promise<void> {
  await db
    .deleteFrom('review_credentials')
    .where('review_id', 'in', (sub) =>
      sub.selectFrom('reviews').select('id').where('finished_at', '<', cutoff),
    )
    .execute();
}

function credentialRow(reviewId: string, c: InventoriedCredential): Insertable<ReviewCredentialsTable> {
  return {
    review_id: reviewId,
    provider: c.provider,
    holder_id: c.id,
    kind: c.kind,
    name: c.name,
    owners: JSON.stringify(c.owners),
    enabled: c.enabled ? 1 : 0,
    created_at: c.createdAt ?? null,
    age_days: c.ageDays ?? null,
    last_used_at: c.lastUsedAt ?? null,
    credentials: c.credentials,
    expires_at: c.expiresAt ?? null,
    grant_id: c.grantId ?? null,
    flags: JSON.stringify(c.flags),
  };
}

function toCredential(row: Selectable<ReviewCredentialsTable>): InventoriedCredential {
  return {
    provider: row.provider as ProviderName,
    kind: row.kind as CredentialHolderKind,
    id: row.holder_id,
    name: row.name,
    owners: JSON.parse(row.owners) as string[],
    enabled: Number(row.enabled) === 1,
    createdAt: row.created_at ?? undefined,
    ageDays: row.age_days === null ? undefined : Number(row.age_days),
    lastUsedAt: row.last_used_at ?? undefined,
    credentials: Number(row.credentials),
    expiresAt: row.expires_at ?? undefined,
    grantId: row.grant_id ?? undefined,
    flags: JSON.parse(row.flags) as InventoryFlag[],
  };
}
