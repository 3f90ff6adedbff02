import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../domain/account.js';
import type { ProviderReview, ReviewedAccount } from '../../domain/review.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { REVIEW_EVENT_SEQ_BASE } from '../../domain/events.js';
import { SYSTEM_ACTOR } from '../../domain/actor.js';
import { backends, type Backend, type RegistryLocation } from './backends.js';
import { addGrant, at, DAY, end, failProvisioning, HOUR, provision } from './grants.js';

function reviewed(username: string, overrides: Partial<ReviewedAccount> = {}): ReviewedAccount {
  return {
    provider: 'ldap',
    username,
    externalId: `uid=${username},ou=suppliers`,
    displayName: `${username} (supplier)`,
    enabled: true,
    expiresAt: at(30 * DAY),
    grantId: `grant-of-${username}`,
    grantStatus: 'active',
    grantExpiresAt: at(30 * DAY),
    finding: 'covered',
    action: 'none',
    ...overrides,
  };
}

const summary = (provider: ProviderName, accounts: number): ProviderReview => ({
  provider,
  accounts,
  findings: { covered: accounts },
});

describe.each(backends)('access reviews in the registry on $name', ({ start }) => {
  let backend: Backend;
  let store: RegistryStore;
  let reviews = 0;
  const startReview = async (startedAt = at(0)): Promise<string> => {
    const id = `review-${++reviews}`;
    await store.startReview({ id, trigger: 'schedule', startedAt });
    return id;
  };

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  let location: RegistryLocation;
  beforeEach(async () => {
    location = await backend.freshDatabase();
    store = await openRegistry(location);
  });
  afterEach(async () => {
    await store?.close();
  });

  it('keeps a review started twice once, unfinished, and knows no review it was not told of', async () => {
    await store.startReview({ id: 'r1', trigger: 'alice', startedAt: at(0) });
    await store.startReview({ id: 'r1', trigger: 'alice', startedAt: at(0) });

    expect(await store.getReview('r1')).toEqual({
      id: 'r1',
      trigger: 'alice',
      startedAt: at(0),
      finishedAt: undefined,
      providers: [],
      accounts: [],
      credentials: [],
    });
    expect(await store.getReview('nope')).toBeNull();
    expect(await store.latestReview()).toBeNull();
  });

  it('rewrites the same rows when accounts are saved again, and lists them by provider then name', async () => {
    const id = await startReview();
    const orphan = reviewed('sup-ab', {
      grantId: undefined,
      grantStatus: undefined,
      grantExpiresAt: undefined,
      expiresAt: undefined,
      finding: 'orphan',
      action: 'reported',
    });
    await store.saveReviewedAccounts(id, [reviewed('sup-b'), orphan, reviewed('sup-a-b')]);
    await store.saveReviewedAccounts(id, [reviewed('sup-x', { provider: 'entra' })]);
    const failed = { ...orphan, action: 'failed' as const, error: 'LDAP 53 unwilling' };
    await store.saveReviewedAccounts(id, [failed]); // a retried activity, this time the directory refused

    const report = await store.getReview(id);
    // Code-unit order in both stores, whatever PostgreSQL's collation makes of the hyphen.
    expect(report?.accounts.map((a) => `${a.provider}/${a.username}`)).toEqual([
      'entra/sup-x',
      'ldap/sup-a-b',
      'ldap/sup-ab',
      'ldap/sup-b',
    ]);
    expect(report?.accounts.find((a) => a.username === 'sup-ab')).toEqual(failed);
    expect(report?.accounts.find((a) => a.username === 'sup-b')).toEqual(reviewed('sup-b'));
  });

  it('saves 10,000 accounts quickly, and again over the same rows', async () => {
    const id = await startReview();
    const accounts = Array.from({ length: 10_000 }, (_, i) => reviewed(`sup-bulk-${i}`));

    const started = performance.now();
    await store.saveReviewedAccounts(id, accounts);
    await store.saveReviewedAccounts(
      id,
      accounts.map((a) => ({ ...a, enabled: false, finding: 'closed' })),
    );
    const seconds = (performance.now() - started) / 1000;

    const report = await store.getReview(id);
    expect(report?.accounts).toHaveLength(10_000);
    expect(report?.accounts.every((a) => a.finding === 'closed' && !a.enabled)).toBe(true);
    expect(seconds).toBeLessThan(10);
  });

  it('answers the latest finished review, never one still running', async () => {
    const older = await startReview(at(0));
    const newer = await startReview(at(HOUR));
    const running = await startReview(at(2 * HOUR));
    await store.saveReviewedAccounts(newer, [reviewed('sup-a')]);
    await store.saveReviewedAccounts(running, [reviewed('sup-a'), reviewed('sup-b')]);
    // Finished out of order: the later review still tells the directory's more recent state.
    await store.finishReview(newer, at(HOUR + 60_000), [summary('ldap', 1)]);
    await store.finishReview(older, at(HOUR + 120_000), [{ ...summary('ldap', 0), error: 'unreachable' }]);

    expect(await store.latestReview()).toEqual({
      id: newer,
      trigger: 'schedule',
      startedAt: at(HOUR),
      finishedAt: at(HOUR + 60_000),
      providers: [summary('ldap', 1)],
      accounts: [reviewed('sup-a')],
      credentials: [],
    });
    await expect(store.finishReview('never-started', at(0), [])).rejects.toThrow(/never started/);
  });

  it('keeps every review for good but drops per-account rows after 30 days', async () => {
    const old = await startReview(at(0));
    await store.saveReviewedAccounts(old, [reviewed('sup-a'), reviewed('sup-b')]);
    await store.finishReview(old, at(60_000), [summary('ldap', 2)]);
    const recent = await startReview(at(29 * DAY));
    await store.saveReviewedAccounts(recent, [reviewed('sup-a')]);
    await store.finishReview(recent, at(29 * DAY + 60_000), [summary('ldap', 1)]);
    // A month later than the first: its detail is gone, its summary stays; the recent one is whole.
    expect((await store.getReview(old))?.accounts).toHaveLength(2);
    const latest = await startReview(at(31 * DAY));
    await store.finishReview(latest, at(31 * DAY + 60_000), [summary('ldap', 0)]);
    expect(await store.getReview(old)).toMatchObject({ providers: [summary('ldap', 2)], accounts: [] });
    expect((await store.getReview(recent))?.accounts).toHaveLength(1);
  });

  it('gives the newest grant of each account of one provider, by name or for all', async () => {
    const old = await addGrant(store, { username: 'sup-acme', createdAt: at(0) });
    const current = await addGrant(store, { username: 'sup-acme', createdAt: at(DAY) });
    const other = await addGrant(store, { username: 'sup-globex', createdAt: at(0) });
    await addGrant(store, { username: 'sup-acme', provider: 'okta', createdAt: at(2 * DAY) });
    await provision(store, old, at(HOUR));
    await end(store, old, at(2 * HOUR));

    const byName = await store.latestGrantsByAccount('ldap', ['sup-acme', 'sup-nobody']);
    expect([...byName.keys()]).toEqual(['sup-acme']);
    expect(byName.get('sup-acme')).toMatchObject({ id: current.id, status: 'provisioning' });
    const all = await store.latestGrantsByAccount('ldap');
    expect(new Map([...all].map(([name, grant]) => [name, grant.id]))).toEqual(
      new Map([
        ['sup-acme', current.id],
        ['sup-globex', other.id],
      ]),
    );
    expect((await store.latestGrantsByAccount('entra')).size).toBe(0);
  });

  it('never gives a failed grant as the one owning an account another grant had', async () => {
    const revoked = await addGrant(store, { username: 'sup-initech', createdAt: at(0) });
    await provision(store, revoked, at(HOUR));
    await end(store, revoked, at(2 * HOUR), 'revoked');
    const failed = await addGrant(store, { username: 'sup-initech', createdAt: at(DAY) });
    await failProvisioning(store, failed, at(DAY + 60_000));
    const onlyFailed = await addGrant(store, { username: 'sup-hooli', createdAt: at(DAY) });
    await failProvisioning(store, onlyFailed, at(DAY + 60_000));

    const owners = await store.latestGrantsByAccount('ldap', ['sup-initech', 'sup-hooli']);
    expect(owners.get('sup-initech')).toMatchObject({ id: revoked.id, status: 'revoked' });
    // An account only failed grants named is still reported against the latest of them.
    expect(owners.get('sup-hooli')).toMatchObject({ id: onlyFailed.id, status: 'failed' });
  });

  it('looks up more accounts than one query may name', async () => {
    const grants = [];
    for (let i = 0; i < 1200; i++) grants.push(await addGrant(store, { username: `sup-many-${i}` }));
    const names = grants.map((g) => g.username);

    const latest = await store.latestGrantsByAccount('ldap', [...names, ...names]);
    expect(latest.size).toBe(1200);
    expect(latest.get('sup-many-1199')?.id).toBe(grants[1199]?.id);
  });

  it('appends review events after the workflow’s own, once each, without touching the grant', async () => {
    const grant = await addGrant(store);
    await provision(store, grant, at(HOUR));
    await end(store, grant, at(2 * HOUR));
    const before = await store.getGrant(grant.id);
    const drift = { grantId: grant.id, type: 'drift-corrected' as const, actor: SYSTEM_ACTOR };

    await store.recordReviewEvent({ ...drift, at: at(DAY), details: { reviewId: 'r1', finding: 'drift' } });
    // The same review retried: same details in another order, a later instant.
    await store.recordReviewEvent({
      ...drift,
      at: at(DAY + 1),
      details: { finding: 'drift', reviewId: 'r1' },
    });
    await store.recordReviewEvent({
      ...drift,
      at: at(2 * DAY),
      details: { reviewId: 'r2', finding: 'drift' },
    });

    expect(await store.getGrant(grant.id)).toEqual(before);
    const trail = await store.listEvents(grant.id);
    expect(trail.map((e) => [e.type, e.details?.reviewId])).toEqual([
      ['created', undefined],
      ['provisioned', undefined],
      ['expired', undefined],
      ['disabled', undefined],
      ['credentials-rotated', undefined],
      ['drift-corrected', 'r1'],
      ['drift-corrected', 'r2'],
    ]);
    expect(trail[5]).toEqual({
      type: 'drift-corrected',
      at: at(DAY),
      actor: SYSTEM_ACTOR,
      details: { reviewId: 'r1', finding: 'drift' },
    });
    await expect(
      store.recordReviewEvent({ ...drift, grantId: 'no-such-grant', at: at(DAY) }),
    ).rejects.toThrow(/does not exist/);
  });

  it('gives concurrent review events on one grant each its own sequence number', async () => {
    const grant = await addGrant(store);
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.recordReviewEvent({
          grantId: grant.id,
          type: 'orphan-found',
          at: at(i),
          actor: SYSTEM_ACTOR,
          details: { reviewId: `r${i}` },
        }),
      ),
    );
    // A workflow event arriving afterwards keeps its own small number.
    await provision(store, grant, at(HOUR));

    // Listed in seq order: the workflow's small numbers first, then the review's from REVIEW_EVENT_SEQ_BASE on.
    const trail = await store.listEvents(grant.id);
    expect(trail.map((e) => e.type)).toEqual(['created', 'provisioned', ...Array(6).fill('orphan-found')]);
    const reviewIds = trail.slice(2).map((e) => e.details?.reviewId);
    expect(reviewIds.sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    const db = backend.connect(location);
    try {
      const seqs = await db
        .selectFrom('grant_events')
        .select('seq')
        .where('type', '=', 'orphan-found')
        .execute();
      expect(seqs.map((r) => Number(r.seq)).sort()).toEqual(
        Array.from({ length: 6 }, (_, i) => REVIEW_EVENT_SEQ_BASE + i),
      );
    } finally {
      await db.destroy();
    }
  });
});
