import type { Logger } from 'pino';
import type { AccountRef, ProviderName } from '../domain/account.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { ReviewedAccount } from '../domain/review.js';
import type { ServiceCredentialProvider, ServiceCredentialState } from '../providers/service-types.js';
import type { IdentityProvider } from '../providers/types.js';
import type { GrantRecord, GrantPage, RegistryStore } from '../src/registry/types.js';

/** Grants read per registry query while collecting a provider's service grants. */
const PAGE = 500;

/** A provider's service grants (`door: 'service'`): the names the supplier-account review leaves to this file. */
export interface ServiceGrants {
  /** Whether an account the supplier-account review listed is a service credential of ours (an LDAP/AD one). */
  has(account: { username: string }): boolean;
  /** The grant by id, to judge a credential that carries its marker. */
  byId: ReadonlyMap<string, GrantRecord>;
}

/** Every service grant on the provider, closed ones included. */
export async function serviceGrantsOf(
  registry: RegistryStore,
  provider: ProviderName,
): Promise<ServiceGrants> {
  const byId = new Map<string, GrantRecord>();
  const names = new Set<string>();
  let page: GrantPage | undefined;
  do {
    page = await registry.listGrants({
      provider: [provider],
      door: ['service'],
      limit: PAGE,
      after: page?.next,
    });
    for (const grant of page.grants) {
      byId.set(grant.id, grant);
      names.add(grant.username);
    }
  } while (page.next);
  return { has: (account) => names.has(account.username), byId };
}

/**
 * Whether the holder still lets someone in: a service account that is enabled; an application whose secret is
 * still there; a service principal or service app that is enabled or still holds a secret. An application has no
 * enabled state of its own (its service principal has), so only its secrets count.
 */
export function stillUsable(state: ServiceCredentialState): boolean {
  if (state.kind === 'service-account') return state.enabled;
  if (state.kind === 'application') return state.credentials.length > 0;
  return state.enabled || state.credentials.length > 0;
}

/** What repairing a provider's service credentials needs. */
export interface ServiceRepairDeps {
  directory: IdentityProvider;
  registry: RegistryStore;
  logger: Logger;
}

/**
 * Closes again every service credential we issued whose grant is closed but which is usable again (a secret added
 * by hand, the service principal or app enabled again, the service account unlocked), recording `drift-corrected`
 * on its grant; the credentials we did not issue are the inventory's to report. Answers the report's rows for the
 * ones found drifting. A provider that issues no service credentials, or cannot list them, gives none: the
 * inventory reports the listing's failure.
 */
export async function repairServiceCredentials(
  { directory, registry, logger }: ServiceRepairDeps,
  { reviewId, provider }: { reviewId: string; provider: ProviderName },
  services: ServiceGrants,
): Promise<ReviewedAccount[]> {
  const listing = (directory as Partial<ServiceCredentialProvider>).listServiceCredentials;
  if (typeof listing !== 'function' || services.byId.size === 0) return [];
  let states: ServiceCredentialState[];
  try {
    states = await listing.call(directory);
  } catch (err) {
    logger.warn({ reviewId, provider, err: messageOf(err) }, 'review: cannot list service credentials');
    return [];
  }
  const drifting = new Map<string, GrantRecord>();
  for (const state of states) {
    const grant = state.grantId === undefined ? undefined : services.byId.get(state.grantId);
    if (grant?.closedAt !== undefined && stillUsable(state)) drifting.set(grant.id, grant);
  }
  const rows: ReviewedAccount[] = [];
  for (const grant of drifting.values()) {
    rows.push(
      await closeAgain(directory as IdentityProvider & ServiceCredentialProvider, grant, reviewId, {
        registry,
        logger,
      }),
    );
  }
  return rows;
}

async function closeAgain(
  directory: ServiceCredentialProvider,
  grant: GrantRecord,
  reviewId: string,
  { registry, logger }: Pick<ServiceRepairDeps, 'registry' | 'logger'>,
): Promise<ReviewedAccount> {
  // The registry's account is the one the grant's own closing closed: the same call closes it again.
  const account: AccountRef = {
    username: grant.username,
    externalId: grant.externalId ?? '',
    displayName: grant.displayName,
  };
  const row: ReviewedAccount = {
    provider: grant.provider,
    username: grant.username,
    externalId: account.externalId,
    displayName: grant.displayName,
    enabled: true,
    grantId: grant.id,
    grantStatus: grant.status,
    grantExpiresAt: grant.expiresAt,
    finding: 'drift',
    action: 'disabled-and-rotated',
  };
  const log = { reviewId, provider: grant.provider, username: grant.username, grantId: grant.id };
  try {
    await directory.closeServiceCredential(account);
  } catch (err) {
    logger.warn({ ...log, err: messageOf(err) }, 'review: closing a service credential again failed');
    return { ...row, action: 'failed', error: messageOf(err) };
  }
  logger.warn(log, 'review: service credential usable after its grant closed; closed again');
  await registry.recordReviewEvent({
    grantId: grant.id,
    type: 'drift-corrected',
    at: new Date().toISOString(),
    actor: SYSTEM_ACTOR,
    details: { reviewId, finding: 'drift' },
  });
  return row;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
