import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { reviewWorkflow } from '../workflows/review.js';

/** One schedule per namespace and task queue: registering again updates it, never adds a second one. */
export function reviewScheduleId(taskQueue: string): string {
  return `supplier-access-review-${taskQueue}`;
}

/**
 * Registers the access review's Temporal Schedule (every `REVIEW_INTERVAL`), or brings the existing one up to
 * date. Safe to run from every API process at every start. Overlapping runs are skipped: a review still going
 * when the next is due simply finishes.
 */
export async function ensureReviewSchedule(
  client: Client,
  { taskQueue, intervalMs }: { taskQueue: string; intervalMs: number },
  logger: Logger,
): Promise<string> {
  const scheduleId = reviewScheduleId(taskQueue);
  const spec = { intervals: [{ every: intervalMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reviewWorkflow',
    workflowId: `review-scheduled-${taskQueue}`,
    taskQueue,
    args: [{ trigger: 'schedule' }] as Parameters<typeof reviewWorkflow>,
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10m' },
    });
    logger.info({ scheduleId, intervalMs }, 'access review scheduled');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    logger.info({ scheduleId, intervalMs }, 'access review schedule brought up to date');
  }
  return scheduleId;
}
