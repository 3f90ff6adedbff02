import type { Logger } from 'pino';
import type { ProviderName } from '../domain/account.js';
import type { ReviewAction, ReviewedAccount } from '../domain/review.js';
import type { GrantStatus } from '../domain/status.js';
import type { SharedAccountPage } from '../src/registry/shared-account-store.js';
import type { GrantPage, RegistryStore } from '../src/registry/types.js';

/** Due rotations one review takes on; more wait for the next review, oldest due first. */
const DUE_PER_REVIEW = 500;

/** A shared account past its rotation interval, as the review workflow sees it: plain data, no password. */
export interface OverdueSharedAccount {
  sharedAccountId: string;
  provider: ProviderName;
  username: string;
  externalId: string;
  displayName: string;
  /** When its rotation fell due. */
  dueAt: string;
  /** The live lend holding it, whose end rotates the password anyway. */
  lend?: { id: string; status: GrantStatus; expiresAt: string } | undefined;
}

/** What the review did about one overdue shared account. */
export interface SharedRotationOutcome {
  account: OverdueSharedAccount;
  action: Extract<ReviewAction, 'rotation-started' | 'reported'>;
}

/**
 * The usernames and directory ids (DNs compared without case) of the provider's registered shared accounts: the
 * provider review leaves these alone even when they are named like supplier accounts, since a shared account is
 * its custodian's and must never be taken for an orphan and disabled.
 */
export async function sharedAccountsOf(
  registry: RegistryStore,
  provider: ProviderName,
): Promise<{ has(account: { username: string; externalId: string }): boolean }> {
  const names = new Set<string>();
  const ids = new Set<string>();
  let page: SharedAccountPage | undefined;
  do {
    page = await registry.listSharedAccounts({ provider, limit: DUE_PER_REVIEW, after: page?.next });
    for (const { account } of page.sharedAccounts) {
      names.add(account.username);
      ids.add(account.externalId.toLowerCase());
    }
  } while (page.next);
  return { has: (account) => names.has(account.username) || ids.has(account.externalId.toLowerCase()) };
}

/** The review's part of scheduled rotation: which shared accounts are overdue, and the report's rows for them. */
export function createReviewRotationActivities({
  registry,
  logger,
}: {
  registry: RegistryStore;
  logger: Logger;
}) {
  return {
    /** The shared accounts whose rotation is due at `now` (the review's own clock), oldest due first. */
    dueSharedRotations: async ({ now }: { now: string }): Promise<OverdueSharedAccount[]> => {
      const due = await registry.dueRotations(now, DUE_PER_REVIEW);
      return due.map(({ sharedAccount, dueAt, lentIn }) => ({
        sharedAccountId: sharedAccount.id,
        provider: sharedAccount.provider,
        ...sharedAccount.account,
        dueAt,
        ...(lentIn ? { lend: { id: lentIn.id, status: lentIn.status, expiresAt: lentIn.expiresAt } } : {}),
      }));
    },

    /**
     * Keeps every overdue shared account in the review's report, under the shared account's provider and name,
     * with its lend as the row's grant. The directory is not read for these rows: a shared account stays enabled
     * for its custodian, and the rotation itself reads and changes it.
     */
    reportSharedRotations: async ({
      reviewId,
      outcomes,
    }: {
      reviewId: string;
      outcomes: SharedRotationOutcome[];
    }): Promise<void> => {
      const rows = outcomes.map(({ account, action }): ReviewedAccount => ({
        provider: account.provider,
        username: account.username,
        externalId: account.externalId,
        displayName: account.displayName,
        enabled: true,
        ...(account.lend
          ? {
              grantId: account.lend.id,
              grantStatus: account.lend.status,
              grantExpiresAt: account.lend.expiresAt,
            }
          : {}),
        finding: 'rotation-overdue',
        action,
      }));
      await registry.saveReviewedAccounts(reviewId, rows);
      for (const { account, action } of outcomes) {
        logger.info(
          { reviewId, sharedAccountId: account.sharedAccountId, dueAt: account.dueAt, action },
          'review: shared account rotation overdue',
        );
      }
    },

    /**
     * Keeps every shared account lent at `now` in the review's report (`lent`, with its lend as the row's grant): the
     * lends a supplier holds now, and those that ended and are still rotating the password back. Accounts in `except`
     * (already reported as overdue) keep that row. Answers how many were listed per provider.
     */
    reportLends: async ({
      reviewId,
      now,
      except,
    }: {
      reviewId: string;
      now: string;
      except: string[];
    }): Promise<Partial<Record<ProviderName, number>>> => {
      const skip = new Set(except);
      const counts: Partial<Record<ProviderName, number>> = {};
      let after: GrantPage['next'];
      do {
        const page = await registry.listGrants(
          { door: ['lend'], activeAt: now, limit: DUE_PER_REVIEW, after },
          new Date(now),
        );
        const rows = page.grants
          .filter((lend) => lend.sharedAccountId === undefined || !skip.has(lend.sharedAccountId))
          .map((lend): ReviewedAccount => ({
            provider: lend.provider,
            username: lend.username,
            externalId: lend.externalId ?? '',
            displayName: lend.displayName,
            enabled: true,
            grantId: lend.id,
            grantStatus: lend.status,
            grantExpiresAt: lend.expiresAt,
            finding: 'lent',
            action: 'none',
          }));
        if (rows.length > 0) await registry.saveReviewedAccounts(reviewId, rows);
        for (const row of rows) counts[row.provider] = (counts[row.provider] ?? 0) + 1;
        after = page.next;
      } while (after);
      return counts;
    },
  };
}
