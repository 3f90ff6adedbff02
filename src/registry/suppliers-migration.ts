/**
 * `0006-suppliers`: suppliers become records of their own, and every grant names its supplier. Grants made before
 * get theirs from their organisation: one supplier per canonical key, so every spelling of one legal name lands
 * on one supplier. No account name (`grants.username`) is touched.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import { supplierKey } from '../../domain/naming.js';
import { foldSupplierName } from './fold.js';
import { createIndex } from './migration-kit.js';

/**
 * One supplier as this migration creates it; `contact_emails` is the JSON of a string array, instants are
 * ISO-8601 UTC text. Later migrations that add columns extend it in `Database`; this one stays as it is.
 */
export interface SuppliersTable {
  id: string;
  /** `supplierKey(legal_name)` when the supplier was created; unique, never changed. */
  supplier_key: string;
  legal_name: string;
  /** `legal_name` folded by `foldSupplierName`, what the name filter matches. */
  name_key: string;
  contact_emails: string;
  sponsor_name: string;
  sponsor_email: string | null;
  contract_end: string | null;
  notes: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/**
 * The tables as this migration sees them. Migrations keep their own row types: they must keep working on the
 * schema of their time whatever later migrations change in `Database`.
 */
interface SuppliersSchema {
  grant_suppliers_0006: { grant_id: string; supplier_id: string };
  grants: {
    id: string;
    organisation: string;
    contact_email: string | null;
    requested_by: string;
    created_at: string;
    supplier_id: string | null;
  };
  suppliers: SuppliersTable;
}

/** Spelled out rather than shared with the registry's code: this migration must do what it did when it shipped. */
const MIGRATION_ACTOR = 'supplier-access';
/** Which supplier each grant gets, for the one UPDATE that gives it; dropped once done. */
const MAPPING = 'grant_suppliers_0006';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Rows or ids per statement: far below either dialect's limit on parameters (12 columns × 500 = 6,000). */
const PER_QUERY = 500;

export async function addSuppliers(anyDb: Kysely<unknown>): Promise<void> {
  const db = anyDb as Kysely<SuppliersSchema>;
  await db.schema
    .createTable('suppliers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The one supplier per legal name, whatever its spelling: the database refuses a second, even under a race.
    .addColumn('supplier_key', 'text', (c) => c.notNull().unique())
    .addColumn('legal_name', 'text', (c) => c.notNull())
    // Transliterated and lowercased (`foldSupplierName`), for the name filter.
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('contact_emails', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('sponsor_name', 'text', (c) => c.notNull())
    .addColumn('sponsor_email', 'text')
    .addColumn('contract_end', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The listing's order (newest first), walked backwards from the top or from the cursor, as for grants.
  await createIndex(db, 'suppliers_created_id', 'suppliers', ['created_at', 'id']);
  await db.schema.alterTable('grants').addColumn('supplier_id', 'text').execute();
  // A supplier's grants, newest first: `GET /v1/suppliers/{id}` and the `supplierId` filter.
  await createIndex(db, 'grants_supplier_created', 'grants', ['supplier_id', 'created_at', 'id']);
  await backfill(db);
}

/** One supplier per canonical key among the existing grants' organisations, and each grant pointed at its own. */
async function backfill(db: Kysely<SuppliersSchema>): Promise<void> {
  // Keys are Unicode work neither dialect does in SQL, so grants are grouped here, oldest first.
  const grants = await db
    .selectFrom('grants')
    .select(['id', 'organisation', 'contact_email', 'requested_by', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const groups = new Map<string, typeof grants>();
  for (const grant of grants) {
    const key = keyOf(grant.organisation);
    const group = groups.get(key);
    if (group) group.push(grant);
    else groups.set(key, [grant]);
  }
  const suppliers: Insertable<SuppliersSchema['suppliers']>[] = [];
  const owners: { supplierId: string; grantIds: string[] }[] = [];
  for (const [key, group] of groups) {
    const first = group[0];
    const latest = group.at(-1);
    if (!first || !latest) continue;
    // The latest grant speaks for the supplier now: its spelling, its requester as sponsor, its contact.
    const contact = group.findLast((g) => g.contact_email !== null)?.contact_email;
    const id = randomUUID();
    suppliers.push({
      id,
      supplier_key: key,
      legal_name: latest.organisation,
      name_key: foldSupplierName(latest.organisation),
      contact_emails: JSON.stringify(contact ? [contact] : []),
      sponsor_name: latest.requested_by,
      sponsor_email: EMAIL.test(latest.requested_by) ? latest.requested_by : null,
      contract_end: null,
      notes: null,
      created_by: MIGRATION_ACTOR,
      created_at: first.created_at,
      updated_at: latest.created_at,
    });
    owners.push({ supplierId: id, grantIds: group.map((g) => g.id) });
  }
  // Many rows per statement, and one UPDATE through a mapping table: 10,000 grants of 2,000 suppliers took 13 s on
  // PostgreSQL one supplier at a time, matched by organisation.
  for (let start = 0; start < suppliers.length; start += PER_QUERY)
    await db
      .insertInto('suppliers')
      .values(suppliers.slice(start, start + PER_QUERY))
      .execute();
  await db.schema
    .createTable(MAPPING)
    .addColumn('grant_id', 'text', (c) => c.primaryKey())
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .execute();
  const pairs = owners.flatMap(({ supplierId, grantIds }) =>
    grantIds.map((grantId) => ({ grant_id: grantId, supplier_id: supplierId })),
  );
  for (let start = 0; start < pairs.length; start += PER_QUERY)
    await db
      .insertInto(MAPPING)
      .values(pairs.slice(start, start + PER_QUERY))
      .execute();
  await db
    .updateTable('grants')
    .set((eb) => ({
      supplier_id: eb
        .selectFrom(MAPPING)
        .select(`${MAPPING}.supplier_id`)
        .whereRef(`${MAPPING}.grant_id`, '=', 'grants.id'),
    }))
    .execute();
  await db.schema.dropTable(MAPPING).execute();
}

/**
 * The organisation's canonical key. A name with no letter or digit even once transliterated (the API never
 * accepted one, but a hand-edited row might hold it) keeps a supplier of its own, keyed by its text.
 */
function keyOf(organisation: string): string {
  const key = supplierKey(organisation);
  return key === '' ? `unnamed-${createHash('sha256').update(organisation).digest('hex')}` : key;
}
