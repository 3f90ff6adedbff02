import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { backends, type Backend } from './backends.js';
import { addGrant, at, DAY, end, failProvisioning, HOUR, provision } from './grants.js';

describe.each(backends)('closed grants of an account, in the registry on $name', ({ start }) => {
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

  it("names the account's expired, revoked and failed grants, oldest first, and none of its live ones", async () => {
    const account = { provider: 'ldap' as const, username: 'sup-acme-ltd' };
    const expired = await addGrant(store, { ...account, createdAt: at(0) });
    await provision(store, expired, at(HOUR));
    await end(store, expired, at(30 * DAY), 'expired');
    const failed = await addGrant(store, { ...account, createdAt: at(31 * DAY) });
    await failProvisioning(store, failed, at(31 * DAY + HOUR));
    const revoked = await addGrant(store, { ...account, createdAt: at(40 * DAY) });
    await provision(store, revoked, at(40 * DAY + HOUR));
    await end(store, revoked, at(50 * DAY), 'revoked');
    const live = await addGrant(store, { ...account, createdAt: at(60 * DAY) });
    await provision(store, live, at(60 * DAY + HOUR));
    const provisioning = await addGrant(store, { ...account, createdAt: at(61 * DAY) });

    const closed = await store.closedGrantIds('ldap', 'sup-acme-ltd');
    expect(closed).toEqual([expired.id, failed.id, revoked.id]);
    expect(closed).not.toContain(live.id);
    expect(closed).not.toContain(provisioning.id);
  });

  it('looks at that account of that provider only', async () => {
    const other = await addGrant(store, { provider: 'okta', username: 'sup-acme-ltd' });
    await end(store, other, at(DAY), 'revoked');
    const similar = await addGrant(store, { provider: 'ldap', username: 'sup-acme-ltd-2' });
    await end(store, similar, at(DAY), 'revoked');
    const mine = await addGrant(store, { provider: 'ldap', username: 'sup-acme-ltd' });
    await end(store, mine, at(DAY), 'expired');

    expect(await store.closedGrantIds('ldap', 'sup-acme-ltd')).toEqual([mine.id]);
    expect(await store.closedGrantIds('okta', 'sup-acme-ltd')).toEqual([other.id]);
    expect(await store.closedGrantIds('entra', 'sup-acme-ltd')).toEqual([]);
    expect(await store.closedGrantIds('ldap', 'sup-acme')).toEqual([]);
    expect(await store.closedGrantIds('ldap', 'SUP-ACME-LTD')).toEqual([]);
  });
});
