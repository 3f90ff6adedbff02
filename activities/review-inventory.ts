import type { Logger } from 'pino';
import type { ProviderName } from '../domain/account.js';
import { classifyHolder, type InventoriedCredential, type InventorySummary } from '../domain/inventory.js';
import { LIVE_STATUSES } from '../domain/status.js';
import type { ServiceCredentialProvider } from '../providers/service-types.js';
import type { IdentityProvider } from '../providers/types.js';
import { grantPages } from '../src/registry/grant-pages.js';
import type { RegistryStore } from '../src/registry/types.js';
import { whileHeartbeating } from './review.js';

/** What the inventory works with: the review's providers and registry, and the grant policy's longest grant. */
export interface ReviewInventoryDeps {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  registry: RegistryStore;
  logger: Logger;
  review?: { maxGrantDays?: number | undefined } | undefined;
}

/** One provider's inventory, as the review workflow asks for it. */
export interface InventoryProviderInput {
  reviewId: string;
  provider: ProviderName;
  /** `ACCOUNT_PREFIX`: names starting with it are supplier-style. */
  prefix: string;
}

/** `MAX_GRANT_DAYS`'s default, for a worker given no review settings (tests, the benchmark). */
const DEFAULT_MAX_GRANT_DAYS = 90;

/** Grants per page while the live ones' names are read. */
const PAGE = 500;

/**
 * The review's inventory of non-human credentials: every holder each provider lists (applications, service
 * principals, service apps, API tokens, service accounts), classified and kept with the review.
 */
export function createReviewInventoryActivities({
  providers,
  registry,
  logger,
  review,
}: ReviewInventoryDeps) {
  return {
    /**
     * Lists the provider's credential holders, flags those nobody answers for, and keeps every one in the review.
     * Undefined for a provider that keeps no service credentials; a provider that cannot list them gives a summary
     * with `error` (the others still make a report); a registry failure throws, to be retried. A retry rewrites
     * the same rows.
     */
    inventoryProvider: async (input: InventoryProviderInput): Promise<InventorySummary | undefined> => {
      const directory = providers.get(input.provider);
      if (!directory || !keepsServiceCredentials(directory)) return undefined;
      const { reviewId, provider } = input;
      let listed;
      try {
        listed = await whileHeartbeating(() => directory.listServiceCredentials());
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        logger.warn({ reviewId, provider, err: error }, 'review: cannot list service credentials');
        return { holders: 0, flagged: 0, error };
      }
      const context = {
        provider,
        prefix: input.prefix,
        maxGrantDays: review?.maxGrantDays ?? DEFAULT_MAX_GRANT_DAYS,
        now: new Date(),
        liveGrantNames: await liveGrantNames(registry, provider),
      };
      const rows: InventoriedCredential[] = listed.map((holder) => classifyHolder(holder, context));
      await registry.saveReviewCredentials(reviewId, rows);
      const flagged = rows.filter((row) => row.flags.length > 0);
      if (flagged.length > 0) {
        logger.warn(
          { reviewId, provider, flagged: flagged.map((row) => ({ name: row.name, flags: row.flags })) },
          'review: service credentials nobody answers for',
        );
      }
      return { holders: rows.length, flagged: flagged.length };
    },
  };
}

/**
 * Whether the provider lists service credentials. Every provider will (`IdentityProvider` extends the interface);
 * until then, one without the method simply has no inventory.
 */
function keepsServiceCredentials(
  directory: IdentityProvider,
): directory is IdentityProvider & ServiceCredentialProvider {
  return typeof (directory as Partial<ServiceCredentialProvider>).listServiceCredentials === 'function';
}

/** The account names and display names of the provider's live grants, of every door. */
async function liveGrantNames(registry: RegistryStore, provider: ProviderName): Promise<Set<string>> {
  const names = new Set<string>();
  const query = { provider: [provider], status: [...LIVE_STATUSES], limit: PAGE };
  for await (const grants of grantPages(registry, query)) {
    for (const grant of grants) {
      names.add(grant.username);
      names.add(grant.displayName);
    }
  }
  return names;
}
