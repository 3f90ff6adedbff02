import { ActivityFailure, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ProviderReview } from '../domain/review.js';
import { requireAuthentic } from './authentic.js';

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
const { deliverReviewSummary } = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '10s', maximumInterval: '5m', nonRetryableErrorTypes: ['NotificationRefused'] },
});

/**
 * One access review: every supplier-convention account in every provider is compared with the registry, drift is
 * closed at once, orphans are reported (or disabled), directory expiries are corrected, and the report is kept.
 * When something was found, a summary goes out through the notification channels.
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
  const { noteworthy } = await finishReview({
    reviewId,
    finishedAt: new Date().toISOString(),
    providers: reviews,
  });
  if (noteworthy > 0 || reviews.some((r) => r.error)) {
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
  return { reviewId, providers: reviews, noteworthy };
}
