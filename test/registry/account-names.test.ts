import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../domain/account.js';
import { supplierKey } from '../../domain/naming.js';
import { openRegistry } from '../../src/registry/store.js';
import type { AccountNameReservation, RegistryStore } from '../../src/registry/types.js';
import { backends, migrateThrough, type Backend } from './backends.js';
import { at, DAY, grantRecord } from './grants.js';
import { insertGrantAs0004 } from './legacy.js';

const reservation = (overrides: Partial<AccountNameReservation> = {}): AccountNameReservation => ({
  provider: 'ldap',
  username: 'sup-a-and-b-plumbing',
  supplierKey: 'a-and-b-plumbing',
  reservedAt: at(0),
  ...overrides,
});

describe.each(backends)('account names reserved per supplier, in the registry on $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  async function withStore<T>(work: (store: RegistryStore) => Promise<T>): Promise<T> {
    const store = await openRegistry(await backend.freshDatabase());
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  it("reserves a free name for a supplier, and answers the holder's key when it is taken", async () => {
    await withStore(async (store) => {
      expect(await store.accountNameOf('ldap', 'a-and-b-plumbing')).toBeNull();
      expect(await store.reserveAccountName(reservation())).toBe('a-and-b-plumbing');
      // Asked again for the same supplier: still its own.
      expect(await store.reserveAccountName(reservation({ reservedAt: at(DAY) }))).toBe('a-and-b-plumbing');
      // Another supplier asking for it is told whose it is, and gets nothing.
      expect(await store.reserveAccountName(reservation({ supplierKey: 'a-plus-b-plumbing' }))).toBe(
        'a-and-b-plumbing',
      );
      expect(await store.accountNameOf('ldap', 'a-plus-b-plumbing')).toBeNull();
      expect(await store.accountNameOf('ldap', 'a-and-b-plumbing')).toBe('sup-a-and-b-plumbing');
      // Names are per provider.
      expect(await store.accountNameOf('okta', 'a-and-b-plumbing')).toBeNull();
      expect(await store.reserveAccountName(reservation({ provider: 'okta', supplierKey: 'other' }))).toBe(
        'other',
      );
    });
  });

  it('gives one name to one supplier only when twenty suppliers race for it over two connections', async () => {
    const location = await backend.freshDatabase();
    const [first, second] = [await openRegistry(location), await openRegistry(location)];
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `racing-supplier-${i}`);
      const holders = await Promise.all(
        keys.map((key, i) =>
          (i % 2 ? first : second).reserveAccountName(
            reservation({ username: 'sup-contested', supplierKey: key }),
          ),
        ),
      );
      // Every racer is told the same holder, one of them; only that one has a name.
      expect(new Set(holders).size).toBe(1);
      expect(keys).toContain(holders[0]);
      const named = await Promise.all(keys.map((key) => first.accountNameOf('ldap', key)));
      expect(named.filter((name) => name !== null)).toEqual(['sup-contested']);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('upgrades a registry of the previous release: every account name stays with the supplier it was made for', async () => {
    const location = await backend.freshDatabase();
    const old = backend.connect(location);
    const legacy = (organisation: string, username: string, day: number, provider: ProviderName = 'ldap') =>
      grantRecord({ organisation, username, provider, createdAt: at(day * DAY) });
    // Today's release named these apart by spelling, and these others together.
    const strae = legacy('Straße & Söhne', 'sup-stra-e-sohne', 1);
    const strasse = legacy('Strasse & Söhne', 'sup-strasse-sohne', 2);
    const orsted = legacy('Ørsted A/S', 'sup-rsted-a-s', 3);
    const rsted = legacy('Rsted A/S', 'sup-rsted-a-s', 4);
    // Two long names whose cut names met; the second one's grant failed (the first's account was in the way).
    const long1 = legacy('Consolidated … Branch 1676', 'sup-consolidated-6d42c7', 5);
    const long2 = legacy('Consolidated … Branch 2539', 'sup-consolidated-6d42c7', 6);
    const okta = legacy('Ørsted A/S', 'sup-rsted-a-s', 7, 'okta');
    try {
      await migrateThrough(old, '0004-closed-at');
      for (const grant of [strae, strasse, orsted, rsted, long1, okta]) await insertGrantAs0004(old, grant);
      await insertGrantAs0004(old, long2, 'failed');
    } finally {
      await old.destroy();
    }

    const store = await openRegistry(location);
    try {
      // Every existing name is reserved, none changes: a supplier known by two spellings keeps both, its
      // latest grant's name for what comes next.
      const key = supplierKey('Straße & Söhne');
      expect(await store.accountNameOf('ldap', key)).toBe('sup-strasse-sohne');
      expect(await store.reserveAccountName(reservation({ username: 'sup-stra-e-sohne' }))).toBe(key);
      // Where two suppliers met on one name, the most recent grant's supplier keeps it…
      expect(await store.accountNameOf('ldap', supplierKey('Rsted A/S'))).toBe('sup-rsted-a-s');
      expect(await store.accountNameOf('ldap', supplierKey('Ørsted A/S'))).toBeNull();
      // …unless that grant failed: it never had the account, whose grant id the directory holds.
      expect(await store.accountNameOf('ldap', supplierKey(long1.organisation))).toBe(
        'sup-consolidated-6d42c7',
      );
      expect(await store.accountNameOf('ldap', supplierKey(long2.organisation))).toBeNull();
      // Per provider: Ørsted's Okta account is Ørsted's.
      expect(await store.accountNameOf('okta', supplierKey('Ørsted A/S'))).toBe('sup-rsted-a-s');
      // The grants themselves are untouched.
      expect((await store.getGrant(orsted.id))?.username).toBe('sup-rsted-a-s');
    } finally {
      await store.close();
    }
  });
});
