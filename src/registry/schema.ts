import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createIndex } from './migration-kit.js';
import { supplierKey } from '../../domain/naming.js';
import { foldOrganisation } from './fold.js';
import { addSuppliers, type SuppliersTable as SuppliersTable0006 } from './suppliers-migration.js';
import {
  addManualDoors,
  type ManualDoorEventsTable,
  type ManualDoorsTable,
} from './manual-doors-migration.js';
import { addInventory, type ReviewCredentialsTable } from './inventory-migration.js';
import {
  addIncidents,
  type IncidentDoorsTable,
  type IncidentEventsTable,
  type IncidentsTable,
} from './incidents-migration.js';

/** The suppliers table keeps the row type its migration created it with. */

/** Row shapes as stored; instants are ISO-8601 UTC text so they sort and compare as text in any dialect. */
export interface GrantsTable {
  id: string;
  workflow_id: string;
  provider: string;
  organisation: string;
  contact_email: string | null;
  username: string;
  external_id: string | null;
  display_name: string;
  status: string;
  expires_at: string;
  reason: string;
  ticket: string | null;
  groups: string;
  requested_by: string;
  created_at: string;
  ended_at: string | null;
  pending_extension: string | null;
  failure: string | null;
  /** The seq of the last event whose patch was applied; older patches arriving late are not applied. */
  patched_seq: number;
  /** The `at` of the grant's `provisioned` event, null until then (0002). */
  provisioned_at: string | null;
  /** `organisation` folded by {@link foldOrganisation}, what the organisation filter matches (0002). */
  organisation_key: string;
  /**
   * When the account was closed: the later of the grant's `disabled` and `credentials-rotated` events, null until
   * both are recorded (0004). `ended_at` says when the grant ended; the door is open until this.
   */
  closed_at: string | null;
  /** The supplier the grant is for (0006); every grant has one once that migration ran. */
  supplier_id: string | null;
  /** When the retention sweep deleted the account from its directory (0007); null while it is there. */
  account_deleted_at: string | null;
  /** `account` for an account made for the supplier, `lend` for a lend of a shared account (0008). */
  door: string;
  /** The shared account a lend is of (0008); null for every other door. */
  shared_account_id: string | null;
}

/**
 * An existing directory account lent to suppliers (0008). `custodian_credential` is the password waiting for the
 * custodian, sealed with the payload keys: the only place the registry keeps one, and never in plaintext.
 */
