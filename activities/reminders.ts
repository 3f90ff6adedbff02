import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { ProviderName } from '../domain/account.js';
import type { NotificationChannel } from '../domain/channels.js';
import { NotificationError, type Notification, type Notifier } from '../src/notify/index.js';
import { formatLead } from '../workflows/durations.js';

/** What a reminder says: the grant's facts as the workflow knows them now. */
export interface ReminderFacts {
  grantId: string;
  provider: ProviderName;
  organisation: string;
  contactEmail?: string | undefined;
  username: string;
  requestedBy: string;
  expiresAt: string;
  leadMs: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reminders before an expiry. The requester is e-mailed when their name in `API_TOKENS` is an e-mail address,
 * the supplier contact when the grant has one; the webhook (a team channel) hears of every reminder.
 */
export function createReminderActivities({ notifier, logger }: { notifier?: Notifier; logger: Logger }) {
  return {
    /** Sends one reminder through one channel; false when that channel is not configured or has no one to tell. */
    async deliverReminder({
      channel,
      reminder,
    }: {
      channel: NotificationChannel;
      reminder: ReminderFacts;
    }): Promise<boolean> {
      if (!notifier?.channels.includes(channel)) return false;
      const message = reminderMessage(reminder);
      if (channel === 'email' && message.to.length === 0) return false;
      try {
        await notifier.send(channel, message);
        return true;
      } catch (err) {
        throw notificationFailure(err, logger, { channel, grantId: reminder.grantId }, 'reminder');
      }
    },
  };
}

/**
 * A channel's failure as Temporal should see it: a permanent refusal (an address the mail server rejects, a
 * webhook answering 4xx) is not retried; anything else is, with the activity's backoff.
 */
export function notificationFailure(
  err: unknown,
  logger: Logger,
  context: Record<string, string>,
  what: string,
): ApplicationFailure {
  const message = err instanceof Error ? err.message : String(err);
  logger.warn({ ...context, err: message }, `${what} not delivered; retrying`);
  if (err instanceof NotificationError && !err.retryable) {
    return ApplicationFailure.nonRetryable(message, 'NotificationRefused');
  }
  return ApplicationFailure.retryable(message, 'NotificationFailed');
}

/** The reminder's words: what closes, when, and how to keep it open. */
export function reminderMessage(r: ReminderFacts): Notification {
  const when = `${r.expiresAt.slice(0, 16).replace('T', ' ')} UTC`;
  const to = [...new Set([r.requestedBy, r.contactEmail ?? ''].filter((a) => EMAIL.test(a)))];
  return {
    subject: `Supplier access for ${r.organisation} ends in ${describeLead(r.leadMs)} (${when})`,
    text: [
      `The ${r.provider} account ${r.username} of ${r.organisation} will be disabled and its password rotated`,
      `at ${when}. Requested by ${r.requestedBy}; grant ${r.grantId}.`,
      '',
      'If the work is not finished, the requester can ask for more time before then:',
      `  supplier-access grant extend ${r.grantId} --expires-at <instant> --reason <why>`,
      `  (POST /v1/grants/${r.grantId}/extensions); a second person approves it.`,
      'Nothing to do if the access can end.',
    ].join('\n'),
    to,
    data: {
      grantId: r.grantId,
      provider: r.provider,
      organisation: r.organisation,
      username: r.username,
      expiresAt: r.expiresAt,
      lead: formatLead(r.leadMs),
    },
  };
}

function describeLead(ms: number): string {
  const days = ms / 86_400_000;
  if (Number.isInteger(days)) return days === 1 ? '1 day' : `${days} days`;
  const hours = Math.round(ms / 3_600_000);
  return hours === 1 ? '1 hour' : `${hours} hours`;
}
