import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NOTIFICATION_CHANNELS } from '../domain/channels.js';
import type { GrantInput } from '../domain/grant.js';
import { formatLead } from './durations.js';

/**
 * How a reminder or a notice goes out. It is a courtesy: it retries for a while (a mail server restarting, a
 * webhook hiccup), then gives up and is recorded as failed. It runs beside the grant's main loop, so it never
 * delays deprovisioning.
 */
export const NOTIFICATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '6h',
  retry: {
    initialInterval: '10s',
    backoffCoefficient: 2,
    maximumInterval: '15m',
    maximumAttempts: 12,
    nonRetryableErrorTypes: ['NotificationRefused'],
  },
};
const { deliverReminder } = proxyActivities<Activities>(NOTIFICATION_OPTIONS);

export interface DueReminder {
  /** When it is due (epoch ms, workflow time). */
  at: number;
  leadMs: number;
}

/** What the grant records once a reminder went out, or could not. */
export type ReminderOutcome =
  | { type: 'reminder-sent'; details: Record<string, string> }
  | { type: 'reminder-failed'; details: Record<string, string> };

/**
 * The reminders of one grant: `REMINDER_LEAD` before the current expiry, each sent once per expiry. A reminder
 * whose instant had already passed when the expiry was set (a short grant, a late extension) is skipped, so an
 * approval never sets off a burst of stale reminders. Their timers and deliveries run in a scope of their own,
 * beside the expiry timer, that closing the grant cancels.
 */
export class Reminders {
  private readonly sent = new Set<string>();
  private readonly scope = new CancellationScope({ cancellable: true });
  private expirySetAt: number;

  constructor(
    private readonly input: GrantInput,
    private readonly record: (outcome: ReminderOutcome) => Promise<void>,
  ) {
    this.expirySetAt = Date.parse(input.createdAt);
  }

  /** The expiry moved (an approved extension, a shortening): reminders are counted from now for the new expiry. */
  expiryMoved(): void {
    this.expirySetAt = Date.now();
  }

  /**
   * Sends each reminder of the current expiry (`expiresAt()`) when it is due, until `stop()`. An expiry that
   * moves (an approved extension) drops the wait for the old one's reminders and plans the new one's.
   */
  start(expiresAt: () => string): void {
    void this.scope
      .run(async () => {
        for (;;) {
          const deadline = expiresAt();
          const moved = () => expiresAt() !== deadline;
          const reminder = this.next(deadline);
          if (!reminder) await condition(moved);
          else if (reminder.at <= Date.now() || !(await condition(moved, reminder.at - Date.now())))
            this.send(deadline, reminder);
        }
      })
      .catch(ignoreCancellation);
  }

  /** The next reminder for this expiry that is still to be sent, if any. */
  next(expiresAt: string): DueReminder | undefined {
    const deadline = Date.parse(expiresAt);
    const due = (this.input.reminderLeadsMs ?? [])
      .map((leadMs) => ({ at: deadline - leadMs, leadMs }))
      .filter((r) => r.at >= this.expirySetAt && r.at < deadline)
      .filter((r) => !this.sent.has(`${expiresAt}|${r.leadMs}`))
      .sort((a, b) => a.at - b.at);
    return due[0];
  }

  /** Starts delivering a reminder in the background; the grant's main loop goes on at once. */
  send(expiresAt: string, reminder: DueReminder): void {
    this.sent.add(`${expiresAt}|${reminder.leadMs}`);
    const { input } = this;
    const facts = {
      grantId: input.grantId,
      provider: input.provider,
      organisation: input.supplier.organisation,
      contactEmail: input.supplier.contactEmail,
      username: input.username,
      requestedBy: input.requestedBy,
      expiresAt,
      leadMs: reminder.leadMs,
    };
    const details = { expiresAt, lead: formatLead(reminder.leadMs) };
    void this.scope
      .run(async () => {
        const results = await Promise.allSettled(
          NOTIFICATION_CHANNELS.map((channel) => deliverReminder({ channel, reminder: facts })),
        );
        const delivered = results.flatMap((r, i) =>
          r.status === 'fulfilled' && r.value ? [NOTIFICATION_CHANNELS[i]] : [],
        );
        const failed = results.flatMap((r) => (r.status === 'rejected' ? [reasonOf(r.reason)] : []));
        if (results.some((r) => r.status === 'rejected' && isCancellation(r.reason))) return;
        if (delivered.length > 0) {
          await this.record({
            type: 'reminder-sent',
            details: { ...details, channels: delivered.join(',') },
          });
        } else if (failed.length > 0) {
          await this.record({ type: 'reminder-failed', details: { ...details, error: failed.join('; ') } });
        }
      })
      .catch(ignoreCancellation);
  }

  /** The grant is closing: deliveries still retrying are abandoned. */
  stop(): void {
    this.scope.cancel();
  }
}

/** Cancelled because the grant closed: nothing left to remind anyone of. */
function ignoreCancellation(err: unknown): void {
  if (!isCancellation(err)) throw err;
}

function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
