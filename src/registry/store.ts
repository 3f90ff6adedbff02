import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Selectable } from 'kysely';
import type { ProviderName } from '../../providers/types.js';
import type { GrantEventType, GrantStatus } from '../../workflows/messages.js';
import { migrationProvider, type Database, type GrantsTable } from './schema.js';
import type { EventRecord, GrantEvent, GrantPatch, GrantRecord, RegistryStore } from './types.js';

/** Thrown when the registry's schema cannot be brought up to date. */
export class RegistryMigrationError extends Error {
  override readonly name = 'RegistryMigrationError';
}

/** Opens the registry (SQLite file in the data dir) and applies pending migrations. */
export async function openRegistry(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
}): Promise<RegistryStore> {
  if (options.databaseUrl && !options.databaseUrl.startsWith('sqlite:')) {
    throw new RegistryMigrationError('DATABASE_URL: only sqlite:<file> is supported by this build');
  }
  const file = options.databaseUrl
    ? options.databaseUrl.slice('sqlite:'.length)
    : join(options.dataDir, 'registry.sqlite');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets the API read while a worker in another process writes.
  sqlite.pragma('journal_mode = WAL');
  // Durable across process crashes; only a power cut may lose the last commits, which Temporal then redoes.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error)
    throw new RegistryMigrationError(
      `registry migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
    );
  return new KyselyRegistry(db);
}

class KyselyRegistry implements RegistryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertGrant(grant: GrantRecord, created: EventRecord): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('grants')
        .values({
          id: grant.id,
          workflow_id: grant.workflowId,
          provider: grant.provider,
          organisation: grant.organisation,
          contact_email: grant.contactEmail ?? null,
          username: grant.username,
          external_id: grant.externalId ?? null,
          display_name: grant.displayName,
          status: grant.status,
          expires_at: grant.expiresAt,
          reason: grant.reason,
          ticket: grant.ticket ?? null,
          groups: JSON.stringify(grant.groups),
          requested_by: grant.requestedBy,
          created_at: grant.createdAt,
          ended_at: null,
          pending_extension: null,
          failure: null,
          patched_seq: 0,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
      await tx
        .insertInto('grant_events')
        .values(eventRow(created))
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }

  async recordEvent(event: EventRecord): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('grant_events')
        .values(eventRow(event))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0 || !event.patch) return;
      const changes = patchColumns(event.patch);
      if (Object.keys(changes).length === 0) return;
      await tx
        .updateTable('grants')
        .set({ ...changes, patched_seq: event.seq })
        .where('id', '=', event.grantId)
        .where('patched_seq', '<', event.seq)
        .execute();
    });
  }

  async getGrant(id: string): Promise<GrantRecord | null> {
    const row = await this.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toGrant(row) : null;
  }

  async listEvents(grantId: string): Promise<GrantEvent[]> {
    const rows = await this.db
      .selectFrom('grant_events')
      .selectAll()
      .where('grant_id', '=', grantId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      type: r.type as GrantEventType,
      at: r.at,
      actor: r.actor,
      ...(r.details ? { details: JSON.parse(r.details) as Record<string, string> } : {}),
    }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function eventRow(event: EventRecord) {
  return {
    grant_id: event.grantId,
    seq: event.seq,
    type: event.type,
    at: event.at,
    actor: event.actor,
    details: event.details ? JSON.stringify(event.details) : null,
  };
}

function patchColumns(patch: GrantPatch): Partial<GrantsTable> {
  const changes: Partial<GrantsTable> = {};
  if (patch.status) changes.status = patch.status;
  if (patch.expiresAt) changes.expires_at = patch.expiresAt;
  if (patch.externalId) changes.external_id = patch.externalId;
  if (patch.endedAt) changes.ended_at = patch.endedAt;
  if (patch.failure) changes.failure = JSON.stringify(patch.failure);
  if (patch.pendingExtension !== undefined) {
    changes.pending_extension =
      patch.pendingExtension === null ? null : JSON.stringify(patch.pendingExtension);
  }
  return changes;
}

function toGrant(row: Selectable<GrantsTable>): GrantRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    provider: row.provider as ProviderName,
    organisation: row.organisation,
    contactEmail: row.contact_email ?? undefined,
    username: row.username,
    externalId: row.external_id ?? undefined,
    displayName: row.display_name,
    status: row.status as GrantStatus,
    expiresAt: row.expires_at,
    reason: row.reason,
    ticket: row.ticket ?? undefined,
    groups: JSON.parse(row.groups) as string[],
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    endedAt: row.ended_at ?? undefined,
    pendingExtension: row.pending_extension
      ? (JSON.parse(row.pending_extension) as GrantRecord['pendingExtension'])
      : undefined,
    failure: row.failure ? (JSON.parse(row.failure) as GrantRecord['failure']) : undefined,
  };
}
