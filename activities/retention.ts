import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { AccountRef, ProviderName } from '../domain/account.js';
import { isProviderError } from '../providers/errors.js';
import type { IdentityProvider } from '../providers/types.js';
import type { GrantRecord, RegistryStore } from '../src/registry/types.js';
import { whileHeartbeating } from './review.js';

/** Law 25 retention as the worker applies it, in days; `undefined` keeps for good. */
export interface RetentionSettings {
  /** `ACCOUNT_RETENTION_DAYS`: how long a closed account stays in its directory after it was closed. */
  accountDays: number | undefined;
  /** `CONTACT_RETENTION_DAYS`: how long a grant's contact e-mail stays in the registry after the grant ended. */
  contactDays: number | undefined;
}

export interface RetentionDeps {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  registry: RegistryStore;
  logger: Logger;
  retention?: RetentionSettings | undefined;
}

/** What one provider's sweep did: accounts deleted, and accounts left because they are not the grant's any more. */
export interface AccountSweep {
  provider: ProviderName;
  deleted: number;
  kept: number;
}

/**
 * Grants handled per run. A backlog (the first sweep after an upgrade) is worked off over the next runs, so one run
 * stays well within its timeout.
 */
const PER_RUN = 1000;
/** Grants read from the registry at a time. */
const PAGE = 100;
const DAY_MS = 86_400_000;

/** The instant `days` before now: what was closed (or ended) at or before it is due. */
const cutoff = (days: number): string => new Date(Date.now() - days * DAY_MS).toISOString();

/**
 * The retention sweep's side effects: closed accounts deleted from their directory, contact e-mails erased from the
 * registry. Everything due stays due in the registry until it is done, so a run that fails, or a directory that is
 * down for a while, only delays the rest to the next run.
 */
export function createRetentionActivities({ providers, registry, logger, retention }: RetentionDeps) {
  return {
    /**
     * Deletes the provider's accounts whose grant closed `accountDays` ago or more, and records each deletion on its
     * grant. A directory that fails transiently fails the run, to be retried; one that refuses an account (it is held
     * by another grant, or is no longer ours) leaves that account, logged, and goes on with the others.
     */
    deleteRetiredAccounts: async ({ provider }: { provider: ProviderName }): Promise<AccountSweep> => {
      const sweep: AccountSweep = { provider, deleted: 0, kept: 0 };
      const days = retention?.accountDays;
      const directory = providers.get(provider);
      if (days === undefined || !directory) return sweep;
      const before = cutoff(days);
      return whileHeartbeating(async (signal) => {
        // Page by page from the oldest closing on, so accounts the directory refused stay behind the cursor and
        // never hold up the ones after them.
        let after: { closedAt: string; id: string } | undefined;
        while (sweep.deleted + sweep.kept < PER_RUN) {
          const page = await registry.accountsDueForDeletion(provider, before, PAGE, after);
          for (const grant of page) {
            signal?.throwIfAborted();
            if (await deleteOne({ registry, logger }, directory, grant, days)) sweep.deleted++;
            else sweep.kept++;
          }
          const last = page.at(-1);
          if (page.length < PAGE || !last) break;
          after = { closedAt: last.closedAt ?? before, id: last.id };
        }
        if (sweep.deleted + sweep.kept > 0) logger.info(sweep, 'retention: closed accounts deleted');
        return sweep;
      });
    },

    /**
     * Erases the contact e-mail of every grant that ended `contactDays` ago or more, and the contact e-mails of
     * suppliers none of whose grants ended since; the trail stays.
     */
    eraseRetiredContacts: async (): Promise<{ erased: number; suppliers: number }> => {
      const days = retention?.contactDays;
      if (days === undefined) return { erased: 0, suppliers: 0 };
      return whileHeartbeating(async (signal) => {
        let erased = 0;
        for (const grant of await registry.contactsDueForErasure(cutoff(days), PER_RUN)) {
          signal?.throwIfAborted();
          if (await registry.eraseContact(grant.id, new Date().toISOString())) erased++;
        }
        const suppliers = await registry.eraseRetiredSupplierContacts(
          cutoff(days),
          new Date().toISOString(),
          PER_RUN,
        );
        if (erased + suppliers > 0) logger.info({ erased, suppliers }, 'retention: contact e-mails erased');
        return { erased, suppliers };
      });
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;

/**
 * Deletes one grant's account after a fresh look at the registry: a new grant of the same supplier may have started
 * since the batch was read, and then the account is its. True once the account is gone and that is recorded.
 */
async function deleteOne(
  { registry, logger }: Pick<RetentionDeps, 'registry' | 'logger'>,
  directory: IdentityProvider,
  grant: GrantRecord,
  days: number,
): Promise<boolean> {
  const log = { grantId: grant.id, provider: grant.provider, username: grant.username };
  const owner = (await registry.latestGrantsByAccount(grant.provider, [grant.username])).get(grant.username);
  if (owner?.id !== grant.id) {
    logger.info({ ...log, heldBy: owner?.id }, 'retention: account held by a newer grant; not deleted');
    return false;
  }
  const account: AccountRef = {
    username: grant.username,
    externalId: grant.externalId ?? '',
    displayName: grant.displayName,
  };
  try {
    await directory.deleteAccount(account, grant.id);
  } catch (err) {
    if (isProviderError(err) && !err.retryable) {
      logger.warn({ ...log, err: err.message }, 'retention: directory refused to delete the account; left');
      return false;
    }
    // Down, busy or rate-limited: the run fails and Temporal tries again (after the wait a provider asked for).
    throw ApplicationFailure.create({
      message: err instanceof Error ? err.message : String(err),
      type: isProviderError(err) ? `provider-${err.kind}` : 'Error',
      nextRetryDelay: isProviderError(err) ? err.details.retryAfterMs : undefined,
    });
  }
  await registry.recordAccountDeleted(grant.id, new Date().toISOString(), {
    retentionDays: String(days),
    closedAt: grant.closedAt ?? '',
  });
  return true;
}
