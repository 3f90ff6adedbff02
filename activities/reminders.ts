import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { ProviderName } from '../domain/account.js';
import type { NotificationChannel } from '../domain/channels.js';
import { NotificationError, type Notification, type Notifier } from '../src/notify/index.js';
import { formatLead } from '../workflows/durations.js';
import type { Sponsor } from '../domain/supplier.js';
import type { GrantRecipients, Recipients } from './recipients.js';

/** What a reminder says: the grant's facts as the workflow knows them now. */
export interface ReminderFacts {
  grantId: string;
  provider: ProviderName;
  organisation: string;
  /**
   * The contact the grant was made with. Not used: the recipients are read when the reminder goes out (see
   * `GrantRecipients`); kept because reminders scheduled before that carry it.
   */
  contactEmail?: string | undefined;
  username: string;
  requestedBy: string;
  expiresAt: string;
  leadMs: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What a notification activity needs: the channels, and who to tell about a grant. */
export interface NotificationDeps {
  notifier?: Notifier | undefined;
  /** The web page's address (`PUBLIC_URL`): reminders link to the grant's page there. */
  publicUrl?: string | undefined;
  recipients: GrantRecipients;
  logger: Logger;
}

/**
 * Reminders before an expiry, to the supplier's sponsor and contacts as they stand when the reminder goes out,
 * and to the requester when their name in `API_TOKENS` is an e-mail address; the webhook (a team channel) hears
 * of every reminder.
 */
export function createReminderActivities(deps: NotificationDeps) {
  return {
    /** Sends one reminder through one channel; false when that channel is not configured or has no one to tell. */
    deliverReminder: deliveryActivity(deps, 'reminder', 'reminder', (facts: ReminderFacts, recipients) =>
      reminderMessage(facts, recipients, deps.publicUrl),
    ),
  };
}

/**
 * An activity that sends, through one channel, the message `compose` writes from the facts it is given under
 * `key` and the grant's recipients of the moment; it answers false when the channel is not configured, or
 * (e-mail) nobody has an address. `what` names the message in logs.
 */
export function deliveryActivity<Key extends string, Facts extends { grantId: string }>(
  { notifier, recipients, logger }: NotificationDeps,
  key: Key,
  what: string,
  compose: (facts: Facts, recipients: Recipients) => Notification,
) {
  return async (input: { channel: NotificationChannel } & Record<Key, Facts>): Promise<boolean> => {
    const { channel } = input;
    const facts: Facts = input[key];
    if (!notifier?.channels.includes(channel)) return false;
    const message = compose(facts, await recipients.recipientsOf(facts.grantId));
    return sendNotice(notifier, logger, channel, message, { grantId: facts.grantId }, what);
  };
}

/**
 * Sends one message through a configured channel; false when (e-mail) it has nobody to go to. A failure is
 * logged with `context` and thrown as the activity's failure: retried, unless the channel refused the message.
 * `what` names the message in logs.
 */
export async function sendNotice(
  notifier: Notifier,
  logger: Logger,
  channel: NotificationChannel,
  message: Notification,
  context: Record<string, string>,
  what: string,
): Promise<boolean> {
  if (channel === 'email' && message.to.length === 0) return false;
  try {
    await notifier.send(channel, message);
    return true;
  } catch (err) {
    throw notificationFailure(err, logger, { channel, ...context }, what);
  }
}

/**
 * The e-mail addresses among the sponsor, the supplier contacts, a lent shared account's custodian and the
 * requester (a token name), once each.
 */
export function addressesOf(
  { sponsor, contactEmails, sharedAccount }: Recipients,
  requestedBy?: string,
): string[] {
  const custodian = sharedAccount?.custodian.email ?? '';
  const candidates = [sponsor?.email ?? '', ...contactEmails, custodian, requestedBy ?? ''];
  return [...new Set(candidates.filter((a) => EMAIL.test(a)))];
}

/** `2026-12-20 17:00 UTC`: an instant as people read it in a message. */
export function instantText(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** Who may ask for more time, as the message names them. */
function whoMayExtend(sponsor: Sponsor | undefined): string {
  return sponsor ? `${sponsor.name} (the supplier's sponsor) or the requester` : 'the requester';
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

/**
 * The reminder's words: what closes, when, and how to keep it open. One message for everyone told: the sponsor
 * reads how to ask for more time (the grant's web page when `publicUrl` says where the page is, the CLI command
 * and the API path), the supplier whom to ask.
 */
export function reminderMessage(r: ReminderFacts, recipients: Recipients, publicUrl?: string): Notification {
  const when = instantText(r.expiresAt);
  const { sponsor, sharedAccount } = recipients;
  return {
    subject: `Supplier access for ${r.organisation} ends in ${describeLead(r.leadMs)} (${when})`,
    text: [
      ...(sharedAccount
        ? [
            `The lend of ${sharedAccount.label} (the ${r.provider} account ${r.username}) to ${r.organisation} ends`,
            `at ${when}: its password is rotated then, and the new one waits for ${sharedAccount.custodian.name}.`,
            `Requested by ${r.requestedBy}; lend ${r.grantId}.`,
          ]
        : [
            `The ${r.provider} account ${r.username} of ${r.organisation} will be disabled and its password rotated`,
            `at ${when}. Requested by ${r.requestedBy}; grant ${r.grantId}.`,
          ]),
      ...(sponsor ? [`Sponsor: ${sponsor.name}.`] : []),
      '',
      `If the work is not finished, ${whoMayExtend(sponsor)} can ask for more time before then:`,
      ...(publicUrl ? [`  ${publicUrl.replace(/\/+$/, '')}/grants/${encodeURIComponent(r.grantId)}`] : []),
      `  supplier-access grant extend ${r.grantId} --expires-at <instant> --reason <why>`,
      `  (POST /v1/grants/${r.grantId}/extensions); a second person approves it.`,
      'Nothing to do if the access can end.',
    ].join('\n'),
    to: addressesOf(recipients, r.requestedBy),
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
