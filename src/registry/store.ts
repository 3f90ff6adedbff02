import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { KyselyRegistry } from './kysely-registry.js';
import { migrationProvider, type Database } from './schema.js';
import type { RegistryStore } from './types.js';

/** Thrown when the registry's database cannot be opened or its schema cannot be brought up to date. */
export class RegistryMigrationError extends Error {
  override readonly name = 'RegistryMigrationError';
}

/** Where the registry lives, from `DATABASE_URL`. */
type RegistryTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

const ACCEPTED = 'sqlite:<file>, postgres://… or postgresql://… (unset: a SQLite file in the data dir)';

/**
 * Opens the registry and applies pending migrations. `databaseUrl` unset → SQLite file
 * `<dataDir>/registry.sqlite`; `sqlite:<file>` → that SQLite file; `postgres://…` or `postgresql://…` →
 * PostgreSQL. Any number of processes may open the same database at once: migrations run one at a time.
 *
 * @throws {RegistryMigrationError} for an unsupported `databaseUrl`, an unreachable database or a failed
 *   migration. Messages never contain the URL's password.
 */
export async function openRegistry(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
}): Promise<RegistryStore> {
  const target = registryTarget(options.databaseUrl, options.dataDir);
  return target.kind === 'sqlite' ? openSqlite(target.file) : openPostgres(target.url);
}

function registryTarget(databaseUrl: string | undefined, dataDir: string): RegistryTarget {
  if (!databaseUrl) return { kind: 'sqlite', file: join(dataDir, 'registry.sqlite') };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url: databaseUrl };
  if (scheme === 'sqlite' && databaseUrl.length > 'sqlite:'.length) {
    return { kind: 'sqlite', file: databaseUrl.slice('sqlite:'.length) };
  }
  // Only the scheme is repeated back: the rest of a URL may hold a password.
  const got = scheme ? `a "${scheme}:" URL` : 'no URL scheme';
  throw new RegistryMigrationError(`DATABASE_URL must be ${ACCEPTED}; got ${got}`);
}

async function openSqlite(file: string): Promise<RegistryStore> {
  const sqlite = await connectSqlite(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const place = { description: `SQLite file ${file}` };
  // Kysely neither locks nor wraps migrations in a transaction on SQLite. An immediate transaction does
  // both: another process opening the same file waits (busy_timeout) and then finds the schema up to
  // date, and a migration failing halfway leaves nothing behind for the next start to trip over.
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    await migrate(db, place);
    sqlite.exec('COMMIT');
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    await db.destroy();
    throw err instanceof RegistryMigrationError ? err : migrationError(err, place);
  }
  // Without statistics SQLite takes any equality as selective: a listing of `status IN ('expired',
  // 'revoked')` then sorts most of the table instead of walking the listing's order. This gathers them
  // where missing or stale (the table grew or shrank a lot); SQLite's advice for a connection it opens.
  sqlite.pragma('optimize = 0x10002');
  return new KyselyRegistry(db);
}

async function connectSqlite(file: string): Promise<SQLite.Database> {
  try {
    if (file !== ':memory:') createPrivately(file);
    const sqlite = new SQLite(file);
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    // WAL lets the API read while a worker in another process writes.
    await enableWal(sqlite);
    // Durable across process crashes; only a power cut may lose the last commits, which Temporal redoes.
    sqlite.pragma('synchronous = NORMAL');
    return sqlite;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RegistryMigrationError(`cannot open the registry's SQLite file ${file}: ${reason}`, {
      cause: err,
    });
  }
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * The registry holds contact e-mails (personal information under Law 25): its file is 0600, whatever the
 * umask. SQLite gives its -wal and -shm files the mode of the database file.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/**
 * Switches a new file to WAL. Two processes switching the same file at once get SQLITE_BUSY at once —
 * SQLite does not wait there, to avoid a deadlock — so this waits and tries again; one of them switches
 * it, the other then finds it done.
 */
async function enableWal(sqlite: SQLite.Database): Promise<void> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
  }
}

async function openPostgres(url: string): Promise<RegistryStore> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle connection the server drops (restart, failover) is reported here; without a listener the
  // process would crash. The pool discards that connection and the next query opens a new one.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Kysely's Migrator serialises concurrent starts on PostgreSQL (an advisory lock held around the
  // migrations, which run in one transaction), so an API and a worker may start together.
  try {
    await migrate(db, postgresPlace(url));
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new KyselyRegistry(db);
}

/** The database a failure message names, and the password that must not appear in it. */
interface Place {
  description: string;
  password?: string | undefined;
}

async function migrate(db: Kysely<Database>, place: Place): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error !== undefined) throw migrationError(error, place);
}

function migrationError(error: unknown, place: Place): RegistryMigrationError {
  const reason = redact(error instanceof Error ? error.message : JSON.stringify(error), place.password);
  // node-postgres already keeps the password out of its own errors (the cause).
  return new RegistryMigrationError(`registry migration failed on ${place.description}: ${reason}`, {
    cause: error,
  });
}

/** "PostgreSQL at host:port/database": what an operator needs to recognise DATABASE_URL, no credentials. */
function postgresPlace(url: string): Place {
  try {
    const parsed = new URL(url);
    return { description: `PostgreSQL at ${parsed.host}${parsed.pathname}`, password: parsed.password };
  } catch {
    return { description: 'PostgreSQL (DATABASE_URL is not a valid URL)' };
  }
}

function redact(message: string, secret: string | undefined): string {
  if (!secret) return message;
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    // Not percent-encoded after all: the raw form is what may appear.
  }
  return message.split(secret).join('***').split(decoded).join('***');
}
