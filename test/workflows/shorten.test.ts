import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantRecipients, Recipients } from '../../activities/recipients.js';
import type { GrantInput } from '../../domain/grant.js';
import type { IdentityProvider } from '../../providers/types.js';
import type { grantWorkflow } from '../../workflows/grant.js';
import type { Notifier } from '../../src/notify/index.js';
import {
  approveExtensionUpdate,
  requestExtensionUpdate,
  shortenUpdate,
  stateQuery,
  type ShortenRequest,
} from '../../workflows/messages.js';
import { readEntry } from '../helpers/ldap.js';
import { startNotificationSinks, type NotificationSinks } from '../helpers/notification-sinks.js';
import type { SmtpSink } from '../helpers/smtp-sink.js';
import type { WebhookSink } from '../helpers/webhook-sink.js';
import { DAY, keepHistory, requestedAt, WorkflowHarness } from '../helpers/workflow-harness.js';

let h: WorkflowHarness;
let smtp: SmtpSink;
let webhook: WebhookSink;
let notifier: Notifier;
let sinks: NotificationSinks;

/** The supplier's sponsor and contacts, as a supplier registry would give them. */
const recipients: GrantRecipients = {
  recipientsOf: async (): Promise<Recipients> => ({
    sponsor: { name: 'Sam Sponsor', email: 'sam@client.example' },
    contactEmails: ['desk@supplier.example'],
  }),
};

beforeAll(async () => {
  [h, sinks] = await Promise.all([WorkflowHarness.start('shorten'), startNotificationSinks()]);
  ({ smtp, webhook, notifier } = sinks);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await sinks?.stop();
});

const withWorker = <T>(body: () => Promise<T>) => h.withWorker(body, { notifier, recipients });
const inDaysOf = async (days: number) => new Date((await h.env.currentTimeMs()) + days * DAY).toISOString();
const shorten = (request: ShortenRequest) => ({ args: [request] as [ShortenRequest] });

/** `20261203123000Z`: how slapd holds an instant in `pwdEndTime`. */
const generalized = (iso: string) => `${iso.slice(0, 19).replace(/[-:T]/g, '')}Z`;

