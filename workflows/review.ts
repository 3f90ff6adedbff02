import { ActivityFailure, patched, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { AccountSweep } from '../activities/retention.js';
import type { ProviderName } from '../domain/account.js';
import type { InventorySummary } from '../domain/inventory.js';
import type { ProviderReview } from '../domain/review.js';
import { requireAuthentic } from './authentic.js';
import { reportLiveLends, startDueRotations, withRotations } from './shared-rotations.js';

/** What starts a review: the schedule, or an admin through the API (whose name is the trigger). */
export interface ReviewInput {
  trigger: string;
  /** Given by the API so it can answer with the review's id at once; the schedule lets the workflow pick one. */
  reviewId?: string | undefined;
}

export interface ReviewOutcome {
  reviewId: string;
  providers: ProviderReview[];
  /** Accounts with a finding worth a look (orphans, drift, corrected expiries, disabled live accounts). */
  noteworthy: number;
  /** What the retention sweep after the review did; a part that failed is absent (the next review tries again). */
  retention?: RetentionOutcome | undefined;
}

/** The retention sweep's part of a review: closed accounts deleted per provider, contact e-mails erased. */
export interface RetentionOutcome {
  accounts: AccountSweep[];
  erasedContacts?: number | undefined;
}

const registryCall = { startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '30s' } };
const { startReview, finishReview, reviewTargets } = proxyActivities<Activities>(registryCall);
// Reviewing a directory of 10,000 accounts takes a while; heartbeats tell a slow one from a lost worker. An
// unreachable directory is not an error here (its part of the report says so); a failing registry is, retried.
const { reviewProvider } = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 10 },
});
// The inventory lists every application and token a provider has: as slow as a directory listing.
const { inventoryProvider } = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 10 },
});
const { deliverReviewSummary } = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '10s', maximumInterval: '5m', nonRetryableErrorTypes: ['NotificationRefused'] },
});

// The retention sweep works through what is due in the registry; a directory down for the whole retry budget
// leaves its accounts due, and the next review deletes them.
const { deleteRetiredAccounts, eraseRetiredContacts } = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 10 },
});

/**
 * One access review: every supplier-convention account in every provider is compared with the registry, drift is
 * closed at once, orphans are reported (or disabled), directory expiries are corrected, shared accounts past their
 * rotation interval are rotated (or, while lent, reported), every provider's non-human credentials are inventoried
 * (those nobody answers for flagged), and the report is kept. When something was found, a
 * summary goes out through the notification channels. Then the retention sweep runs.
 */
export async function reviewWorkflow(input: ReviewInput): Promise<ReviewOutcome> {
  // The trigger names who asked: believed only from the service (or its schedule), which holds the key.
  requireAuthentic(input);
  const reviewId = input.reviewId ?? uuid4();
  await startReview({ reviewId, trigger: input.trigger, startedAt: new Date().toISOString() });
  const { providers, prefix, disableOrphans } = await reviewTargets();
  const reviews = await Promise.all(
    providers.map((provider) => reviewProvider({ reviewId, provider, prefix, disableOrphans })),
  );
  // Reviews started before shared accounts replay without this step.
  const rotations = patched('shared-account-rotation') ? await startDueRotations(reviewId) : [];
  // Reviews started before lends were listed replay without it.
  const lent = patched('lends-in-review') ? await reportLiveLends(reviewId, rotations) : {};
  // Reviews started before the inventory replay without it.
  const inventories = patched('service-inventory')
    ? await takeInventory(reviewId, providers, prefix)
    : undefined;
  const summaries = withInventories(withRotations(reviews, rotations, lent), inventories);
  const { noteworthy } = await finishReview({
    reviewId,
    finishedAt: new Date().toISOString(),
    providers: summaries,
  });
  if (noteworthy > 0 || summaries.some((r) => r.error)) {
    // The report is kept whatever happens to the summary: a mail server that is down costs only the e-mail.
    await Promise.all(
      (['email', 'webhook'] as const).map((channel) =>
        deliverReviewSummary({ channel, reviewId }).catch((err: unknown) => {
          if (!(err instanceof ActivityFailure)) throw err;
          return false;
        }),
      ),
    );
  }
  // Reviews started before the sweep existed replay without it.
  const retention = patched('retention-sweep') ? await sweepRetention(providers) : undefined;
  return { reviewId, providers: summaries, noteworthy, retention };
}

/**
 * Each provider's inventory of non-human credentials, by provider. A registry that fails for the whole retry budget
 * costs the inventory only: the review's report is kept and says so.
 */
async function takeInventory(
  reviewId: string,
  providers: ProviderName[],
  prefix: string,
): Promise<Map<ProviderName, InventorySummary>> {
  const taken = await Promise.all(
    providers.map((provider) =>
      inventoryProvider({ reviewId, provider, prefix }).catch((err: unknown): InventorySummary => {
        if (!(err instanceof ActivityFailure)) throw err;
        return {
          holders: 0,
          flagged: 0,
          error: `the inventory failed: ${err.cause?.message ?? err.message}`,
        };
      }),
    ),
  );
  const byProvider = new Map<ProviderName, InventorySummary>();
  providers.forEach((provider, i) => {
    const summary = taken[i];
    if (summary) byProvider.set(provider, summary);
  });
  return byProvider;
}

/** The providers' summaries, each with its inventory where one was taken. */
function withInventories(
  summaries: ProviderReview[],
  inventories: ReadonlyMap<ProviderName, InventorySummary> | undefined,
): ProviderReview[] {
  if (!inventories) return summaries;
  return summaries.map((summary) => {
    const inventory = inventories.get(summary.provider);
    return inventory ? { ...summary, inventory } : summary;
  });
}

/**
 * Law 25: closed accounts past `ACCOUNT_RETENTION_DAYS` are deleted from their directories, contact e-mails past
 * `CONTACT_RETENTION_DAYS` erased from the registry. After the review, so its report shows the directory as it was
 * found; one directory failing does not hold up the others or the registry's part.
 */
async function sweepRetention(providers: ProviderName[]): Promise<RetentionOutcome> {
  const unlessFailed = <T>(work: Promise<T>): Promise<T | undefined> =>
    work.catch((err: unknown) => {
      if (!(err instanceof ActivityFailure)) throw err;
      return undefined;
    });
  const [erased, accounts] = await Promise.all([
    unlessFailed(eraseRetiredContacts()),
    Promise.all(providers.map((provider) => unlessFailed(deleteRetiredAccounts({ provider })))),
  ]);
  return {
    accounts: accounts.filter((sweep): sweep is AccountSweep => sweep !== undefined),
    erasedContacts: erased?.erased,
  };
}
