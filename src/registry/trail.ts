/**
 * The doors that keep a trail of their own (shared accounts, manual doors): the write lock on one door, and its
 * trail's entries, numbered per door. Every write to a door takes its lock first, so writes to one door run one at
 * a time across processes in both dialects, and two writers never take one sequence number.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Each such door's table: a column its lock rewrites unchanged (not the key, whose update would also block
 * the rows that refer to the door), its trail's table and the column there that names the door.
 */
const DOORS = {
  shared_accounts: { lockColumn: 'updated_at', trail: 'shared_account_events', door: 'shared_account_id' },
  manual_doors: { lockColumn: 'status', trail: 'manual_door_events', door: 'manual_door_id' },
} as const;

/** A table of doors that keep their own trail. */
export type DoorTable = keyof typeof DOORS;

/** A row of the door's trail, as stored. */
type TrailRow<T extends DoorTable> = Selectable<Database[(typeof DOORS)[T]['trail']]>;

/** One entry of a trail; `noticeKey` only on a trail that records a notice once per occasion (manual doors). */
export interface TrailEntry {
  type: string;
  at: string;
  actor: string;
  details?: Record<string, string> | undefined;
  noticeKey?: string | undefined;
}

/**
 * Takes the door's write lock before anything is read: a no-op update as the transaction's first statement.
 * PostgreSQL then holds the row until commit, and the next statement reads what a concurrent writer committed;
 * SQLite takes its write lock (waiting out `busy_timeout`) before the transaction has read anything, so it never
 * has to upgrade a stale read to a write. False when there is no such door.
 */
export async function lockDoor(tx: Transaction<Database>, table: DoorTable, id: string): Promise<boolean> {
  const column = DOORS[table].lockColumn;
  const locked = await tx
    .updateTable(table)
    .set((eb) => ({ [column]: eb.ref(column) }))
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0;
}

/** Appends to the door's trail under the next sequence number; the door must be locked ({@link lockDoor}). */
export async function appendToTrail(
  tx: Transaction<Database>,
  table: DoorTable,
  doorId: string,
  entry: TrailEntry,
): Promise<void> {
  const { trail, door } = DOORS[table];
  const last = await tx
    .selectFrom(trail)
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where(door, '=', doorId)
    .executeTakeFirst();
  await tx
    .insertInto(trail)
    .values({
      [door]: doorId,
      seq: Number(last?.seq ?? 0) + 1,
      type: entry.type,
      at: entry.at,
      actor: entry.actor,
      details: entry.details ? JSON.stringify(entry.details) : null,
      ...(entry.noticeKey !== undefined ? { notice_key: entry.noticeKey } : {}),
    })
    .execute();
}

/** The door's trail, oldest first, each row as `toEvent` gives it to the rest of the service. */
export async function readTrail<T extends DoorTable, E>(
  db: Kysely<Database>,
  table: T,
  id: string,
  toEvent: (row: TrailRow<T>) => E,
): Promise<E[]> {
  const { trail, door } = DOORS[table];
  const rows = await db.selectFrom(trail).selectAll().where(door, '=', id).orderBy('seq').execute();
  return (rows as TrailRow<T>[]).map(toEvent);
}

/** The columns every trail shares, as the rest of the service sees them. */
export function trailEntry(row: { at: string; actor: string; details: string | null }): {
  at: string;
  actor: string;
  details?: Record<string, string>;
} {
  return {
    at: row.at,
    actor: row.actor,
    ...(row.details ? { details: JSON.parse(row.details) as Record<string, string> } : {}),
  };
}

/** The trails that record an entry once per occasion, and the column that names the occasion. */
const KEYED = {
  manual_doors: { trail: 'manual_door_events', door: 'manual_door_id', key: 'notice_key' },
  incidents: { trail: 'incident_events', door: 'incident_id', key: 'event_key' },
} as const;

/**
 * Whether the trail of `doorId` already holds an entry of `type` for the occasion `key` (a reminder's lead, a
 * notice's channel): a retried activity then appends nothing. Read under the door's lock.
 */
export async function recordedOnce(
  tx: Transaction<Database>,
  table: keyof typeof KEYED,
  doorId: string,
  type: string,
  key: string,
): Promise<boolean> {
  const { trail, door, key: column } = KEYED[table];
  const recorded = await tx
    .selectFrom(trail)
    .select('seq')
    .where(door, '=', doorId)
    .where('type', '=', type)
    .where(column, '=', key)
    .executeTakeFirst();
  return recorded !== undefined;
}
