import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

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
}

export interface GrantEventsTable {
  grant_id: string;
  seq: number;
  type: string;
  at: string;
  actor: string;
  details: string | null;
}

export interface Database {
  grants: GrantsTable;
  grant_events: GrantEventsTable;
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
      await db.schema
        .createIndex('grants_provider_username')
        .on('grants')
        .columns(['provider', 'username'])
        .execute();
      await db.schema
        .createIndex('grants_status_expires')
        .on('grants')
        .columns(['status', 'expires_at'])
        .execute();
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
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
