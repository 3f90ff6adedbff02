import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../providers/errors.js';
import { createLdapProvider } from '../../providers/ldap/index.js';
import type { IdentityProvider } from '../../providers/types.js';
import { freePort } from '../../src/local-stack/tools.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { canBind } from '../helpers/ldap.js';
import { DAY, fromNow, HAND_PASSWORD, LOCK, replace, ReviewFixture, toSeconds } from './fixture.js';

let f: ReviewFixture;
beforeAll(async () => {
  f = await ReviewFixture.start();
}, 60_000);
afterAll(async () => {
  await f?.stop();
});

describe('reviewing when orphans are to be closed, or things go wrong', () => {
  it('disables and rotates a usable orphan when told to, and only reports one already disabled', async () => {
    const p = 'sup-close-orphans-';
    await f.handMadeEntry(`${p}usable`);
    await f.handMadeEntry(`${p}locked`);
    await f.modifyByHand(`${p}locked`, replace('pwdAccountLockedTime', [LOCK]));

    const { input } = await f.review(p, { disableOrphans: true });

    const rows = await f.rowsOf(input.reviewId);
    expect(rows.get(`${p}usable`)).toMatchObject({ finding: 'orphan', action: 'disabled-and-rotated' });
    expect(rows.get(`${p}locked`)).toMatchObject({ finding: 'orphan', action: 'reported' });
    expect(await canBind(f.slapd.url, f.dnOf(`${p}usable`), HAND_PASSWORD)).toBe(false);
    expect((await f.ldap.findAccount(`${p}usable`))?.enabled).toBe(false);
  });

  it('never takes a registered shared account named like a supplier account for an orphan, nor disables it', async () => {
    const p = 'sup-shared-named-';
    await f.handMadeEntry(`${p}admin`);
    await f.registry.insertSharedAccount({
      id: crypto.randomUUID(),
      provider: 'ldap',
      account: { username: `${p}admin`, externalId: f.dnOf(`${p}admin`), displayName: 'Site admin' },
      label: 'Site admin',
      custodian: { name: 'carol' },
      createdBy: 'alice',
      createdAt: fromNow(0),
      updatedAt: fromNow(0),
    });

    const { input } = await f.review(p, { disableOrphans: true });

    expect((await f.rowsOf(input.reviewId)).has(`${p}admin`)).toBe(false);
    expect(await canBind(f.slapd.url, f.dnOf(`${p}admin`), HAND_PASSWORD)).toBe(true);
    expect((await f.ldap.findAccount(`${p}admin`))?.enabled).toBe(true);
  });

  it('reports a directory that is down in its summary, without failing the review', async () => {
    const down = createLdapProvider({ ...f.slapd, url: `ldap://127.0.0.1:${await freePort()}` });
    try {
      const { input, summary } = await f.review('sup-', {}, down);
      expect(summary).toMatchObject({ provider: 'ldap', accounts: 0, findings: {} });
      expect(summary.error).toMatch(/unreachable|ECONNREFUSED/);
      expect((await f.registry.getReview(input.reviewId))?.accounts).toEqual([]);
    } finally {
      await down.close();
    }
  });

  it('marks a correction the directory refuses as failed and carries on with the others', async () => {
    const p = 'sup-refused-';
    const expiry = toSeconds(fromNow(30 * DAY));
    const refused = await f.grantWithAccount(`${p}a`, 'active', expiry);
    const fine = await f.grantWithAccount(`${p}b`, 'active', expiry);
    for (const grant of [refused, fine]) await f.setEndTimeByHand(grant.username, fromNow(100 * DAY));
    const refusing: IdentityProvider = {
      ...f.ldap,
      setExpiry: async (account, expiresAt) => {
        if (account.username !== refused.username) return f.ldap.setExpiry(account, expiresAt);
        throw new ProviderError('invalid', 'setExpiry: LDAP 50 insufficient access', {
          provider: 'ldap',
          operation: 'setExpiry',
        });
      },
    };

    const { input, summary } = await f.review(p, {}, refusing);

    const rows = await f.rowsOf(input.reviewId);
    expect(rows.get(refused.username)).toMatchObject({
      finding: 'expiry-mismatch',
      action: 'failed',
      error: 'setExpiry: LDAP 50 insufficient access',
    });
    expect(rows.get(fine.username)).toMatchObject({ finding: 'expiry-mismatch', action: 'expiry-corrected' });
    expect(summary.findings).toEqual({ 'expiry-mismatch': 2 });
    expect(await f.eventTypes(refused)).not.toContain('expiry-corrected');
    expect((await f.ldap.findAccount(fine.username))?.expiresAt).toBe(expiry);
  });

  it('throws when the registry fails, so that Temporal retries the activity', async () => {
    // The store is a class: its methods live on the prototype, so a proxy rather than a spread.
    const failing = new Proxy(f.registry, {
      get(target, key): unknown {
        if (key === 'latestGrantsByAccount') return () => Promise.reject(new Error('database is locked'));
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    }) satisfies RegistryStore;
    const review = f.activities(f.ldap, failing);
    await review.startReview({
      reviewId: 'review-registry-down',
      trigger: 'schedule',
      startedAt: fromNow(0),
    });

    const input = {
      reviewId: 'review-registry-down',
      provider: 'ldap' as const,
      prefix: 'sup-',
      disableOrphans: false,
    };
    await expect(review.reviewProvider(input)).rejects.toThrow('database is locked');
  });
});
