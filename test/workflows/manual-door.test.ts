import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualDoorRecord } from '../../domain/manual-door.js';
import { supplierKey } from '../../domain/naming.js';
import { manualDoorWorkflowId } from '../../domain/manual-door.js';
import type { manualDoorWorkflow } from '../../workflows/manual-door.js';
import { attestUpdate, manualDoorStateQuery } from '../../workflows/manual-door-messages.js';
import { startNotificationSinks, type NotificationSinks } from '../helpers/notification-sinks.js';
import { DAY, WorkflowHarness } from '../helpers/workflow-harness.js';

let h: WorkflowHarness;
let sinks: NotificationSinks;

beforeAll(async () => {
  [h, sinks] = await Promise.all([WorkflowHarness.start('manual-door'), startNotificationSinks()]);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await sinks?.stop();
});

const review = { prefix: 'sup-', disableOrphans: false, reportTo: ['admins@corp.example'] };
const withWorker = <T>(body: () => Promise<T>) => h.withWorker(body, { notifier: sinks.notifier, review });

/** Records a supplier and starts the workflow of a door of `days`, reminded 7 days and 1 day before. */
async function startDoor(
  what: string,
  days: number,
): Promise<{
  door: ManualDoorRecord;
  handle: WorkflowHandle<typeof manualDoorWorkflow>;
}> {
  const now = await h.env.currentTimeMs();
  const legalName = `${what} Supplier`;
  const supplier = await h.registry.insertSupplier({
    id: randomUUID(),
    legalName,
    key: supplierKey(legalName),
    contactEmails: [],
    sponsor: { name: 'sam' },
    createdBy: 'rita',
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
  });
  const door: ManualDoorRecord = {
    id: randomUUID(),
    supplierId: supplier.id,
    what,
    where: 'zapier.com, team workspace',
    custodian: { name: 'carol', email: 'carol@corp.example' },
    until: new Date(now + days * DAY).toISOString(),
    reason: 'lead import',
    requestedBy: 'rita',
    createdAt: new Date(now).toISOString(),
    status: 'open',
  };
  const handle = await h.env.client.workflow.start<typeof manualDoorWorkflow>('manualDoorWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: manualDoorWorkflowId(door.id),
    args: [{ door, reminderLeadsMs: [7 * DAY, DAY] }],
  });
  return { door, handle };
}

const trail = async (id: string) => (await h.registry.listManualDoorEvents(id)).map((e) => [e.type, e.actor]);
const mailsAbout = (what: string) => sinks.smtp.messages.filter((m) => m.subject.includes(what));

describe('a manual door on the time-skipping server', () => {
  it('reminds its custodian 7 days and 1 day before, escalates to admins daily once overdue, and closes when attested', async () => {
    await withWorker(async () => {
      const { door, handle } = await startDoor('Zapier CRM link', 10);
      // Skip to two days past `until`: two reminders, then an escalation at `until` and one a day later.
      await h.env.sleep(12 * DAY - 60_000);
      expect(await handle.query(manualDoorStateQuery)).toEqual({ status: 'overdue' });
      expect((await h.registry.getManualDoor(door.id))?.status).toBe('overdue');

      const reminders = mailsAbout('Zapier CRM link').filter((m) => m.subject.startsWith('Close by'));
      expect(reminders.map((m) => m.to)).toEqual([['carol@corp.example'], ['carol@corp.example']]);
      expect(reminders[0]?.text).toContain(`supplier-access manual attest ${door.id}`);
      const escalations = mailsAbout('Zapier CRM link').filter((m) => m.subject.startsWith('Overdue'));
      expect(escalations.length).toBeGreaterThanOrEqual(2);
      expect(escalations[0]?.to).toEqual(['admins@corp.example']);
      const hooks = sinks.webhook.requests.filter((r) => r.body?.data?.manualDoorId === door.id);
      expect(hooks.map((r) => String(r.body.data.notice))).toContain('escalation');

      const closed = await handle.executeUpdate(attestUpdate, {
        args: [{ manualDoorId: door.id, actor: 'carol', note: 'deleted the Zap' }],
      });
      expect(closed).toMatchObject({ status: 'closed', closedBy: 'carol', note: 'deleted the Zap' });
      expect((await handle.result()).status).toBe('closed');

      const events = await h.registry.listManualDoorEvents(door.id);
      expect(events.filter((e) => e.type === 'reminder-sent').map((e) => e.details?.lead)).toEqual([
        '7d',
        '1d',
      ]);
      const escalated = events.filter((e) => e.type === 'escalated');
      expect(escalated.length).toBeGreaterThanOrEqual(2);
      // At `until`, then a day later, by the workflow's clock.
      expect(Math.abs(Date.parse(escalated[0]!.at) - Date.parse(door.until))).toBeLessThan(60_000);
      expect(Math.abs(Date.parse(escalated[1]!.at) - Date.parse(door.until) - DAY)).toBeLessThan(60_000);
      expect(events.at(-1)).toMatchObject({
        type: 'attested-closed',
        actor: 'carol',
        details: { note: 'deleted the Zap' },
      });
    });
  });

  it('closes at once when attested before `until`: no reminder, no escalation, and the workflow ends', async () => {
    await withWorker(async () => {
      const { door, handle } = await startDoor('Hosting webhook', 10);
      await h.env.sleep(DAY);
      await handle.executeUpdate(attestUpdate, { args: [{ manualDoorId: door.id, actor: 'admin' }] });
      expect((await handle.result()).status).toBe('closed');
      expect(await trail(door.id)).toEqual([
        ['created', 'rita'],
        ['attested-closed', 'admin'],
      ]);
      expect(mailsAbout('Hosting webhook')).toEqual([]);
      expect((await h.registry.getManualDoor(door.id))?.closedBy).toBe('admin');
    });
  });

  it('refuses an attestation meant for another door', async () => {
    await withWorker(async () => {
      const { handle } = await startDoor('SaaS password', 3);
      await expect(
        handle.executeUpdate(attestUpdate, { args: [{ manualDoorId: randomUUID(), actor: 'mallory' }] }),
      ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/another door/) } });
      expect((await handle.query(manualDoorStateQuery)).status).toBe('open');
      await handle.terminate('test over');
    });
  });
});
