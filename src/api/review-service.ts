import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ReviewOutcome, reviewWorkflow } from '../../workflows/review.js';
import { answerWithin } from './answer-within.js';
import type { Actor } from '../../domain/actor.js';

export interface ReviewServiceOptions {
  client: Client;
  taskQueue: string;
  /** How long `POST /v1/reviews` waits for the review before answering 202. */
  answerWithinMs?: number;
}

/** Starts access reviews on demand; the schedule starts the others. */
export class ReviewService {
  constructor(private readonly options: ReviewServiceOptions) {}

  /** Starts a review and waits for it; `finished` false when it outlasted the answer window (it goes on). */
  async run(actor: Actor): Promise<{ reviewId: string; finished: boolean; outcome?: ReviewOutcome }> {
    const reviewId = randomUUID();
    const handle = await this.options.client.workflow.start<typeof reviewWorkflow>('reviewWorkflow', {
      workflowId: `review-${reviewId}`,
      taskQueue: this.options.taskQueue,
      args: [{ trigger: actor.name, reviewId }],
    });
    const outcome = await answerWithin(handle.result(), this.options.answerWithinMs ?? 30_000);
    return outcome ? { reviewId, finished: true, outcome } : { reviewId, finished: false };
  }
}
