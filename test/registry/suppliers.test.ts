import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { supplierKey } from '../../domain/naming.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { backends, migrateThrough, type Backend } from './backends.js';
import { addGrant, at, DAY, grantRecord, HOUR } from './grants.js';
import { insertGrantAs0004 } from './legacy.js';

/** A supplier as the API records it when it is created. */
function supplier(legalName: string, overrides: Partial<SupplierRecord> = {}): SupplierRecord {
  return {
    id: randomUUID(),
    legalName,
    key: supplierKey(legalName),
    contactEmails: ['office@supplier.example'],
    sponsor: { name: 'Sam Sponsor', email: 'sam@corp.example' },
    createdBy: 'rita',
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

describe.each(backends)('suppliers in the registry on $name', ({ start }) => {
  let backend: Backend;
  let store: RegistryStore;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    store = await openRegistry(await backend.freshDatabase());
  });
  afterEach(async () => {
    await store?.close();
  });

  it('keeps one supplier per legal name: another spelling finds the first, by id and by key', async () => {
    const first = supplier('Straße & Söhne', { contractEnd: '2031-06-01T00:00:00Z', notes: 'boilers' });
    expect(await store.insertSupplier(first)).toEqual({ ...first, contractEnd: '2031-06-01T00:00:00.000Z' });
    const again = await store.insertSupplier(supplier('Strasse & Söhne', { createdAt: at(HOUR) }));
    expect(again.id).toBe(first.id);
    expect(again.legalName).toBe('Straße & Söhne');
    expect((await store.getSupplierByKey(supplierKey('STRASSE  &  SÖHNE')))?.id).toBe(first.id);
    expect((await store.getSupplier(first.id))?.notes).toBe('boilers');
    expect(await store.getSupplier(randomUUID())).toBeNull();
    // "A&B" and "A+B" are two firms.
    const ab = await store.insertSupplier(supplier('A&B Plumbing'));
    const aPlusB = await store.insertSupplier(supplier('A+B Plumbing'));
    expect(ab.id).not.toBe(aPlusB.id);
  });

  it('changes what a PATCH gives, stamps the change, never the key; null clears', async () => {
    const created = await store.insertSupplier(supplier('Acme Printers', { notes: 'old' }));
    const changed = await store.updateSupplier(
      created.id,
      {
        contractEnd: '2031-04-01T00:00:00+02:00',
        sponsor: { name: 'Pat' },
        contactEmails: ['a@acme.example', 'b@acme.example'],
        notes: null,
      },
      at(DAY),
    );
    expect(changed).toEqual({
      ...created,
      contractEnd: '2031-03-31T22:00:00.000Z',
      sponsor: { name: 'Pat' },
      contactEmails: ['a@acme.example', 'b@acme.example'],
      notes: undefined,
      updatedAt: at(DAY),
    });
    expect(await store.updateSupplier(randomUUID(), { notes: 'x' }, at(DAY))).toBeNull();
  });

  it('lists suppliers newest first, by part of the name and by contract end, page by page', async () => {
    const cote = await store.insertSupplier(supplier('Électricité Côté', { createdAt: at(1) }));
    const nord = await store.insertSupplier(
      supplier('Electricite Nord', { createdAt: at(2), contractEnd: at(10 * DAY) }),
    );
    const sud = await store.insertSupplier(
      supplier('Plomberie Sud', { createdAt: at(3), contractEnd: at(40 * DAY) }),
    );
    const ids = (page: { suppliers: SupplierRecord[] }) => page.suppliers.map((s) => s.id);
    expect(ids(await store.listSuppliers({ limit: 10 }))).toEqual([sud.id, nord.id, cote.id]);
    expect(ids(await store.listSuppliers({ limit: 10, name: 'ÉLECTRICITÉ' }))).toEqual([nord.id, cote.id]);
    expect(ids(await store.listSuppliers({ limit: 10, name: '100%' }))).toEqual([]);
    const first = await store.listSuppliers({ limit: 2 });
    expect(ids(first)).toEqual([sud.id, nord.id]);
    const second = await store.listSuppliers({ limit: 2, after: first.next });
    expect(ids(second)).toEqual([cote.id]);
    expect(second.next).toBeUndefined();
    // Letters that are not a base letter plus marks are found by their transliteration.
    const orsted = await store.insertSupplier(supplier('Ørsted A/S', { createdAt: at(4) }));
    const strasse = await store.insertSupplier(supplier('Straße & Söhne', { createdAt: at(5) }));
    expect(ids(await store.listSuppliers({ limit: 10, name: 'orsted' }))).toEqual([orsted.id]);
    expect(ids(await store.listSuppliers({ limit: 10, name: 'STRASSE' }))).toEqual([strasse.id]);
    expect(ids(await store.listSuppliers({ limit: 10, name: 'ße' }))).toEqual([strasse.id]);
    await store.updateSupplier(strasse.id, { legalName: 'Strasse & Söhne' }, at(DAY));
    expect(ids(await store.listSuppliers({ limit: 10, name: 'straße' }))).toEqual([strasse.id]);
    expect(ids(await store.listSuppliers({ limit: 10, contractEndsBefore: at(30 * DAY) }))).toEqual([
      nord.id,
    ]);
  });

  it("lists a supplier's grants, and only its own", async () => {
    const acme = await store.insertSupplier(supplier('Acme'));
    const other = await store.insertSupplier(supplier('Other'));
    const old = await addGrant(store, { supplierId: acme.id, createdAt: at(1) });
    await addGrant(store, { supplierId: other.id, createdAt: at(2) });
    const recent = await addGrant(store, { supplierId: acme.id, createdAt: at(3) });
    const page = await store.listGrants({ limit: 10, supplierId: acme.id });
    expect(page.grants.map((g) => g.id)).toEqual([recent.id, old.id]);
    expect((await store.getGrant(old.id))?.supplierId).toBe(acme.id);
    const bare = await addGrant(store, { createdAt: at(4) });
    const suppliers = await store.supplierIdsOf([old.id, recent.id, bare.id, 'unknown']);
    expect(suppliers).toEqual(
      new Map([
        [old.id, acme.id],
        [recent.id, acme.id],
      ]),
    );
  });

  it('gives every grant of a registry written before suppliers its supplier, one per legal name, no account renamed', async () => {
    const location = await backend.freshDatabase();
    const old = backend.connect(location);
    const grants = [
      grantRecord({ organisation: 'Straße & Söhne', contactEmail: 'info@strasse.example', createdAt: at(1) }),
      grantRecord({ organisation: 'Strasse & Söhne', requestedBy: 'bob@corp.example', createdAt: at(2) }),
      grantRecord({ organisation: 'A&B Plumbing', contactEmail: 'ab@plumb.example', createdAt: at(3) }),
      grantRecord({ organisation: 'A+B Plumbing', requestedBy: 'rob', createdAt: at(4) }),
    ];
    try {
      await migrateThrough(old, '0004-closed-at');
      for (const grant of grants) await insertGrantAs0004(old, grant, 'active');
    } finally {
      await old.destroy();
    }

    const migrated = await openRegistry(location);
    try {
      const page = await migrated.listSuppliers({ limit: 10 });
      expect(page.suppliers).toHaveLength(3);
      const strasse = await migrated.getSupplierByKey(supplierKey('Straße & Söhne'));
      // The latest grant speaks for the supplier: its spelling and requester; the latest contact given.
      expect(strasse).toMatchObject({
        legalName: 'Strasse & Söhne',
        sponsor: { name: 'bob@corp.example', email: 'bob@corp.example' },
        contactEmails: ['info@strasse.example'],
        createdAt: at(1),
        createdBy: 'supplier-access',
      });
      const ab = await migrated.getSupplierByKey(supplierKey('A&B Plumbing'));
      expect(ab).toMatchObject({ sponsor: { name: 'alice' }, contactEmails: ['ab@plumb.example'] });
      expect(ab?.sponsor.email).toBeUndefined();
      const aPlusB = await migrated.getSupplierByKey(supplierKey('A+B Plumbing'));
      expect(aPlusB).toMatchObject({ legalName: 'A+B Plumbing', contactEmails: [] });
      const expected = [strasse?.id, strasse?.id, ab?.id, aPlusB?.id];
      for (const [i, grant] of grants.entries()) {
        const now = await migrated.getGrant(grant.id);
        expect(now?.supplierId).toBe(expected[i]);
        expect(now?.username).toBe(grant.username);
      }
      const ofStrasse = await migrated.listGrants({ limit: 10, supplierId: strasse?.id });
      expect(ofStrasse.grants.map((g) => g.id)).toEqual([grants[1]?.id, grants[0]?.id]);
    } finally {
      await migrated.close();
    }
  });
});
