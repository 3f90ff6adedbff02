import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notifier } from '../../src/notify/index.js';
import type { GrantEvent } from '../../domain/events.js';
import { approveExtensionUpdate, requestExtensionUpdate, revokeUpdate } from '../../workflows/messages.js';
import type { GrantRecipients } from '../../activities/recipients.js';
import { startNotificationSinks, type NotificationSinks } from '../helpers/notification-sinks.js';
import type { SmtpSink } from '../helpers/smtp-sink.js';
import type { WebhookSink } from '../helpers/webhook-sink.js';
import { DAY, keepHistory, requestedAt, WorkflowHarness } from '../helpers/workflow-harness.js';

let h: WorkflowHarness;
let smtp: SmtpSink;
let webhook: WebhookSink;
let notifier: Notifier;
let sinks: NotificationSinks;

beforeAll(async () => {
  [h, sinks] = await Promise.all([WorkflowHarness.start('reminders'), startNotificationSinks()]);
  ({ smtp, webhook, notifier } = sinks);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await sinks?.stop();
});

const withWorker = <T>(body: () => Promise<T>) => h.withWorker(body, { notifier });

/** A grant whose requester is named by e-mail address, with the default reminders (7 days and 1 day). */
const startGrant = (organisation: string, days: number) =>
  h.startGrant(organisation, days, {
    supplier: { organisation, contactEmail: 'contact@supplier.example' },
    requestedBy: 'rita@client.example',
    reminderLeadsMs: [7 * DAY, 1 * DAY],
  });

const reminders = async (grantId: string): Promise<GrantEvent[]> =>
  (await h.registry.listEvents(grantId)).filter((e) => e.type.startsWith('reminder-'));

