import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ShorteningFacts } from '../activities/notices.js';
import type { CustodianFacts } from '../activities/custodian-notice.js';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../domain/channels.js';
import { NOTIFICATION_OPTIONS } from './reminders.js';

// A notice retries like a reminder (a mail server restarting), then gives up: it never holds the grant up.
const { deliverShorteningNotice, deliverCustodianNotice } = proxyActivities<Activities>(NOTIFICATION_OPTIONS);

/**
 * Notices a grant sends when something changes at once (a shortened expiry; a new password that waits for a
 * shared account's custodian). Unlike reminders they are not
 * cancelled when the grant closes: a grant shortened to "now" closes at once, and its sponsor must still hear
 * why. The workflow waits for them before it ends, since activities still pending when it ends are dropped.
 */
export class Notices {
  private readonly pending: Promise<void>[] = [];

  /** Tells the sponsor and the supplier contacts, through every channel, that the grant now ends earlier. */
  shortened(notice: ShorteningFacts): void {
    this.deliver((channel) => deliverShorteningNotice({ channel, notice }));
  }

  /** Tells a shared account's custodian, through every channel, that a new password waits for their claim. */
  custodianCredentialWaits(notice: CustodianFacts): void {
    this.deliver((channel) => deliverCustodianNotice({ channel, notice }));
  }

  private deliver(send: (channel: NotificationChannel) => Promise<boolean>): void {
    const deliveries = NOTIFICATION_CHANNELS.map((channel) =>
      send(channel).then(
        () => undefined,
        (err: unknown) => {
          // The activity logged why; a channel that gave up costs that channel's notice only.
          if (!(err instanceof ActivityFailure)) throw err;
        },
      ),
    );
    this.pending.push(Promise.all(deliveries).then(() => undefined));
  }

  /** Resolves once every notice sent so far was delivered or given up on. */
  async delivered(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }
}
