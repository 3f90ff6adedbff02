import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoriedCredential } from '../../domain/inventory.js';
import { openRegistry } from '../../src/registry/store.js';
import { backends, migrateToBefore, type Backend } from './backends.js';
import { at, DAY } from './grants.js';

function holder(id: string, overrides: Partial<InventoriedCredential> = {}): InventoriedCredential {
  return {
    provider: 'entra',
    kind: 'application',
    id,
    name: `app ${id}`,
    owners: [],
    enabled: true,
    createdAt: at(0),
    ageDays: 12,
    credentials: 1,
    flags: ['no-expiry', 'no-owner'],
    ...overrides,
  };
}

/** `0011-inventory` on a registry an earlier release wrote, and the inventory kept with its review. */
describe.each(backends)('the review inventory in the registry on $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('reads a review written before the inventory with none, and keeps a new one with its holders, a retry rewriting them', async () => {
    const location = await backend.freshDatabase();
    const before: Kysely<any> = backend.connect(location);
    try {
      await migrateToBefore(before, '0011-inventory');
      await before
        .insertInto('reviews')
        .values({ id: 'old', trigger: 'schedule', started_at: at(0), finished_at: at(1), providers: '[]' })
        .execute();
    } finally {
      await before.destroy();
    }
    const store = await openRegistry(location);
    try {
      expect((await store.getReview('old'))?.credentials).toEqual([]);

      await store.startReview({ id: 'new', trigger: 'alice', startedAt: at(DAY) });
      const token = holder('tok-1', {
        provider: 'okta',
        kind: 'api-token',
        name: 'CI deploy',
        owners: ['00u-admin'],
        lastUsedAt: at(DAY - 5),
        expiresAt: at(40 * DAY),
        flags: [],
      });
      await store.saveReviewCredentials('new', [
        holder('app-2'),
        token,
        holder('app-1', { grantId: 'g1', flags: [] }),
      ]);
      // A retried activity writes the same holders again, as found then.
      await store.saveReviewCredentials('new', [
        holder('app-2', { owners: ['someone'], flags: ['no-expiry'] }),
      ]);
      const credentials = (await store.getReview('new'))?.credentials;
      expect(credentials).toEqual([
        holder('app-1', { grantId: 'g1', flags: [] }),
        holder('app-2', { owners: ['someone'], flags: ['no-expiry'] }),
        token,
      ]);
    } finally {
      await store.close();
    }
  });
});
