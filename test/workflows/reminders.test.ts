import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createLdapProvider } from '../../providers/ldap/index.js';
import type { IdentityProvider } from '../../providers/types.js';
import { startLocalSlapd, type LocalSlapd } from '../../src/local-stack/slapd.js';
import { createLogger } from '../../src/logger.js';
import { createNotifier, type Notifier } from '../../src/notify/index.js';
import { openRegistry } from '../../src/registry/store.js';
import type { GrantEvent, RegistryStore } from '../../src/registry/types.js';
import type { grantWorkflow } from '../../workflows/grant.js';
import {
  approveExtensionUpdate,
  claimCredentialUpdate,
  requestExtensionUpdate,
  revokeUpdate,
  type GrantInput,
} from '../../workflows/messages.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { bundleWorkflows, testDataConverter, timeSkippingEnvironment } from '../helpers/temporal.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';

const DAY = 86_400_000;
const dataConverter = testDataConverter();
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let slapd: LocalSlapd;
let ldap: IdentityProvider;
let registry: RegistryStore;
let smtp: SmtpSink;
let webhook: WebhookSink;
let notifier: Notifier;
let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reminders-'));
  [env, bundle, slapd, smtp, webhook] = await Promise.all([
    timeSkippingEnvironment(dataConverter),
    bundleWorkflows(),
    startLocalSlapd({ dataDir: join(dir, 'ldap') }),
    startSmtpSink(),
    startWebhookSink(),
  ]);
  ldap = createLdapProvider({ ...slapd, dialect: 'openldap' });
  registry = await openRegistry({ dataDir: dir });
  notifier = createNotifier(
    { smtpUrl: smtp.url, smtpFrom: 'supplier-access@example.test', webhookUrl: webhook.url },
    createLogger('silent'),
  );
}, 120_000);

afterAll(async () => {
  await notifier?.close();
  await ldap?.close();
  await registry?.close();
  await env?.teardown();
  await Promise.all([slapd?.stop(), smtp?.stop(), webhook?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function withWorker<T>(body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `reminders-${++counter}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    dataConverter,
    activities: createActivities({
      providers: new Map([['ldap', ldap]]),
      registry,
      logger: createLogger('silent'),
      notifier,
    }),
  });
  return worker.runUntil(body(taskQueue));
}

async function startGrant(taskQueue: string, organisation: string, days: number) {
  const now = await env.currentTimeMs();
  const username = `sup-${organisation.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const input: GrantInput = {
    grantId: crypto.randomUUID(),
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'contact@supplier.example' },
    username,
    displayName: `${organisation} (supplier)`,
    expiresAt: new Date(now + days * DAY).toISOString(),
    reason: 'reminder test',
    groups: [],
    requestedBy: 'rita@client.example',
    createdAt: new Date(now).toISOString(),
    maxGrantDays: 90,
    reminderLeadsMs: [7 * DAY, 1 * DAY],
  };
  const handle = await env.client.workflow.start<typeof grantWorkflow>('grantWorkflow', {
    taskQueue,
    workflowId: `grant-ldap-${username}`,
    args: [input],
  });
  await handle.executeUpdate(claimCredentialUpdate, {
    args: [{ answerBy: new Date(now + 30_000).toISOString() }],
  });
  return { handle, input };
}

/** With RECORD_HISTORIES=1, keeps the history for the replay test (see test/workflows/replay.test.ts). */
async function keepHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  writeFileSync(
    join(import.meta.dirname, 'histories', `${name}.json`),
    historyToJSON(await handle.fetchHistory()),
  );
}

const reminders = async (grantId: string): Promise<GrantEvent[]> =>
  (await registry.listEvents(grantId)).filter((e) => e.type.startsWith('reminder-'));

describe('reminders before the expiry, on the time-skipping server', () => {
  it('reminds the requester and the supplier contact 7 days and 1 day before, by e-mail and webhook', async () => {
    await withWorker(async (taskQueue) => {
      const { handle, input } = await startGrant(taskQueue, 'Reminded Plumbing', 10);
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

  it('moves the reminders with an approved extension, and skips those already past', async () => {
    await withWorker(async (taskQueue) => {
      const { handle, input } = await startGrant(taskQueue, 'Extended Reminders', 10);
      await env.sleep(4 * DAY); // past the 7-day reminder of the first expiry
      const now = await env.currentTimeMs();
      const newExpiry = new Date(now + 20 * DAY).toISOString();
      await handle.executeUpdate(requestExtensionUpdate, {
        args: [{ expiresAt: newExpiry, reason: 'parts late', actor: 'rita@client.example' }],
      });
      await handle.executeUpdate(approveExtensionUpdate, { args: [{ actor: 'alice' }] });
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
    await withWorker(async (taskQueue) => {
      const { handle, input } = await startGrant(taskQueue, 'Revoked Early', 30);
      await handle.executeUpdate(revokeUpdate, { args: [{ actor: 'ada', reason: 'done' }] });
      await handle.result();
      await env.sleep(40 * DAY);
      expect(await reminders(input.grantId)).toEqual([]);
    });
  });

  it('never delays the expiry when the mail server keeps failing', async () => {
    smtp.setFailure(451);
    try {
      await withWorker(async (taskQueue) => {
        const { handle, input } = await startGrant(taskQueue, 'Mail Down Inc', 3);
        const final = await handle.result();
        expect(final.status).toBe('expired');
        const expired = (await registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
        expect(Math.abs(Date.parse(expired!.at) - Date.parse(input.expiresAt))).toBeLessThan(1000);
        expect((await ldap.findAccount(input.username))?.enabled).toBe(false);
        // The webhook still took the reminder; the e-mail was given up on with the grant's closing.
        const sent = await reminders(input.grantId);
        expect(sent.map((e) => [e.type, e.details?.channels])).toEqual([['reminder-sent', 'webhook']]);
      });
    } finally {
      smtp.setFailure(undefined);
    }
  });
});
