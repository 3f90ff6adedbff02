import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantRecipients, Recipients } from '../../activities/recipients.js';
import { shortenUpdate } from '../../workflows/messages.js';
import { startNotificationSinks, type NotificationSinks } from '../helpers/notification-sinks.js';
import { DAY, WorkflowHarness } from '../helpers/workflow-harness.js';

/**
 * Reminders after a shortening, on a time-skipping server of their own: each grant run to its end skips the
 * server's clock years ahead, and a file's later grants would otherwise get expiries past what slapd can hold.
 */
let h: WorkflowHarness;
let sinks: NotificationSinks;

const recipients: GrantRecipients = {
  recipientsOf: async (): Promise<Recipients> => ({
    sponsor: { name: 'Sam Sponsor', email: 'sam@client.example' },
    contactEmails: ['desk@supplier.example'],
  }),
};

beforeAll(async () => {
  [h, sinks] = await Promise.all([WorkflowHarness.start('shorten-reminders'), startNotificationSinks()]);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await sinks?.stop();
});

describe('reminders of a shortened grant, on the time-skipping server', () => {
  it('reminds for the new expiry, not the old one', async () => {
    await h.withWorker(
      async () => {
        const { handle, input } = await h.startGrant('Reminded Shorter', 30, {
          reminderLeadsMs: [14 * DAY, 7 * DAY, 1 * DAY],
        });
        const newExpiry = new Date((await h.env.currentTimeMs()) + 10 * DAY).toISOString();
        await handle.executeUpdate(shortenUpdate, {
          args: [{ grantId: input.grantId, expiresAt: newExpiry, reason: 'contract ends', actor: 'ada' }],
        });
        await handle.result();
        const reminders = (await h.registry.listEvents(input.grantId)).filter(
          (e) => e.type === 'reminder-sent',
        );
        // The 14-day reminder of the new expiry was already past when it was set.
        expect(reminders.map((e) => [e.details?.lead, e.details?.expiresAt])).toEqual([
          ['7d', newExpiry],
          ['1d', newExpiry],
        ]);
      },
      { notifier: sinks.notifier, recipients },
    );
  });
});
