import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../src/registry/store.js';
import type { GrantPage, GrantQuery, GrantRecord, RegistryStore } from '../../src/registry/types.js';
import { backends, type Backend } from './backends.js';
import {
  addGrant,
  at,
  closeAccount,
  createdEvent,
  DAY,
  end,
  failProvisioning,
  grantRecord,
  HOUR,
  provision,
} from './grants.js';

const ids = (page: GrantPage) => page.grants.map((g) => g.id);
const idsOf = (grants: GrantRecord[]) => grants.map((g) => g.id);

describe.each(backends)('registry on $name', ({ start }) => {
  let backend: Backend;
  let store: RegistryStore;
  const list = (query: Partial<GrantQuery>, now = new Date(at(0))) =>
    store.listGrants({ limit: 500, ...query }, now).then(ids);

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

  it('keeps one grant and one created event when the same grant is recorded twice', async () => {
    const grant = grantRecord({ organisation: 'Électricité Côté', contactEmail: 'ops@example.com' });
    await store.insertGrant(grant, createdEvent(grant));
    await store.insertGrant(grant, createdEvent(grant));

    expect(await store.getGrant(grant.id)).toEqual({ ...grant, provisionedAt: undefined });
    expect((await store.listEvents(grant.id)).map((e) => e.type)).toEqual(['created']);
    expect(await list({})).toEqual([grant.id]);
  });

  it('records a retried event once and never lets a late older event undo a newer one', async () => {
    const grant = await addGrant(store);
    await provision(store, grant, at(HOUR));
    await end(store, grant, at(2 * HOUR), 'revoked', null);
    await provision(store, grant, at(HOUR)); // the activity retried after its first attempt was recorded

    const stored = await store.getGrant(grant.id);
    expect(stored).toMatchObject({ status: 'revoked', endedAt: at(2 * HOUR) });
    expect((await store.listEvents(grant.id)).map((e) => e.type)).toEqual([
      'created',
      'provisioned',
      'revoked',
    ]);
  });

  it('applies an event arriving before an older one, and the older one then changes nothing', async () => {
    const grant = await addGrant(store);
    await end(store, grant, at(2 * HOUR), 'revoked');
    await provision(store, grant, at(HOUR));

    expect(await store.getGrant(grant.id)).toMatchObject({
      status: 'revoked',
      provisionedAt: at(HOUR),
      externalId: undefined,
    });
  });

  it('tells when the account was provisioned, and never for a grant that failed', async () => {
    const provisioned = await addGrant(store);
    const failed = await addGrant(store);
    await provision(store, provisioned, at(HOUR));
    await failProvisioning(store, failed, at(HOUR));

    expect((await store.getGrant(provisioned.id))?.provisionedAt).toBe(at(HOUR));
    expect((await store.getGrant(failed.id))?.provisionedAt).toBeUndefined();
    expect((await store.listGrants({ limit: 10 })).grants.map((g) => g.provisionedAt)).toEqual([
      undefined,
      at(HOUR),
    ]);
  });

  it('filters by any of several statuses and any of several providers', async () => {
    const ldapActive = await addGrant(store, { provider: 'ldap', createdAt: at(1) });
    const oktaActive = await addGrant(store, { provider: 'okta', createdAt: at(2) });
    const entraFailed = await addGrant(store, { provider: 'entra', createdAt: at(3) });
    const ldapPending = await addGrant(store, { provider: 'ldap', createdAt: at(4) });
    await provision(store, ldapActive, at(HOUR));
    await provision(store, oktaActive, at(HOUR));
    await failProvisioning(store, entraFailed, at(HOUR));

    expect(await list({ status: ['active'] })).toEqual([oktaActive.id, ldapActive.id]);
    expect(await list({ status: ['failed', 'provisioning'] })).toEqual([ldapPending.id, entraFailed.id]);
    expect(await list({ provider: ['ldap'] })).toEqual([ldapPending.id, ldapActive.id]);
    expect(await list({ provider: ['okta', 'entra'] })).toEqual([entraFailed.id, oktaActive.id]);
    expect(await list({ provider: ['ldap'], status: ['active'] })).toEqual([ldapActive.id]);
    expect(await list({ status: ['revoked'] })).toEqual([]);
  });

  it('finds an organisation by part of its name whatever the case and accents', async () => {
    const edf = await addGrant(store, { organisation: 'Électricité Côté', createdAt: at(1) });
    const muller = await addGrant(store, { organisation: 'MÜLLER GmbH', createdAt: at(2) });
    await addGrant(store, { organisation: 'Acme', createdAt: at(3) });

    expect(await list({ organisation: 'electricite' })).toEqual([edf.id]);
    expect(await list({ organisation: 'CITÉ CÔ' })).toEqual([edf.id]);
    expect(await list({ organisation: 'müller' })).toEqual([muller.id]);
    expect(await list({ organisation: 'mulle' })).toEqual([muller.id]);
    expect(await list({ organisation: 'Globex' })).toEqual([]);
  });

  it('takes % and _ in the organisation filter literally', async () => {
    const percent = await addGrant(store, { organisation: '100% Organic', createdAt: at(1) });
    const underscore = await addGrant(store, { organisation: 'snake_case Ltd', createdAt: at(2) });
    const backslash = await addGrant(store, { organisation: 'Back\\slash', createdAt: at(3) });
    await addGrant(store, { organisation: '1000 Organic', createdAt: at(4) });
    await addGrant(store, { organisation: 'snakeXcase Ltd', createdAt: at(5) });

    expect(await list({ organisation: '100%' })).toEqual([percent.id]);
    expect(await list({ organisation: '%' })).toEqual([percent.id]);
    expect(await list({ organisation: 'e_c' })).toEqual([underscore.id]);
    expect(await list({ organisation: 'k\\s' })).toEqual([backslash.id]);
  });

  it('keeps a grant expiring exactly at expiresBefore out, and one expiring at expiresAfter in', async () => {
    const early = await addGrant(store, { expiresAt: at(DAY), createdAt: at(1) });
    const onTheDot = await addGrant(store, { expiresAt: at(2 * DAY), createdAt: at(2) });
    const late = await addGrant(store, { expiresAt: at(3 * DAY), createdAt: at(3) });

    expect(await list({ expiresBefore: at(2 * DAY) })).toEqual([early.id]);
    expect(await list({ expiresAfter: at(2 * DAY) })).toEqual([late.id, onTheDot.id]);
    expect(await list({ expiresAfter: at(DAY + 1), expiresBefore: at(3 * DAY) })).toEqual([onTheDot.id]);
    // The same instant written without milliseconds is the same boundary.
    expect(await list({ expiresBefore: at(2 * DAY).replace('.000Z', 'Z') })).toEqual([early.id]);
  });

  it('combines every filter with AND', async () => {
    const match = await addGrant(store, { provider: 'okta', organisation: 'Électricité', createdAt: at(1) });
    await addGrant(store, { provider: 'ldap', organisation: 'Électricité', createdAt: at(2) });
    await addGrant(store, { provider: 'okta', organisation: 'Gaz', createdAt: at(3) });
    await addGrant(store, { provider: 'okta', organisation: 'Électricité', expiresAt: at(90 * DAY) });
    const ended = await addGrant(store, { provider: 'okta', organisation: 'Électricité', createdAt: at(5) });
    // All provisioned: each grant but the first fails exactly one filter.
    for (const g of (await store.listGrants({ limit: 10 })).grants) await provision(store, g, at(HOUR));
    await end(store, ended, at(2 * HOUR), 'revoked');

    const query = {
      status: ['active' as const],
      provider: ['okta' as const, 'entra' as const],
      organisation: 'ELEC',
      expiresAfter: at(DAY),
      expiresBefore: at(60 * DAY),
      activeAt: at(3 * HOUR),
    };
    expect(await list(query, new Date(at(DAY)))).toEqual([match.id]);
  });

  describe('activeAt', () => {
    let used: GrantRecord;
    let failed: GrantRecord;
    let live: GrantRecord;
    let overdue: GrantRecord;

    beforeEach(async () => {
      // Provisioned an hour after the request, expired (and disabled) after ten days.
      used = await addGrant(store, { expiresAt: at(10 * DAY), createdAt: at(1) });
      await provision(store, used, at(HOUR));
      await end(store, used, at(10 * DAY + 5 * 60_000));
      failed = await addGrant(store, { expiresAt: at(10 * DAY), createdAt: at(2) });
      await failProvisioning(store, failed, at(60_000));
      // Still running, planned until day 40.
      live = await addGrant(store, { expiresAt: at(40 * DAY), createdAt: at(20 * DAY) });
      await provision(store, live, at(20 * DAY + HOUR));
      // Past its expiry on day 25, but the workflow has not disabled the account yet.
      overdue = await addGrant(store, { expiresAt: at(25 * DAY), createdAt: at(20 * DAY + 1) });
      await provision(store, overdue, at(20 * DAY + HOUR));
    });

    const now = new Date(at(30 * DAY));

    it('leaves a grant out before its account was provisioned', async () => {
      expect(await list({ activeAt: at(30 * 60_000) }, now)).toEqual([]);
    });

    it('counts a grant from provisioning until it ended, and a failed grant never', async () => {
      expect(await list({ activeAt: at(HOUR) }, now)).toEqual([used.id]);
      expect(await list({ activeAt: at(5 * DAY) }, now)).toEqual([used.id]);
      expect(await list({ activeAt: at(10 * DAY + 5 * 60_000) }, now)).toEqual([]);
      expect(await list({ activeAt: at(11 * DAY) }, now)).toEqual([]);
    });

    it('counts a past instant for an account still usable after its expiry', async () => {
      expect(await list({ activeAt: at(21 * DAY) }, now)).toEqual([overdue.id, live.id]);
      expect(await list({ activeAt: at(26 * DAY) }, now)).toEqual([overdue.id, live.id]);
    });

    it('counts an ended grant as usable until its account is disabled and rotated', async () => {
      // Expired on day 12 while the directory was down; the account was closed on day 14 once it was back.
      const stuck = await addGrant(store, { expiresAt: at(12 * DAY), createdAt: at(3) });
      await provision(store, stuck, at(HOUR));
      await end(store, stuck, at(12 * DAY), 'expired', null);
      expect(await store.getGrant(stuck.id)).toMatchObject({ status: 'expired', endedAt: at(12 * DAY) });
      expect((await store.getGrant(stuck.id))?.closedAt).toBeUndefined();
      const day13 = new Date(at(13 * DAY));
      expect(await list({ activeAt: at(13 * DAY) }, day13)).toEqual([stuck.id]);

      await closeAccount(store, stuck, at(14 * DAY));
      expect((await store.getGrant(stuck.id))?.closedAt).toBe(at(14 * DAY));
      expect(await list({ activeAt: at(13 * DAY) }, now)).toEqual([stuck.id]);
      expect(await list({ activeAt: at(14 * DAY) }, now)).toEqual([]);
      // A grant ended and closed at once is closed from its ending on.
      expect((await store.getGrant(used.id))?.closedAt).toBe(at(10 * DAY + 5 * 60_000));
    });

    it('counts a future instant only for live grants planned to run past it', async () => {
      expect(await list({ activeAt: at(35 * DAY) }, now)).toEqual([live.id]);
      expect(await list({ activeAt: at(40 * DAY) }, now)).toEqual([]);
    });
  });

  it('pages through 250 grants 100 at a time with no duplicate or gap while grants are added', async () => {
    const grants: GrantRecord[] = [];
    // Five grants share each creation instant: the id decides their order.
    for (let i = 0; i < 250; i++) grants.push(await addGrant(store, { createdAt: at(Math.floor(i / 5)) }));
    const expected = idsOf(grants).reverse();

    const seen: string[] = [];
    let page = await store.listGrants({ limit: 100 });
    const sizes = [page.grants.length];
    seen.push(...ids(page));
    while (page.next) {
      await addGrant(store, { createdAt: at(DAY + seen.length) }); // newer: belongs before the first page
      page = await store.listGrants({ limit: 100, after: page.next });
      sizes.push(page.grants.length);
      seen.push(...ids(page));
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(seen).toEqual(expected);
  });

  it('says there is no next page when the last page is exactly full', async () => {
    for (let i = 0; i < 4; i++) await addGrant(store, { createdAt: at(i) });
    const first = await store.listGrants({ limit: 2 });
    const second = await store.listGrants({ limit: 2, after: first.next });
    expect([first.grants.length, second.grants.length, second.next]).toEqual([2, 2, undefined]);
  });

  it('returns the trails of many grants at once, each in order', async () => {
    const [a, b, quiet] = [await addGrant(store), await addGrant(store), await addGrant(store)];
    await provision(store, a, at(HOUR));
    await end(store, a, at(DAY), 'expired', null);
    await end(store, b, at(DAY), 'revoked', null); // recorded before an older event, listed after it
    await provision(store, b, at(HOUR));
    // More ids than one query takes, most of them unknown.
    const asked = [...Array.from({ length: 700 }, (_, i) => `unknown-${i}`), a.id, b.id, a.id];

    const trails = await store.listEventsOf(asked);
    expect([...trails.keys()].sort()).toEqual([a.id, b.id]);
    expect(trails.get(a.id)?.map((e) => e.type)).toEqual(['created', 'provisioned', 'expired']);
    expect(trails.get(b.id)).toEqual(await store.listEvents(b.id));
    expect(trails.get(b.id)?.map((e) => e.type)).toEqual(['created', 'provisioned', 'revoked']);
    expect(await store.listEventsOf([quiet.id + '-none'])).toEqual(new Map());
  });
});
