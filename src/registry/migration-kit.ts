import type { SchemaModule } from 'kysely';

/**
 * Creates one index, the same DDL on SQLite and PostgreSQL. For migrations, which name their tables as they were
 * then: whatever the database's type says now.
 */
export async function createIndex(
  db: { schema: SchemaModule },
  name: string,
  table: string,
  columns: string[],
): Promise<void> {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}
