import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from '../../src/registry/schema.js';
import { startPostgres } from '../helpers/postgres.js';

/** What `openRegistry` is given to open one database. */
export interface RegistryLocation {
  databaseUrl: string;
  dataDir: string;
}

/** A database server (or SQLite directory) the registry tests run against. */
export interface Backend {
  /** A new, empty database. */
  freshDatabase(): Promise<RegistryLocation>;
  /** Direct access to a database, around the registry: to build one as an older release left it. */
  connect(location: RegistryLocation): Kysely<any>;
  stop(): Promise<void>;
}

/** Every dialect the registry supports, each started on demand. */
export const backends: { name: string; start: () => Promise<Backend> }[] = [
  { name: 'SQLite', start: startSqliteBackend },
  { name: 'PostgreSQL', start: startPostgresBackend },
];

async function startSqliteBackend(): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'registry-test-'));
  let databases = 0;
  return {
    freshDatabase: async () => ({
      databaseUrl: `sqlite:${join(dataDir, `registry-${++databases}.sqlite`)}`,
      dataDir,
    }),
    connect: ({ databaseUrl }) =>
      new Kysely<any>({
        dialect: new SqliteDialect({ database: new SQLite(databaseUrl.slice('sqlite:'.length)) }),
      }),
    stop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function startPostgresBackend(): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'registry-test-'));
  const server = await startPostgres();
  return {
    freshDatabase: async () => ({ databaseUrl: await server.createDatabase(), dataDir }),
    connect: ({ databaseUrl }) =>
      new Kysely<any>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }),
      }),
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Brings a database to the schema of the first release (`0001-grants` only), as that release did. */
export async function migrateToFirstRelease(db: Kysely<any>): Promise<void> {
  await migrateUpTo(db, '0001-grants');
}

/** Brings a database to the schema a release left it in: every migration up to `last`, none after. */
export async function migrateUpTo(db: Kysely<any>, last: string): Promise<void> {
  const provider = {
    getMigrations: async () => {
      const all = await migrationProvider.getMigrations();
      return Object.fromEntries(Object.entries(all).filter(([name]) => name <= last));
    },
  };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
}