describe('shortening a live grant, on the time-skipping server', () => {
  it('moves the timer and the directory expiry earlier, records it, and tells the sponsor and the contact', async () => {
    await withWorker(async () => {
      const { handle, input } = await h.startGrant('Shortened Works', 30);
      const mailsBefore = smtp.messages.length;
      const newExpiry = await inDaysOf(10);
      const state = await handle.executeUpdate(
        shortenUpdate,
        shorten({ grantId: input.grantId, expiresAt: newExpiry, reason: 'contract ends', actor: 'ada' }),
      );
      expect(state).toMatchObject({ status: 'active', expiresAt: newExpiry });
      // The directory holds the new expiry by the time the update answers.
      expect((await readEntry(h.slapd, h.dnOf(input)))?.pwdEndTime).toEqual([generalized(newExpiry)]);

      const final = await handle.result();
      expect(final.status).toBe('expired');
      const events = await h.registry.listEvents(input.grantId);
      const shortened = events.find((e) => e.type === 'expiry-shortened');
      expect(shortened?.actor).toBe('ada');
      expect(shortened?.details).toEqual({
        from: input.expiresAt,
        expiresAt: newExpiry,
        reason: 'contract ends',
      });
      const expired = events.find((e) => e.type === 'expired');
      expect(Math.abs(Date.parse(expired!.at) - Date.parse(newExpiry))).toBeLessThan(1000);
      expect((await h.ldap.findAccount(input.username))?.enabled).toBe(false);
      expect((await h.registry.getGrant(input.grantId))?.expiresAt).toBe(newExpiry);

      const notice = smtp.messages.slice(mailsBefore).find((m) => m.subject.includes('ends earlier'));
      expect(notice?.to.sort()).toEqual(['desk@supplier.example', 'sam@client.example']);
      expect(notice?.text).toContain(input.expiresAt.slice(0, 10));
      expect(notice?.text).toContain(newExpiry.slice(0, 10));
      expect(notice?.text).toContain('contract ends');
      const posted = webhook.requests.find(
        (r) => r.body?.data?.grantId === input.grantId && r.body?.data?.from === input.expiresAt,
      );
      expect(posted?.body.data.expiresAt).toBe(newExpiry);
      await keepHistory('shortened', handle);
    });
  });

  it('refuses an expiry later than the current one, and changes nothing', async () => {
    await withWorker(async () => {
      const { handle, input } = await h.startGrant('Not Longer Ltd', 10);
      const attempt = handle.executeUpdate(
        shortenUpdate,
        shorten({ grantId: input.grantId, expiresAt: await inDaysOf(20), reason: 'x', actor: 'ada' }),
      );
      await expect(attempt).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = await attempt.catch((err: WorkflowUpdateFailedError) => err.cause);
      expect(cause).toMatchObject({ type: 'Invalid' });
      expect((cause as Error).message).toContain('later than the current expiry');
      expect((await handle.query(stateQuery)).expiresAt).toBe(input.expiresAt);
      expect(await h.eventTypes(input.grantId)).toEqual(['created', 'provisioned']);
      await handle.terminate('test over');
    });
  });

  it('closes the account at once for an expiry now or in the past, answering once it is closed', async () => {
    await withWorker(async () => {
      const { handle, input } = await h.startGrant('Ends Now Inc', 30);
      const state = await handle.executeUpdate(
        shortenUpdate,
        shorten({ grantId: input.grantId, expiresAt: await inDaysOf(-3), reason: 'breach', actor: 'ada' }),
      );
      expect(state.status).toBe('expired');
      expect((await h.ldap.findAccount(input.username))?.enabled).toBe(false);
      expect((await handle.result()).status).toBe('expired');
      const types = await h.eventTypes(input.grantId);
      expect(types).toEqual([
        'created',
        'provisioned',
        'expiry-shortened',
        'expired',
        'disabled',
        'credentials-rotated',
      ]);
    });
  });

  it('drops a pending extension beyond the new expiry, which can then no longer be approved', async () => {
    await withWorker(async () => {
      const { handle, input } = await h.startGrant('Pending Extension Co', 30);
      const asked = await handle.executeUpdate(requestExtensionUpdate, {
        args: [{ grantId: input.grantId, expiresAt: await inDaysOf(60), reason: 'late', actor: 'rita' }],
      });
      const newExpiry = await inDaysOf(5);
      const state = await handle.executeUpdate(
        shortenUpdate,
        shorten({ grantId: input.grantId, expiresAt: newExpiry, reason: 'contract ends', actor: 'ada' }),
      );
      expect(state.status).toBe('active');
      expect(state.pendingExtension).toBeUndefined();
      const approval = handle.executeUpdate(approveExtensionUpdate, {
        args: [{ grantId: input.grantId, actor: 'alice', requestedAt: requestedAt(asked) }],
      });
      await expect(approval).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

      const shortened = (await h.registry.listEvents(input.grantId)).find(
        (e) => e.type === 'expiry-shortened',
      );
      expect(shortened?.details?.droppedExtension).toBe(asked.pendingExtension?.expiresAt);
      const recorded = await h.registry.getGrant(input.grantId);
      expect(recorded).toMatchObject({ status: 'active', expiresAt: newExpiry });
      expect(recorded?.pendingExtension).toBeUndefined();
      expect((await handle.result()).status).toBe('expired');
    });
  });

  it('wins over an approval under way: the approval is refused and the directory keeps the shorter expiry', async () => {
    let entered: () => void = () => {};
    const approvalWriting = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let extended = '';
    // The directory holds the approval's write until the shortening is through, as a slow one would.
    const slow: IdentityProvider = {
      ...h.ldap,
      close: () => Promise.resolve(),
      async setExpiry(account, expiresAt) {
        if (expiresAt === extended) {
          entered();
          await released;
        }
        return h.ldap.setExpiry(account, expiresAt);
      },
    };
    await h.withWorker(
      async () => {
        const { handle, input } = await h.startGrant('Overtaken Approval', 30);
        extended = await inDaysOf(60);
        const asked = await handle.executeUpdate(requestExtensionUpdate, {
          args: [{ grantId: input.grantId, expiresAt: extended, reason: 'late', actor: 'rita' }],
        });
        const approval = handle.executeUpdate(approveExtensionUpdate, {
          args: [{ grantId: input.grantId, actor: 'alice', requestedAt: requestedAt(asked) }],
        });
        const refused = approval.catch((err: unknown) => err);
        await approvalWriting;
        const newExpiry = await inDaysOf(10);
        await handle.executeUpdate(
          shortenUpdate,
          shorten({ grantId: input.grantId, expiresAt: newExpiry, reason: 'contract ends', actor: 'ada' }),
        );
        release();
        const err = await refused;
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'Conflict' });
        expect((await readEntry(h.slapd, h.dnOf(input)))?.pwdEndTime).toEqual([generalized(newExpiry)]);
        expect((await handle.query(stateQuery)).expiresAt).toBe(newExpiry);
        expect((await handle.result()).status).toBe('expired');
        expect(await h.eventTypes(input.grantId)).not.toContain('extension-approved');
        const expired = (await h.registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
        expect(Math.abs(Date.parse(expired!.at) - Date.parse(newExpiry))).toBeLessThan(1000);
      },
      { provider: slow, notifier, recipients },
    );
  });

  it('shortens a grant still provisioning once its account exists', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow: IdentityProvider = {
      ...h.ldap,
      close: () => Promise.resolve(),
      async createAccount(spec) {
        await released;
        return h.ldap.createAccount(spec);
      },
    };
    await h.withWorker(
      async () => {
        const now = await h.env.currentTimeMs();
        const organisation = 'Slow Directory Works';
        const input: GrantInput = {
          grantId: crypto.randomUUID(),
          provider: 'ldap',
          supplier: { organisation },
          username: 'sup-slow-directory-works',
          displayName: `${organisation} (supplier)`,
          expiresAt: new Date(now + 30 * DAY).toISOString(),
          reason: 'maintenance',
          groups: [],
          requestedBy: 'rita',
          createdAt: new Date(now).toISOString(),
          maxGrantDays: 90,
        };
        const handle = await h.env.client.workflow.start<typeof grantWorkflow>('grantWorkflow', {
          taskQueue: h.taskQueue,
          workflowId: `grant-ldap-${input.username}`,
          args: [input],
        });
        const newExpiry = await inDaysOf(10);
        const answer = handle.executeUpdate(
          shortenUpdate,
          shorten({ grantId: input.grantId, expiresAt: newExpiry, reason: 'contract ends', actor: 'ada' }),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        release();
        expect(await answer).toMatchObject({ status: 'active', expiresAt: newExpiry });
        expect((await readEntry(h.slapd, h.dnOf(input)))?.pwdEndTime).toEqual([generalized(newExpiry)]);
        expect(await h.eventTypes(input.grantId)).toEqual(['created', 'provisioned', 'expiry-shortened']);
        await handle.terminate('test over');
      },
      { provider: slow },
    );
  });
});
