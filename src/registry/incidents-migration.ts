/** `0012-incidents`: the confidentiality-incident register, the doors each incident closes, and a supplier's block. */
import type { Kysely } from 'kysely';
import { createIndex } from './migration-kit.js';

/**
 * One entry of the register (0012): the Law 25 fields as columns, so the export and the filters read them as they
 * are. `serious_risk` is 0 or 1 in both dialects; instants are ISO-8601 UTC text like everywhere in the registry.
 */
export interface IncidentsTable {
  id: string;
  /** Null for an incident about an internal account. */
  supplier_id: string | null;
  /** The supplier's legal name when the incident was opened, kept with the entry. */
  supplier_name: string | null;
  reason: string;
  discovered_at: string;
  occurred_from: string | null;
  occurred_until: string | null;
  personal_information: string | null;
  circumstances: string | null;
  persons_concerned: number | null;
  risk_assessment: string | null;
  serious_risk: number | null;
  commission_notified_at: string | null;
  persons_notified_at: string | null;
  measures: string | null;
  /** `closing`, `closed` or `none` (`IncidentDoorsStatus`). */
  doors: string;
  doors_closed_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

/** A door an incident closes (0012); `seq` is the order it was asked to close in. */
export interface IncidentDoorsTable {
  incident_id: string;
  door_id: string;
  seq: number;
  kind: string;
  provider: string | null;
  name: string;
  held_from: string;
  action: string;
  requested_at: string;
  closed_at: string | null;
}

/**
 * An entry's trail (0012); `details` and `changes` are JSON text. `event_key` makes an event the workflow records
 * (a notice) recorded once per occasion; null for the others.
 */
export interface IncidentEventsTable {
  incident_id: string;
  seq: number;
  type: string;
  at: string;
  actor: string;
  details: string | null;
  changes: string | null;
  event_key: string | null;
}

/** Creates the tables and the block's columns; spelled out here so that it keeps doing what it did. */
export async function addIncidents(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('supplier_id', 'text', (c) => c.references('suppliers.id'))
    .addColumn('supplier_name', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('discovered_at', 'text', (c) => c.notNull())
    .addColumn('occurred_from', 'text')
    .addColumn('occurred_until', 'text')
    .addColumn('personal_information', 'text')
    .addColumn('circumstances', 'text')
    .addColumn('persons_concerned', 'integer')
    .addColumn('risk_assessment', 'text')
    .addColumn('serious_risk', 'integer')
    .addColumn('commission_notified_at', 'text')
    .addColumn('persons_notified_at', 'text')
    .addColumn('measures', 'text')
    .addColumn('doors', 'text', (c) => c.notNull())
    .addColumn('doors_closed_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The listing newest first, as a whole and per supplier; the discovery filters are checked while walking it.
  await createIndex(db, 'incidents_created', 'incidents', ['created_at', 'id']);
  await createIndex(db, 'incidents_supplier_created', 'incidents', ['supplier_id', 'created_at', 'id']);
  await db.schema
    .createTable('incident_doors')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('door_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('provider', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('held_from', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addPrimaryKeyConstraint('incident_doors_pk', ['incident_id', 'door_id'])
    .execute();
  await db.schema
    .createTable('incident_events')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('changes', 'text')
    .addColumn('event_key', 'text')
    .addPrimaryKeyConstraint('incident_events_pk', ['incident_id', 'seq'])
    .execute();
  // A retried notice is refused by the database itself, whichever process retries it (null keys never collide).
  await db.schema
    .createIndex('incident_events_key')
    .on('incident_events')
    .columns(['incident_id', 'type', 'event_key'])
    .unique()
    .execute();
  // The block: one column per statement, as SQLite's ALTER TABLE adds a single column at a time.
  for (const column of ['block_incident_id', 'block_since', 'block_by']) {
    await db.schema.alterTable('suppliers').addColumn(column, 'text').execute();
  }
}
