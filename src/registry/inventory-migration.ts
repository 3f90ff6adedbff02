import type { Kysely } from 'kysely';

/**
 * One credential holder as a review's inventory found it (0011). `owners` and `flags` are the JSON of string arrays;
 * `enabled` is 0 or 1 in both dialects; instants are ISO-8601 UTC text.
 */
export interface ReviewCredentialsTable {
  review_id: string;
  provider: string;
  holder_id: string;
  kind: string;
  name: string;
  owners: string;
  enabled: number;
  created_at: string | null;
  age_days: number | null;
  last_used_at: string | null;
  credentials: number;
  expires_at: string | null;
  grant_id: string | null;
  flags: string;
}

/**
 * `0011-inventory`: the review's inventory of non-human credentials. Keyed by (review, provider, holder) like the
 * review's accounts, so a retried activity rewrites its rows instead of adding more; pruned with them.
 */
export async function addInventory(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('review_credentials')
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owners', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text')
    .addColumn('age_days', 'integer')
    .addColumn('last_used_at', 'text')
    .addColumn('credentials', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('flags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addPrimaryKeyConstraint('review_credentials_pk', ['review_id', 'provider', 'holder_id'])
    .execute();
}
