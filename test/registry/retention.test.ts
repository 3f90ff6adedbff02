import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../src/registry/store.js';
import type { GrantRecord, RegistryStore } from '../../src/registry/types.js';
import { backends, migrateToBefore, type Backend } from './backends.js';
import { addGrant, at, DAY, end, failProvisioning, grantRecord, HOUR, provision } from './grants.js';
import { insertGrantAs0004 } from './legacy.js';

/**
 * Retention (Law 25) in the registry: which closed accounts are due for deletion, and erasing a grant's contact
 * e-mail while its trail stays.
 */
describe.each(backends)('retention in the registry on $name', ({ start }) => {
  let backend: Backend;
  let store: RegistryStore;

  beforeAll(async () => {
    backend = await start();
    store = await openRegistry(await backend.freshDatabase());
  });
  afterAll(async () => {
    await store?.close();
    await backend?.stop();
  });

  /** A grant of its own account, closed at `closedAt` (its ending then too). */
  async function closedGrant(
    closedAt: number,
    overrides: Partial<GrantRecord> = {},
    type: 'expired' | 'revoked' = 'expired',
  ): Promise<GrantRecord> {
    const grant = await addGrant(store, overrides);
    await provision(store, grant, at(HOUR));
    await end(store, grant, at(closedAt), type);
    return grant;
  }
  const due = async (cutoff: number, provider: GrantRecord['provider'] = 'ldap') =>
    (await store.accountsDueForDeletion(provider, at(cutoff), 500)).map((g) => g.id);

  it('finds the accounts closed before the cutoff and not deleted yet, oldest first', async () => {
    const older = await closedGrant(2 * DAY, { username: 'sup-old-1' }, 'revoked');
    const old = await closedGrant(3 * DAY, { username: 'sup-old-2' });
    const recent = await closedGrant(40 * DAY, { username: 'sup-recent' });
    const live = await addGrant(store, { username: 'sup-live' });
    await provision(store, live, at(HOUR));
    const okta = await closedGrant(2 * DAY, { username: 'sup-okta', provider: 'okta' });

    const found = await due(35 * DAY);
    expect(found.indexOf(older.id)).toBeLessThan(found.indexOf(old.id));
    expect(found).toEqual(expect.arrayContaining([older.id, old.id]));
    expect(found).not.toContain(recent.id);
    expect(found).not.toContain(live.id);
    expect(found).not.toContain(okta.id);
    expect(await due(35 * DAY, 'okta')).toEqual([okta.id]);
  });

  it('goes on after a cursor, so accounts a directory refused never hold up the ones after them', async () => {
    const first = await closedGrant(4 * DAY, { username: 'sup-cursor-1', provider: 'entra' });
    const second = await closedGrant(4 * DAY, { username: 'sup-cursor-2', provider: 'entra' });
    const third = await closedGrant(5 * DAY, { username: 'sup-cursor-3', provider: 'entra' });
    const page = (after?: { closedAt: string; id: string }) =>
      store.accountsDueForDeletion('entra', at(35 * DAY), 2, after).then((gs) => gs.map((g) => g.id));
    expect(await page()).toEqual([first.id, second.id]);
    expect(await page({ closedAt: at(4 * DAY), id: second.id })).toEqual([third.id]);
    expect(await page({ closedAt: at(5 * DAY), id: third.id })).toEqual([]);
  });

  it('never offers the account of a supplier granted again: the newer grant holds it, failed ones aside', async () => {
    const earlier = await closedGrant(2 * DAY, { username: 'sup-returning', createdAt: at(0) });
    const again = await addGrant(store, { username: 'sup-returning', createdAt: at(10 * DAY) });
    await provision(store, again, at(10 * DAY + HOUR));
    expect(await due(35 * DAY)).not.toContain(earlier.id);
    // Once the newer grant closed long enough ago, its own account (the same one) is due, under its grant.
    await end(store, again, at(20 * DAY));
    const found = await due(60 * DAY);
    expect(found).toContain(again.id);
    expect(found).not.toContain(earlier.id);

    // A later request for the same supplier that failed never had the account: the closed grant still owns it.
    const closed = await closedGrant(2 * DAY, { username: 'sup-refused-again', createdAt: at(0) });
    const refused = await addGrant(store, { username: 'sup-refused-again', createdAt: at(5 * DAY) });
    await failProvisioning(store, refused, at(5 * DAY));
    expect(await due(35 * DAY)).toContain(closed.id);
  });

  it('leaves an ended grant whose account is not closed yet (the directory was down) alone', async () => {
    const closing = await addGrant(store, { username: 'sup-still-closing' });
    await provision(store, closing, at(HOUR));
    await end(store, closing, at(2 * DAY), 'expired', null);
    expect(await due(100 * DAY)).not.toContain(closing.id);
  });

  it('records a deletion once: the event on the trail, and the account no longer due', async () => {
    const grant = await closedGrant(2 * DAY, { username: 'sup-deleted' });
    await store.recordAccountDeleted(grant.id, at(33 * DAY), { retentionDays: '30' });
    await store.recordAccountDeleted(grant.id, at(34 * DAY), { retentionDays: '30' });
    expect(await due(100 * DAY)).not.toContain(grant.id);
    expect((await store.getGrant(grant.id))?.accountDeletedAt).toBe(at(33 * DAY));
    const trail = await store.listEvents(grant.id);
    expect(trail.map((e) => e.type)).toEqual([
      'created',
      'provisioned',
      'expired',
      'disabled',
      'credentials-rotated',
      'account-deleted',
    ]);
    expect(trail.at(-1)).toMatchObject({ at: at(33 * DAY), actor: 'supplier-access' });
  });

  it('erases the contact e-mail and every copy of it, and keeps the trail', async () => {
    const email = 'Support@Cote.example';
    const grant = await addGrant(store, { username: 'sup-erased', contactEmail: email });
    await store.recordEvent({
      grantId: grant.id,
      seq: 2,
      type: 'provisioning-failed',
      at: at(HOUR),
      actor: 'supplier-access',
      details: { message: `Okta answered 400 E0000001 email: ${email.toLowerCase()} is not valid` },
      patch: {
        status: 'failed',
        endedAt: at(HOUR),
        failure: { kind: 'provider-invalid', message: `email: ${email.toLowerCase()} is not valid` },
      },
    });
    const keeper = await closedGrant(2 * DAY, { username: 'sup-keeper', contactEmail: 'keep@example.test' });
    const before = await store.listEvents(grant.id);

    const dueNow = (await store.contactsDueForErasure(at(10 * DAY), 500)).map((g) => g.id);
    expect(dueNow).toContain(grant.id);
    expect(dueNow).toContain(keeper.id);
    expect((await store.contactsDueForErasure(at(DAY), 500)).map((g) => g.id)).not.toContain(keeper.id);

    expect(await store.eraseContact(grant.id, at(400 * DAY))).toBe(true);
    expect(await store.eraseContact(grant.id, at(401 * DAY))).toBe(false);

    const erased = await store.getGrant(grant.id);
    expect(erased?.contactEmail).toBeUndefined();
    expect(erased?.failure?.message).toBe('email: [erased] is not valid');
    expect(erased).toMatchObject({ reason: grant.reason, requestedBy: grant.requestedBy, status: 'failed' });
    const trail = await store.listEvents(grant.id);
    expect(trail.map((e) => [e.type, e.at, e.actor])).toEqual([
      ...before.map((e) => [e.type, e.at, e.actor]),
      ['contact-erased', at(400 * DAY), 'supplier-access'],
    ]);
    expect(JSON.stringify({ erased, trail }).toLowerCase()).not.toContain(email.toLowerCase());
    expect((await store.contactsDueForErasure(at(500 * DAY), 500)).map((g) => g.id)).not.toContain(grant.id);
    expect((await store.getGrant(keeper.id))?.contactEmail).toBe('keep@example.test');
  });

  it('never offers a live grant’s contact for erasure', async () => {
    const live = await addGrant(store, { username: 'sup-live-contact', contactEmail: 'live@example.test' });
    await provision(store, live, at(HOUR));
    expect((await store.contactsDueForErasure(at(1000 * DAY), 500)).map((g) => g.id)).not.toContain(live.id);
  });

  it('upgrades a registry written before retention: its closed accounts are due, and deletions are recorded', async () => {
    const location = await backend.freshDatabase();
    const old: Kysely<any> = backend.connect(location);
    const grant = grantRecord({ username: 'sup-upgraded', contactEmail: 'old@example.test' });
    try {
      await migrateToBefore(old, '0007-retention');
      await insertGrantAs0004(old, grant, 'expired');
    } finally {
      await old.destroy();
    }
    const upgraded = await openRegistry(location);
    try {
      const found = await upgraded.accountsDueForDeletion('ldap', at(40 * DAY), 10);
      expect(found.map((g) => [g.id, g.username, g.closedAt])).toEqual([[grant.id, 'sup-upgraded', at(DAY)]]);
      await upgraded.recordAccountDeleted(grant.id, at(41 * DAY), { retentionDays: '30' });
      expect(await upgraded.accountsDueForDeletion('ldap', at(40 * DAY), 10)).toEqual([]);
      expect(await upgraded.eraseContact(grant.id, at(400 * DAY))).toBe(true);
      expect((await upgraded.getGrant(grant.id))?.contactEmail).toBeUndefined();
    } finally {
      await upgraded.close();
    }
  });

  it('erases the contacts of a supplier whose grants all ended before the cutoff; the supplier and its trail stay', async () => {
    const supplier = (key: string, updatedAt: string) =>
      store.insertSupplier({
        id: `00000000-0000-4000-8000-${key.padStart(12, '0')}`,
        key: `retired-${key}`,
        legalName: `Retired ${key}`,
        contactEmails: [`people@${key}.example`],
        sponsor: { name: 'Sam Sponsor', email: 'sam@corp.example' },
        createdBy: 'alice',
        createdAt: at(0),
        updatedAt,
      });
    const done = await supplier('1', at(0));
    const doneGrant = await closedGrant(2 * DAY, { username: 'sup-retired-1', supplierId: done.id });
    const active = await supplier('2', at(0));
    await closedGrant(2 * DAY, { username: 'sup-retired-2a', supplierId: active.id });
    const live = await addGrant(store, { username: 'sup-retired-2b', supplierId: active.id });
    await provision(store, live, at(HOUR));
    const recent = await supplier('3', at(0));
    await closedGrant(300 * DAY, { username: 'sup-retired-3', supplierId: recent.id });
    const edited = await supplier('4', at(200 * DAY));

    expect(await store.eraseRetiredSupplierContacts(at(100 * DAY), at(400 * DAY), 500)).toBe(1);
    expect((await store.getSupplier(done.id))?.contactEmails).toEqual([]);
    expect((await store.getSupplier(done.id))?.sponsor).toEqual(done.sponsor);
    expect((await store.getGrant(doneGrant.id))?.status).toBe('expired');
    for (const kept of [active, recent, edited])
      expect((await store.getSupplier(kept.id))?.contactEmails, kept.legalName).toEqual(kept.contactEmails);
    // Nothing left to erase: a repeat changes nothing.
    expect(await store.eraseRetiredSupplierContacts(at(100 * DAY), at(400 * DAY), 500)).toBe(0);
  });

  it("keeps a blocked supplier's contacts while the incident needs them; from the lift, the normal rule applies", async () => {
    const blocked = await store.insertSupplier({
      id: randomUUID(),
      key: 'retired-blocked',
      legalName: 'Retired Blocked',
      contactEmails: ['people@blocked.example'],
      sponsor: { name: 'Sam Sponsor', email: 'sam@corp.example' },
      createdBy: 'alice',
      createdAt: at(0),
      updatedAt: at(0),
    });
    await closedGrant(2 * DAY, { username: 'sup-retired-blocked', supplierId: blocked.id });
    const opened = await store.openIncident(
      {
        id: randomUUID(),
        supplierId: blocked.id,
        reason: 'ransomware',
        discoveredAt: at(3 * DAY),
        doors: 'closing',
        createdBy: 'ada',
        createdAt: at(3 * DAY),
        updatedAt: at(3 * DAY),
        revision: 0,
      },
      [],
    );
    expect(opened).toHaveProperty('incident');
    const contacts = async () => (await store.getSupplier(blocked.id))?.contactEmails;

    // The persons concerned are told, the Commission asks: the addresses must still be there.
    expect(await store.eraseRetiredSupplierContacts(at(100 * DAY), at(400 * DAY), 500)).toBe(0);
    expect(await contacts()).toEqual(['people@blocked.example']);

    await store.liftSupplierBlock(blocked.id, { actor: 'ada', at: at(500 * DAY), reason: 'laptops cleaned' });
    // The lift restarts the wait: a cutoff before it keeps the addresses, one after it erases them. (The earlier
    // test's suppliers are due at these cutoffs too, hence no counts here.)
    await store.eraseRetiredSupplierContacts(at(450 * DAY), at(600 * DAY), 500);
    expect(await contacts()).toEqual(['people@blocked.example']);
    await store.eraseRetiredSupplierContacts(at(550 * DAY), at(900 * DAY), 500);
    expect(await contacts()).toEqual([]);
  });
});
