import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReviewInventoryActivities } from '../../activities/review-inventory.js';
import type { ProviderName } from '../../domain/account.js';
import { ProviderError } from '../../providers/errors.js';
import type { ServiceCredentialState } from '../../providers/service-types.js';
import type { IdentityProvider } from '../../providers/types.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { addGrant, provision } from '../registry/grants.js';

const DAY = 86_400_000;

/** A provider that lists these holders (or fails to), and does nothing else: the inventory calls nothing else. */
function stubProvider(list: () => Promise<ServiceCredentialState[]>): IdentityProvider {
  return { listServiceCredentials: list } as unknown as IdentityProvider;
}

/** The inventory activity against a stub provider and a real registry. */
describe('inventoryProvider', () => {
  let dir: string;
  let registry: RegistryStore;
  let reviews = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inventory-'));
    registry = await openRegistry({ dataDir: dir });
  });
  afterAll(async () => {
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function inventory(providers: Map<ProviderName, IdentityProvider>) {
    const reviewId = `review-${++reviews}`;
    await registry.startReview({ id: reviewId, trigger: 'schedule', startedAt: new Date().toISOString() });
    const { inventoryProvider } = createReviewInventoryActivities({
      providers,
      registry,
      logger: createLogger('silent'),
      review: { maxGrantDays: 30 },
    });
    return {
      reviewId,
      run: (provider: ProviderName) => inventoryProvider({ reviewId, provider, prefix: 'sup-' }),
    };
  }

  it("classifies every holder against the live grants' names and MAX_GRANT_DAYS, and keeps them; a retry rewrites them", async () => {
    const live = await addGrant(registry, { provider: 'okta', username: 'sup-live-vendor', door: 'service' });
    await provision(registry, live, new Date().toISOString());
    const holders: ServiceCredentialState[] = [
      {
        kind: 'service-app',
        id: 'app-live',
        name: 'sup-live-vendor',
        owners: ['it@example.com'],
        enabled: true,
        credentials: [
          { id: 's', type: 'password', expiresAt: new Date(Date.now() + 20 * DAY).toISOString() },
        ],
      },
      {
        kind: 'api-token',
        id: 'tok-old',
        name: 'sup-gone-vendor',
        owners: ['00uadmin'],
        enabled: true,
        credentials: [{ id: 't', type: 'token', expiresAt: new Date(Date.now() + 45 * DAY).toISOString() }],
      },
    ];
    const { reviewId, run } = await inventory(new Map([['okta', stubProvider(async () => holders)]]));
    expect(await run('okta')).toEqual({ holders: 2, flagged: 1 });
    expect(await run('okta')).toEqual({ holders: 2, flagged: 1 });
    const kept = (await registry.getReview(reviewId))?.credentials;
    expect(kept?.map((c) => [c.id, c.flags])).toEqual([
      ['tok-old', ['expiry-beyond-max', 'supplier-name-without-grant']],
      ['app-live', []],
    ]);
  });

  it('says so when the provider cannot list its credentials, and skips a provider that keeps none', async () => {
    const failing = stubProvider(async () => {
      throw new ProviderError('transient', 'Graph answered 503', {
        provider: 'entra',
        operation: 'listServiceCredentials',
      });
    });
    const { reviewId, run } = await inventory(
      new Map<ProviderName, IdentityProvider>([
        ['entra', failing],
        ['ldap', {} as IdentityProvider],
      ]),
    );
    expect(await run('entra')).toEqual({ holders: 0, flagged: 0, error: expect.stringContaining('503') });
    expect(await run('ldap')).toBeUndefined();
    expect((await registry.getReview(reviewId))?.credentials).toEqual([]);
  });
});
