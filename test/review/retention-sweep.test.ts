import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetentionActivities, type RetentionSettings } from '../../activities/retention.js';
import { createLdapProvider } from '../../providers/ldap/index.js';
import type { IdentityProvider } from '../../providers/types.js';
import { freePort } from '../../src/local-stack/tools.js';
import { createLogger } from '../../src/logger.js';
import type { GrantRecord } from '../../src/registry/types.js';
import { DAY, fromNow, replace, ReviewFixture } from './fixture.js';

/**
 * The retention sweep's activity against a real slapd and registry: what is due is deleted and recorded, a
 * directory that is down fails the run (Temporal retries it) and loses nothing, and an account that is no longer
 * the grant's is left.
 */
let f: ReviewFixture;
beforeAll(async () => {
  f = await ReviewFixture.start();
}, 60_000);
afterAll(async () => {
  await f?.stop();
});

const THIRTY_DAYS: RetentionSettings = { accountDays: 30, contactDays: undefined };

function sweep(provider: IdentityProvider = f.ldap, retention: RetentionSettings = THIRTY_DAYS) {
  return createRetentionActivities({
    providers: new Map([['ldap', provider]]),
    registry: f.registry,
    logger: createLogger('silent'),
    retention,
  });
}

/** A grant whose account was closed `daysAgo` days ago, in the registry and in slapd. */
async function closedDaysAgo(username: string, daysAgo: number): Promise<GrantRecord> {
  const grant = await f.grantWithAccount(username, 'expired', fromNow(-daysAgo * DAY));
  const at = fromNow(-daysAgo * DAY);
  const event = { grantId: grant.id, actor: 'supplier-access', at };
  await f.registry.recordEvent({ ...event, seq: 3, type: 'disabled' });
  await f.registry.recordEvent({ ...event, seq: 4, type: 'credentials-rotated' });
  return grant;
}

describe('the retention sweep', () => {
  it('deletes the accounts closed longer ago than the retention period, and only those', async () => {
    const old = await closedDaysAgo('sup-sweep-old', 31);
    const recent = await closedDaysAgo('sup-sweep-recent', 29);

    expect(await sweep().deleteRetiredAccounts({ provider: 'ldap' })).toEqual({
      provider: 'ldap',
      deleted: 1,
      kept: 0,
    });
    expect(await f.ldap.findAccount('sup-sweep-old')).toBeNull();
    expect(await f.ldap.findAccount('sup-sweep-recent')).not.toBeNull();
    expect(await f.eventTypes(old)).toContain('account-deleted');
    expect(await f.eventTypes(recent)).not.toContain('account-deleted');
    // Kept for good when told so: nothing is deleted, whatever its age.
    const never = sweep(f.ldap, { accountDays: undefined, contactDays: undefined });
    await closedDaysAgo('sup-sweep-ancient', 3000);
    expect(await never.deleteRetiredAccounts({ provider: 'ldap' })).toMatchObject({ deleted: 0 });
    expect(await f.ldap.findAccount('sup-sweep-ancient')).not.toBeNull();
    await sweep().deleteRetiredAccounts({ provider: 'ldap' });
  });

  it('fails the run while the directory is down, for Temporal to retry, and deletes the account once it is back', async () => {
    const grant = await closedDaysAgo('sup-sweep-outage', 40);
    const down = createLdapProvider({ ...f.slapd, url: `ldap://127.0.0.1:${await freePort()}` });
    try {
      const failed: unknown = await sweep(down)
        .deleteRetiredAccounts({ provider: 'ldap' })
        .catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(ApplicationFailure);
      expect((failed as ApplicationFailure).nonRetryable).toBe(false);
    } finally {
      await down.close();
    }
    expect(await f.ldap.findAccount('sup-sweep-outage')).not.toBeNull();
    expect(await f.eventTypes(grant)).not.toContain('account-deleted');

    expect(await sweep().deleteRetiredAccounts({ provider: 'ldap' })).toMatchObject({ deleted: 1 });
    expect(await f.ldap.findAccount('sup-sweep-outage')).toBeNull();
    expect(await f.eventTypes(grant)).toContain('account-deleted');
  });

  it('leaves an account somebody marked as another grant’s, and deletes the others of the run', async () => {
    const tampered = await closedDaysAgo('sup-sweep-tampered', 50);
    const plain = await closedDaysAgo('sup-sweep-plain', 45);
    await f.modifyByHand(
      'sup-sweep-tampered',
      replace('description', ['supplier-access grant someone-else']),
    );

    expect(await sweep().deleteRetiredAccounts({ provider: 'ldap' })).toMatchObject({ deleted: 1, kept: 1 });
    expect(await f.ldap.findAccount('sup-sweep-tampered')).toMatchObject({ grantId: 'someone-else' });
    expect(await f.eventTypes(tampered)).not.toContain('account-deleted');
    expect(await f.ldap.findAccount('sup-sweep-plain')).toBeNull();
    expect(await f.eventTypes(plain)).toContain('account-deleted');
  });
});
