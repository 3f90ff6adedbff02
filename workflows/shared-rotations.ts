/**
 * The review's part of scheduled rotation: shared accounts past their interval are rotated by their own workflow,
 * started here, and every one of them is in the review's report. Deterministic: loaded inside the workflow sandbox.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SharedRotationOutcome } from '../activities/review-rotations.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { ProviderName } from '../domain/account.js';
import type { ProviderReview, ReviewFinding } from '../domain/review.js';
import { sharedAccountWorkflowId } from '../domain/shared-account.js';

const { dueSharedRotations, reportSharedRotations, reportLends } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * Starts the rotation of each overdue shared account that is not lent, and reports them all. The rotation runs
 * under the shared account's own workflow id and outlives the review (abandoned, not awaited): a directory that is
 * down keeps that rotation retrying, not the review. A workflow already running under that id is a lend or a
 * rotation that holds the account now, and rotates it itself.
 */
export async function startDueRotations(reviewId: string): Promise<SharedRotationOutcome[]> {
  const overdue = await dueSharedRotations({ now: new Date().toISOString() });
  const outcomes: SharedRotationOutcome[] = [];
  for (const account of overdue) {
    if (account.lend) {
      outcomes.push({ account, action: 'reported' });
      continue;
    }
    try {
      await startChild('rotationWorkflow', {
        workflowId: sharedAccountWorkflowId(account.sharedAccountId),
        args: [{ sharedAccountId: account.sharedAccountId, reason: 'scheduled', actor: SYSTEM_ACTOR }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      outcomes.push({ account, action: 'rotation-started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      outcomes.push({ account, action: 'reported' });
    }
  }
  if (outcomes.length > 0) await reportSharedRotations({ reviewId, outcomes });
  return outcomes;
}

/**
 * Lists every shared account lent now in the report (`lent`), beside the overdue ones already reported, and answers
 * how many per provider.
 */
export function reportLiveLends(
  reviewId: string,
  outcomes: readonly SharedRotationOutcome[],
): Promise<Partial<Record<ProviderName, number>>> {
  return reportLends({
    reviewId,
    now: new Date().toISOString(),
    except: outcomes.map(({ account }) => account.sharedAccountId),
  });
}

/**
 * The providers' summaries with the overdue shared accounts counted under their providers' findings, and the lent
 * ones (`lent`, counted by provider) when given.
 */
export function withRotations(
  reviews: readonly ProviderReview[],
  outcomes: readonly SharedRotationOutcome[],
  lent: Partial<Record<ProviderName, number>> = {},
): ProviderReview[] {
  const merged = reviews.map((review) => ({ ...review, findings: { ...review.findings } }));
  const count = (provider: ProviderName, finding: ReviewFinding, n: number): void => {
    let review = merged.find((r) => r.provider === provider);
    if (!review) {
      // A provider this worker does not review (not enabled here): its shared accounts still count.
      review = { provider, accounts: 0, findings: {} };
      merged.push(review);
    }
    review.findings[finding] = (review.findings[finding] ?? 0) + n;
  };
  for (const { account } of outcomes) count(account.provider, 'rotation-overdue', 1);
  for (const [provider, n] of Object.entries(lent) as [ProviderName, number][]) count(provider, 'lent', n);
  return merged;
}
