import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewedAccount } from '../../domain/review.js';
import type { GrantRecord } from '../../src/registry/types.js';
import { canBind, readEntry } from '../helpers/ldap.js';
import { DAY, fromNow, HAND_PASSWORD, LOCK, remove, replace, ReviewFixture, toSeconds } from './fixture.js';

let f: ReviewFixture;
beforeAll(async () => {
  f = await ReviewFixture.start();
}, 60_000);
afterAll(async () => {
  await f?.stop();
});

describe('a review of a directory with one account of each kind', () => {
  const p = 'sup-kinds-';
  const expiry = toSeconds(fromNow(30 * DAY));
  const extended = toSeconds(fromNow(60 * DAY));
  const grants: Record<string, GrantRecord> = {};
  let reviewId: string;
  let rows: Map<string, ReviewedAccount>;
  const row = (name: string) => rows.get(`${p}${name}`);
  const allEventTypes = () => Promise.all(Object.values(grants).map((g) => f.eventTypes(g)));

  beforeAll(async () => {
    grants.covered = await f.grantWithAccount(`${p}covered`, 'active', expiry);
    grants.closed = await f.grantWithAccount(`${p}closed`, 'expired', fromNow(-DAY));

    // Expired and locked, then unlocked by hand, with a password somebody kept and a later end time.
    grants.drift = await f.grantWithAccount(`${p}drift`, 'expired', fromNow(-DAY));
    await f.modifyByHand(
      `${p}drift`,
      replace('userPassword', [HAND_PASSWORD]),
      remove('pwdAccountLockedTime'),
    );
    await f.setEndTimeByHand(`${p}drift`, expiry);
    expect(await canBind(f.slapd.url, f.dnOf(`${p}drift`), HAND_PASSWORD)).toBe(true);

    await f.handMadeEntry(`${p}orphan`);
    // Provisioning failed after the entry was added: an account left by a grant that failed.
    grants.failed = await f.grantWithAccount(`${p}failed`, 'failed', expiry);

    grants.mismatch = await f.grantWithAccount(`${p}mismatch`, 'active', expiry);
    await f.setEndTimeByHand(`${p}mismatch`, fromNow(300 * DAY));

    // An approval in flight: the directory already holds the new expiry, the registry not yet.
    const pending = {
      expiresAt: extended,
      reason: 'more work',
      requestedBy: 'rita',
      requestedAt: fromNow(-DAY),
    };
    grants.pending = await f.grantWithAccount(`${p}pending`, 'extension-requested', expiry, pending);
    await f.setEndTimeByHand(`${p}pending`, extended);

    grants.provisioning = await f.grantWithAccount(`${p}provisioning`, 'provisioning', expiry);
    await f.setEndTimeByHand(`${p}provisioning`, fromNow(2 * DAY));

    grants.locked = await f.grantWithAccount(`${p}locked`, 'active', expiry);
    await f.modifyByHand(`${p}locked`, replace('pwdAccountLockedTime', [LOCK]));

    reviewId = (await f.review(p)).input.reviewId;
    rows = await f.rowsOf(reviewId);
  });

  it('reports every account with its finding and what was done', () => {
    const found = Object.fromEntries(
      [...rows].map(([name, r]) => [name.slice(p.length), [r.finding, r.action]]),
    );
    expect(found).toEqual({
      covered: ['covered', 'none'],
      closed: ['closed', 'none'],
      drift: ['drift', 'disabled-and-rotated'],
      orphan: ['orphan', 'reported'],
      failed: ['orphan', 'reported'],
      mismatch: ['expiry-mismatch', 'expiry-corrected'],
      pending: ['covered', 'none'],
      provisioning: ['covered', 'none'],
      locked: ['disabled-while-live', 'reported'],
    });
    expect(row('drift')).toMatchObject({ enabled: true, grantId: grants.drift?.id, grantStatus: 'expired' });
    expect(row('orphan')).toMatchObject({ enabled: true, grantId: undefined, expiresAt: undefined });
  });

  it('locks a drifted account again, and the password somebody kept no longer works', async () => {
    const entry = await readEntry(f.slapd, f.dnOf(`${p}drift`));
    expect(entry?.pwdAccountLockedTime).toEqual([LOCK]);
    expect(await canBind(f.slapd.url, f.dnOf(`${p}drift`), HAND_PASSWORD)).toBe(false);
    const trail = await f.registry.listEvents(grants.drift!.id);
    expect(trail.at(-1)).toMatchObject({
      type: 'drift-corrected',
      actor: 'supplier-access',
      details: { reviewId, finding: 'drift' },
    });
    expect(await f.registry.getGrant(grants.drift!.id)).toMatchObject({ status: 'expired' });
  });

  it('puts a hand-changed expiry back to the registry’s, and records both values', async () => {
    expect((await f.ldap.findAccount(`${p}mismatch`))?.expiresAt).toBe(expiry);
    expect(row('mismatch')?.expiresAt).not.toBe(expiry);
    const trail = await f.registry.listEvents(grants.mismatch!.id);
    expect(trail.at(-1)).toMatchObject({
      type: 'expiry-corrected',
      details: { reviewId, directoryExpiresAt: row('mismatch')?.expiresAt, expiresAt: expiry },
    });
  });

  it('leaves alone an orphan, an expiry an approval is moving, and an account being provisioned', async () => {
    expect(await canBind(f.slapd.url, f.dnOf(`${p}orphan`), HAND_PASSWORD)).toBe(true);
    expect((await f.ldap.findAccount(`${p}pending`))?.expiresAt).toBe(extended);
    expect((await f.ldap.findAccount(`${p}provisioning`))?.expiresAt).not.toBe(expiry);
    expect((await f.ldap.findAccount(`${p}locked`))?.enabled).toBe(false);
    expect(await f.eventTypes(grants.failed!)).toEqual(['created', 'provisioning-failed', 'orphan-found']);
    const reviewEvents = ['drift-corrected', 'expiry-corrected', 'orphan-found'];
    for (const name of ['covered', 'closed', 'pending', 'provisioning', 'locked']) {
      const types = await f.eventTypes(grants[name]!);
      expect(types.filter((t) => reviewEvents.includes(t))).toEqual([]);
    }
  });

  it('gives the same rows and no second event when the activity is retried with the same review id', async () => {
    const before = await f.registry.getReview(reviewId);
    const trails = await allEventTypes();

    const summary = await f
      .activities()
      .reviewProvider({ reviewId, provider: 'ldap', prefix: p, disableOrphans: false });

    expect(await f.registry.getReview(reviewId)).toEqual(before);
    expect(await allEventTypes()).toEqual(trails);
    expect(summary).toEqual({
      provider: 'ldap',
      accounts: 9,
      findings: {
        covered: 3,
        closed: 1,
        drift: 1,
        orphan: 2,
        'expiry-mismatch': 1,
        'disabled-while-live': 1,
      },
    });
  });

  it('finds everything corrected at the next review, and records nothing new', async () => {
    const trails = await allEventTypes();
    const { input, summary } = await f.review(p);
    const next = await f.rowsOf(input.reviewId);

    expect(next.get(`${p}drift`)).toMatchObject({ finding: 'closed', action: 'none' });
    expect(next.get(`${p}mismatch`)).toMatchObject({ finding: 'covered', action: 'none' });
    expect(summary.findings).toEqual({ covered: 4, closed: 2, orphan: 2, 'disabled-while-live': 1 });
    expect(await allEventTypes()).toEqual(trails);
    const finished = { reviewId: input.reviewId, finishedAt: new Date().toISOString(), providers: [summary] };
    expect(await f.activities().finishReview(finished)).toEqual({ noteworthy: 3 });
    expect((await f.registry.latestReview())?.id).toBe(input.reviewId);
  });
});
