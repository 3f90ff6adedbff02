/** `0010-manual-doors`: the table of doors no API can close, and their trail. */
import type { Kysely } from 'kysely';
import { createIndex } from './migration-kit.js';

/** One manual door (0010); instants are ISO-8601 UTC text like everywhere in the registry. */
export interface ManualDoorsTable {
  id: string;
  supplier_id: string;
  what: string;
  /** The door's `where` (a reserved word in SQL). */
  location: string;
  custodian_name: string;
  custodian_email: string | null;
  until: string;
  reason: string;
  requested_by: string;
  created_at: string;
  status: string;
  closed_at: string | null;
  closed_by: string | null;
  note: string | null;
}

/** A manual door's trail (0010); `notice_key` makes a reminder or escalation recorded once per occasion. */
export interface ManualDoorEventsTable {
  manual_door_id: string;
  seq: number;
  type: string;
  at: string;
  actor: string;
  details: string | null;
  notice_key: string | null;
}

/** Creates both tables; spelled out here so that it keeps doing what it did whatever later migrations change. */
export async function addManualDoors(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('manual_doors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('what', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('custodian_name', 'text', (c) => c.notNull())
    .addColumn('custodian_email', 'text')
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('note', 'text')
    .execute();
  // The listing newest first, as a whole, per supplier (a supplier's page) and per status.
  await createIndex(db, 'manual_doors_created', 'manual_doors', ['created_at', 'id']);
  await createIndex(db, 'manual_doors_supplier_created', 'manual_doors', ['supplier_id', 'created_at', 'id']);
  await createIndex(db, 'manual_doors_status_created', 'manual_doors', ['status', 'created_at', 'id']);
  await db.schema
    .createTable('manual_door_events')
    .addColumn('manual_door_id', 'text', (c) => c.notNull().references('manual_doors.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('notice_key', 'text')
    .addPrimaryKeyConstraint('manual_door_events_pk', ['manual_door_id', 'seq'])
    .execute();
  // A retried reminder or escalation is refused by the database itself, whichever process retries it.
  await db.schema
    .createIndex('manual_door_events_notice')
    .on('manual_door_events')
    .columns(['manual_door_id', 'type', 'notice_key'])
    .unique()
    .execute();
}