describe('reminders before the expiry, on the time-skipping server', () => {
  it('reminds the requester and the supplier contact 7 days and 1 day before, by e-mail and webhook', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Reminded Plumbing', 10);
      const mailsBefore = smtp.messages.length;
      const final = await handle.result();
      expect(final.status).toBe('expired');

      const sent = await reminders(input.grantId);
      expect(sent.map((e) => [e.type, e.details?.lead, e.details?.channels])).toEqual([
        ['reminder-sent', '7d', 'email,webhook'],
        ['reminder-sent', '1d', 'email,webhook'],
      ]);
      // Each went out 7 and 1 days before the expiry, by the workflow's clock.
      const deadline = Date.parse(input.expiresAt);
      expect(Math.abs(deadline - 7 * DAY - Date.parse(sent[0]!.at))).toBeLessThan(60_000);
      expect(Math.abs(deadline - DAY - Date.parse(sent[1]!.at))).toBeLessThan(60_000);

      const mails = smtp.messages.slice(mailsBefore);
      expect(mails).toHaveLength(2);
      expect(mails[0]?.to.sort()).toEqual(['contact@supplier.example', 'rita@client.example']);
      expect(mails[0]?.subject).toContain('Reminded Plumbing ends in 7 days');
      expect(mails[1]?.subject).toContain('ends in 1 day');
      expect(mails[0]?.text).toContain(`supplier-access grant extend ${input.grantId}`);
      const posted = webhook.requests.filter((r) => r.body?.data?.grantId === input.grantId);
      expect(posted.map((r) => String(r.body.data.lead))).toEqual(['7d', '1d']);
      expect(posted[0]?.body.text).toContain('Reminded Plumbing');
    });
  });

  it('reminds the sponsor and the supplier contacts 14, 7 and 1 days before, as they stand when each goes out', async () => {
    let sponsor = { name: 'Sam Sponsor', email: 'sam@client.example' };
    const recipients: GrantRecipients = {
      recipientsOf: async () => ({
        sponsor,
        contactEmails: ['desk@supplier.example', 'night@supplier.example'],
      }),
    };
    await h.withWorker(
      async () => {
        const organisation = 'Sponsored Works';
        const { handle, input } = await h.startGrant(organisation, 20, {
          supplier: { organisation, contactEmail: 'former@supplier.example' },
          requestedBy: 'rita',
          reminderLeadsMs: [14 * DAY, 7 * DAY, 1 * DAY],
        });
        const mailsBefore = smtp.messages.length;
        await h.env.sleep(8 * DAY); // past the 14-day reminder; then the supplier gets a new sponsor
        sponsor = { name: 'Pat Successor', email: 'pat@client.example' };
        await handle.result();

        const mails = smtp.messages.slice(mailsBefore).filter((m) => m.subject.includes(organisation));
        expect(mails.map((m) => m.subject.match(/ends in ([^(]+)/)?.[1]?.trim())).toEqual([
          '14 days',
          '7 days',
          '1 day',
        ]);
        expect(mails.map((m) => [...m.to].sort())).toEqual([
          ['desk@supplier.example', 'night@supplier.example', 'sam@client.example'],
          ['desk@supplier.example', 'night@supplier.example', 'pat@client.example'],
          ['desk@supplier.example', 'night@supplier.example', 'pat@client.example'],
        ]);
        for (const [i, mail] of mails.entries()) {
          expect(mail.text).toContain(i === 0 ? 'Sam Sponsor' : 'Pat Successor');
          // How the sponsor asks for more time: the CLI command and the API path.
          expect(mail.text).toContain(`supplier-access grant extend ${input.grantId}`);
          expect(mail.text).toContain(`POST /v1/grants/${input.grantId}/extensions`);
        }
      },
      { notifier, recipients },
    );
  });

  it('moves the reminders with an approved extension, and skips those already past', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Extended Reminders', 10);
      await h.env.sleep(4 * DAY); // past the 7-day reminder of the first expiry
      const now = await h.env.currentTimeMs();
      const newExpiry = new Date(now + 20 * DAY).toISOString();
      const asked = await handle.executeUpdate(requestExtensionUpdate, {
        args: [
          {
            grantId: input.grantId,
            expiresAt: newExpiry,
            reason: 'parts late',
            actor: 'rita@client.example',
          },
        ],
      });
      await handle.executeUpdate(approveExtensionUpdate, {
        args: [{ grantId: input.grantId, actor: 'alice', requestedAt: requestedAt(asked) }],
      });
      await handle.result();

      await keepHistory('reminded-and-extended', handle);
      const sent = await reminders(input.grantId);
      expect(sent.map((e) => [e.details?.lead, e.details?.expiresAt])).toEqual([
        ['7d', input.expiresAt],
        ['7d', newExpiry],
        ['1d', newExpiry],
      ]);
    });
  });

  it('sends nothing more once the grant is revoked', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Revoked Early', 30);
      await handle.executeUpdate(revokeUpdate, {
        args: [{ grantId: input.grantId, actor: 'ada', reason: 'done' }],
      });
      await handle.result();
      await h.env.sleep(40 * DAY);
      expect(await reminders(input.grantId)).toEqual([]);
    });
  });

  it('never delays the expiry when the mail server keeps failing', async () => {
    smtp.setFailure(451);
    try {
      await withWorker(async () => {
        const { handle, input } = await startGrant('Mail Down Inc', 3);
        const final = await handle.result();
        expect(final.status).toBe('expired');
        const expired = (await h.registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
        expect(Math.abs(Date.parse(expired!.at) - Date.parse(input.expiresAt))).toBeLessThan(1000);
        expect((await h.ldap.findAccount(input.username))?.enabled).toBe(false);
        // The webhook still took the reminder; the e-mail was given up on with the grant's closing.
        const sent = await reminders(input.grantId);
        expect(sent.map((e) => [e.type, e.details?.channels])).toEqual([['reminder-sent', 'webhook']]);
      });
    } finally {
      smtp.setFailure(undefined);
    }
  });
});