export interface SharedAccountsTable {
  id: string;
  provider: string;
  username: string;
  external_id: string;
  display_name: string;
  label: string;
  custodian_name: string;
  custodian_email: string | null;
  rotation_interval_days: number | null;
  last_rotated_at: string | null;
  custodian_credential: string | null;
  /** When the directory took the password waiting in `custodian_credential`; null with it. */
  custodian_credential_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** A shared account's own trail (0008); `details` is JSON text like a grant event's. */
export interface SharedAccountEventsTable {
  shared_account_id: string;
  seq: number;
  type: string;
  at: string;
  actor: string;
  details: string | null;
}

/** One supplier: the table as `0006-suppliers` created it, with the block `0012-incidents` added. */
export interface SuppliersTable extends SuppliersTable0006 {
  /** The incident blocking the supplier, since when and by whom (0012); all null while it is not blocked. */
  block_incident_id: string | null;
  block_since: string | null;
  block_by: string | null;
}

export interface GrantEventsTable {
  grant_id: string;
  seq: number;
  type: string;
  at: string;
  actor: string;
  details: string | null;
}

/** One access review (0003); `providers` is the JSON of its `ProviderReview[]`, written when it finishes. */
export interface ReviewsTable {
  id: string;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  providers: string;
}

/** One supplier-convention account as a review found it (0003); `enabled` is 0 or 1 in both dialects. */
export interface ReviewAccountsTable {
  review_id: string;
  provider: string;
  username: string;
  external_id: string;
  display_name: string;
  enabled: number;
  expires_at: string | null;
  grant_id: string | null;
  grant_status: string | null;
  grant_expires_at: string | null;
  finding: string;
  action: string;
  error: string | null;
}

/**
 * An account name reserved for one supplier on one provider (0005): no other supplier is ever given it, so an
 * account is only ever taken over by a grant of the supplier it was made for. Rows are never deleted.
 */
export interface AccountNamesTable {
  provider: string;
  username: string;
  /** The supplier's canonical key (`supplierKey`). */
  supplier_key: string;
  reserved_at: string;
}

/** The whole registry schema, as the latest migration leaves it. */
export interface Database {
  grants: GrantsTable;
  grant_events: GrantEventsTable;
  reviews: ReviewsTable;
  review_accounts: ReviewAccountsTable;
  account_names: AccountNamesTable;
  suppliers: SuppliersTable;
  shared_accounts: SharedAccountsTable;
  shared_account_events: SharedAccountEventsTable;
  manual_doors: ManualDoorsTable;
  manual_door_events: ManualDoorEventsTable;
  review_credentials: ReviewCredentialsTable;
  incidents: IncidentsTable;
  incident_doors: IncidentDoorsTable;
  incident_events: IncidentEventsTable;
}

const migrations: Record<string, Migration> = {
  '0001-grants': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('organisation', 'text', (c) => c.notNull())
        .addColumn('contact_email', 'text')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('ticket', 'text')
        .addColumn('groups', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('pending_extension', 'text')
        .addColumn('failure', 'text')
        .addColumn('patched_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await createIndex(db, 'grants_provider_username', 'grants', ['provider', 'username']);
      await createIndex(db, 'grants_status_expires', 'grants', ['status', 'expires_at']);
      await db.schema
        .createTable('grant_events')
        .addColumn('grant_id', 'text', (c) => c.notNull().references('grants.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('details', 'text')
        .addPrimaryKeyConstraint('grant_events_pk', ['grant_id', 'seq'])
        .execute();
      await sql`select 1`.execute(db);
    },
  },
  '0002-listing': { up: addListingColumns },
  '0003-reviews': { up: addReviewTables },
  '0004-closed-at': { up: addClosedAt },
  '0005-account-names': { up: addAccountNames },
  '0006-suppliers': { up: addSuppliers },
  '0007-retention': { up: addRetention },
  '0008-shared-accounts': { up: addSharedAccounts },
  '0010-manual-doors': { up: addManualDoors },
  '0011-inventory': { up: addInventory },
  '0012-incidents': { up: addIncidents },
};

/**
 * The tables as `0002-listing` sees them. Migrations keep their own row types: they must keep working
 * on the schema of their time whatever later migrations change in {@link Database}.
 */
interface ListingSchema {
  grants: { id: string; organisation: string; organisation_key: string; provisioned_at: string | null };
  grant_events: { grant_id: string; type: string; at: string };
}

/** Columns and indexes for `listGrants`, backfilled for grants made before them. */
async function addListingColumns(anyDb: Kysely<unknown>): Promise<void> {
  const db = anyDb as Kysely<ListingSchema>;
  // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
  await db.schema.alterTable('grants').addColumn('provisioned_at', 'text').execute();
  await db.schema
    .alterTable('grants')
    .addColumn('organisation_key', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db
    .updateTable('grants')
    .set((eb) => ({
      provisioned_at: eb
        .selectFrom('grant_events')
        .select((e) => e.fn.min('at').as('at'))
        .whereRef('grant_events.grant_id', '=', 'grants.id')
        .where('grant_events.type', '=', 'provisioned'),
    }))
    .execute();
  // Folding is Unicode work neither dialect does the same way in SQL, so it happens here, once per name.
  const names = await db.selectFrom('grants').select('organisation').distinct().execute();
  for (const { organisation } of names) {
    await db
      .updateTable('grants')
      .set({ organisation_key: foldOrganisation(organisation) })
      .where('organisation', '=', organisation)
      .execute();
  }
  await addListingIndexes(db);
}

/**
 * What EXPLAIN showed a listing of 20,000 grants needs in both dialects (with these, every filter's first
 * page took under 10 ms in each): the listing's order walked backwards (from the newest grant or from the
 * cursor); the same order within one status or one provider, so that "every expired grant" reads one page
 * of index instead of sorting thousands of rows; equality on both lists with a range on expiry. The
 * organisation and activeAt filters are checked while walking the listing's order.
 */
async function addListingIndexes(db: Kysely<ListingSchema>): Promise<void> {
  const indexes: Record<string, string[]> = {
    grants_created_id: ['created_at', 'id'],
    grants_status_created: ['status', 'created_at', 'id'],
    grants_provider_created: ['provider', 'created_at', 'id'],
    grants_provider_status_expires: ['provider', 'status', 'expires_at'],
  };
  for (const [name, columns] of Object.entries(indexes)) {
    await createIndex(db, name, 'grants', columns);
  }
}

/**
 * The access review's reports. A review's accounts are keyed by (review, provider, username) so a retried
 * activity rewrites its rows instead of adding more; `getReview` reads them by that key's prefix.
 */
async function addReviewTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('providers', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  // `latestReview`: the newest finished review, found from the top of this index.
  await createIndex(db, 'reviews_started', 'reviews', ['started_at', 'id']);
  await db.schema
    .createTable('review_accounts')
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('grant_status', 'text')
    .addColumn('grant_expires_at', 'text')
    .addColumn('finding', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('review_accounts_pk', ['review_id', 'provider', 'username'])
    .execute();
}

/** The tables as `0004-closed-at` sees them (see {@link ListingSchema} for why migrations keep their own). */
interface ClosedAtSchema {
  grants: { id: string; closed_at: string | null };
  grant_events: { grant_id: string; seq: number; type: string; at: string };
}

/** The instant each grant's account was closed, backfilled for grants closed before the column. */
async function addClosedAt(anyDb: Kysely<unknown>): Promise<void> {
  const db = anyDb as Kysely<ClosedAtSchema>;
  // Spelled out rather than shared with the registry's code: this migration must do what it did when it shipped.
  const CLOSING_EVENTS = ['disabled', 'credentials-rotated'];
  await db.schema.alterTable('grants').addColumn('closed_at', 'text').execute();
  await db
    .updateTable('grants')
    .set((eb) => ({
      closed_at: eb
        .selectFrom('grant_events')
        .select((e) => e.fn.max('at').as('at'))
        .whereRef('grant_events.grant_id', '=', 'grants.id')
        .where('grant_events.type', 'in', [...CLOSING_EVENTS]),
    }))
    .where((eb) =>
      eb.and(
        CLOSING_EVENTS.map((type) =>
          eb.exists(
            eb
              .selectFrom('grant_events')
              .select('grant_events.seq')
              .whereRef('grant_events.grant_id', '=', 'grants.id')
              .where('grant_events.type', '=', type),
          ),
        ),
      ),
    )
    .execute();
}

/** The tables as `0005-account-names` sees them (see {@link ListingSchema} for why migrations keep their own). */
interface AccountNamesSchema {
  grants: {
    id: string;
    provider: string;
    username: string;
    organisation: string;
    status: string;
    created_at: string;
  };
  account_names: { provider: string; username: string; supplier_key: string; reserved_at: string };
}

/** Rows per INSERT: four parameters each, far below either dialect's limit. */
const RESERVATIONS_PER_INSERT = 500;

/**
 * The reservations of account names, and one for every account name a grant already has: existing names never
 * change, and each stays with the supplier it was made for. Where earlier releases gave two suppliers one name
 * (their spellings met, or their cut names' short hashes did), the supplier of the grant that owns the account
 * keeps it: its most recent grant that did not fail, since that is the grant the directory's account carries
 * (a failed grant never made or took it), or the most recent grant when all of them failed. The other supplier
 * gets a name of its own at its next grant. The key is computed here, once per grant: transliteration is not
 * something either dialect does in SQL.
 */
async function addAccountNames(anyDb: Kysely<unknown>): Promise<void> {
  const db = anyDb as Kysely<AccountNamesSchema>;
  await db.schema
    .createTable('account_names')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('supplier_key', 'text', (c) => c.notNull())
    .addColumn('reserved_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_names_pk', ['provider', 'username'])
    .execute();
  // A supplier's name on a provider is looked up by key at every grant.
  await createIndex(db, 'account_names_supplier', 'account_names', [
    'provider',
    'supplier_key',
    'reserved_at',
  ]);
  const grants = await db
    .selectFrom('grants')
    .select(['provider', 'username', 'organisation', 'status', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  // Oldest first, so the last grant seen for an account is its most recent; a failed one never replaces another.
  const owners = new Map<string, (typeof grants)[number]>();
  for (const grant of grants) {
    const account = JSON.stringify([grant.provider, grant.username]);
    const owner = owners.get(account);
    if (!owner || grant.status !== 'failed' || owner.status === 'failed') owners.set(account, grant);
  }
  const rows = [...owners.values()].map((grant) => ({
    provider: grant.provider,
    username: grant.username,
    supplier_key: supplierKey(grant.organisation),
    reserved_at: grant.created_at,
  }));
  for (let start = 0; start < rows.length; start += RESERVATIONS_PER_INSERT) {
    await db
      .insertInto('account_names')
      .values(rows.slice(start, start + RESERVATIONS_PER_INSERT))
      .execute();
  }
}

/**
 * When each account was deleted by the retention sweep. Nothing to backfill: no account was deleted before. The
 * indexes are what the sweep reads: the accounts not deleted yet, by when they were closed; and, for each, the
 * grants of the same account created since (without it SQLite walked every grant of the provider created since:
 * 7 s over 20,000 grants; 64 ms with it, 32 ms on PostgreSQL).
 */
async function addRetention(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('grants').addColumn('account_deleted_at', 'text').execute();
  await createIndex(db, 'grants_deleted_closed', 'grants', ['account_deleted_at', 'closed_at']);
  await createIndex(db, 'grants_account_created', 'grants', ['provider', 'username', 'created_at']);
}

/**
 * Shared accounts, their trail, and lends as grant rows: every grant so far made its own account (`door` defaults
 * to `account`, which also backfills them). The unique (provider, external_id) keeps one directory account from
 * being registered twice, whoever races; the grants index finds a shared account's lends, newest first.
 */
async function addSharedAccounts(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shared_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('custodian_name', 'text', (c) => c.notNull())
    .addColumn('custodian_email', 'text')
    .addColumn('rotation_interval_days', 'integer')
    .addColumn('last_rotated_at', 'text')
    .addColumn('custodian_credential', 'text')
    .addColumn('custodian_credential_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('shared_accounts_account', ['provider', 'external_id'])
    .execute();
  // The listing, newest first.
  await createIndex(db, 'shared_accounts_created', 'shared_accounts', ['created_at', 'id']);
  await db.schema
    .createTable('shared_account_events')
    .addColumn('shared_account_id', 'text', (c) => c.notNull().references('shared_accounts.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addPrimaryKeyConstraint('shared_account_events_pk', ['shared_account_id', 'seq'])
    .execute();
  await db.schema
    .alterTable('grants')
    .addColumn('door', 'text', (c) => c.notNull().defaultTo('account'))
    .execute();
  await db.schema.alterTable('grants').addColumn('shared_account_id', 'text').execute();
  await createIndex(db, 'grants_shared_account_created', 'grants', ['shared_account_id', 'created_at', 'id']);
}

/** Every migration, applied in name order by Kysely's Migrator on both SQLite and PostgreSQL. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
