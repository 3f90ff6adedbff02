/** The registry's suppliers: rows, writes and the listing, for `KyselyRegistry`. */
import { sql, type Expression, type Insertable, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { SupplierRecord } from '../../domain/supplier.js';
import { personOf, stampColumns, stampOf } from './columns.js';
import { containsPattern, foldSupplierName, LIKE_ESCAPE } from './fold.js';
import { newestFirst, storedInstant } from './listing.js';
import type { Database, SuppliersTable } from './schema.js';
import type { SupplierChanges, SupplierPage, SupplierQuery } from './types.js';

/** A new supplier's row: never blocked; only an incident blocks it (`openIncident`). */
function supplierRow(supplier: SupplierRecord): Insertable<SuppliersTable> {
  return {
    id: supplier.id,
    supplier_key: supplier.key,
    legal_name: supplier.legalName,
    name_key: foldSupplierName(supplier.legalName),
    contact_emails: JSON.stringify(supplier.contactEmails),
    sponsor_name: supplier.sponsor.name,
    sponsor_email: supplier.sponsor.email ?? null,
    contract_end: supplier.contractEnd ? storedInstant(supplier.contractEnd) : null,
    notes: supplier.notes ?? null,
    ...stampColumns(supplier),
  };
}

function toSupplier(row: Selectable<SuppliersTable>): SupplierRecord {
  return {
    id: row.id,
    legalName: row.legal_name,
    key: row.supplier_key,
    contactEmails: JSON.parse(row.contact_emails) as string[],
    sponsor: personOf(row.sponsor_name, row.sponsor_email),
    contractEnd: row.contract_end ?? undefined,
    notes: row.notes ?? undefined,
    ...(row.block_incident_id
      ? { block: { incidentId: row.block_incident_id, since: row.block_since ?? '', by: row.block_by ?? '' } }
      : {}),
    ...stampOf(row),
  };
}

export async function insertSupplier(
  db: Kysely<Database>,
  supplier: SupplierRecord,
): Promise<SupplierRecord> {
  // The unique key settles a race between two requests creating one supplier: the second finds the first's.
  await db
    .insertInto('suppliers')
    .values(supplierRow(supplier))
    .onConflict((oc) => oc.column('supplier_key').doNothing())
    .execute();
  const stored = await getSupplierByKey(db, supplier.key);
  if (!stored) throw new Error(`supplier ${supplier.key} was neither inserted nor found`);
  return stored;
}

export async function getSupplier(db: Kysely<Database>, id: string): Promise<SupplierRecord | null> {
  const row = await db.selectFrom('suppliers').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSupplier(row) : null;
}

export async function getSupplierByKey(db: Kysely<Database>, key: string): Promise<SupplierRecord | null> {
  const row = await db.selectFrom('suppliers').selectAll().where('supplier_key', '=', key).executeTakeFirst();
  return row ? toSupplier(row) : null;
}

export async function updateSupplier(
  db: Kysely<Database>,
  id: string,
  changes: SupplierChanges,
  updatedAt: string,
): Promise<SupplierRecord | null> {
  const columns: Partial<SuppliersTable> = { updated_at: updatedAt };
  if (changes.legalName !== undefined) {
    columns.legal_name = changes.legalName;
    columns.name_key = foldSupplierName(changes.legalName);
  }
  if (changes.contactEmails !== undefined) columns.contact_emails = JSON.stringify(changes.contactEmails);
  if (changes.sponsor !== undefined) {
    columns.sponsor_name = changes.sponsor.name;
    columns.sponsor_email = changes.sponsor.email ?? null;
  }
  // `null` clears: a contract with no end on record, no notes.
  if (changes.contractEnd !== undefined)
    columns.contract_end = changes.contractEnd === null ? null : storedInstant(changes.contractEnd);
  if (changes.notes !== undefined) columns.notes = changes.notes;
  await db.updateTable('suppliers').set(columns).where('id', '=', id).execute();
  return getSupplier(db, id);
}

export async function listSuppliers(db: Kysely<Database>, query: SupplierQuery): Promise<SupplierPage> {
  const select = db
    .selectFrom('suppliers')
    .selectAll()
    .where((eb) => {
      const conditions: Expression<SqlBool>[] = [];
      if (query.name !== undefined) {
        const pattern = containsPattern(query.name, foldSupplierName);
        conditions.push(sql<SqlBool>`${eb.ref('name_key')} like ${pattern} escape ${LIKE_ESCAPE}`);
      }
      if (query.contractEndsBefore !== undefined)
        conditions.push(eb('contract_end', '<', storedInstant(query.contractEndsBefore)));
      return eb.and(conditions);
    });
  const { items: suppliers, next } = await newestFirst(select, query, toSupplier);
  return next ? { suppliers, next } : { suppliers };
}

/**
 * Erases the contact e-mails of suppliers whose purpose is served: no grant of theirs ended after `endedBefore` or
 * is still running, nobody changed the supplier since then, and no incident blocks it (the organisation still has
 * to reach its people: notices to the persons concerned, the Commission's questions; lifting the block stamps
 * `updated_at`, so the wait starts again from the lift). The supplier stays (its name, sponsor and grants: the
 * trail); only the addresses of its people go. Answers how many suppliers were erased, at most `limit`.
 */
export async function eraseRetiredSupplierContacts(
  db: Kysely<Database>,
  endedBefore: string,
  at: string,
  limit: number,
): Promise<number> {
  const due = await db
    .selectFrom('suppliers')
    .select('id')
    .where('contact_emails', '!=', '[]')
    .where('updated_at', '<=', endedBefore)
    .where('block_incident_id', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('grants')
            .select('grants.id')
            .whereRef('grants.supplier_id', '=', 'suppliers.id')
            .where((grant) =>
              grant.or([grant('grants.ended_at', 'is', null), grant('grants.ended_at', '>', endedBefore)]),
            ),
        ),
      ),
    )
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  if (due.length === 0) return 0;
  await db
    .updateTable('suppliers')
    .set({ contact_emails: '[]', updated_at: at })
    .where(
      'id',
      'in',
      due.map((row) => row.id),
    )
    .execute();
  return due.length;
}
