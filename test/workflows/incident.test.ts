import { randomUUID } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GrantInput } from '../../domain/grant.js';
import { incidentWorkflowId } from '../../domain/incident.js';
import type { ServiceInput } from '../../domain/service.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import { attestUpdate } from '../../workflows/manual-door-messages.js';
import { claimCredentialUpdate, revokeSignal, revokeUpdate } from '../../workflows/messages.js';
import { openIncident, recordSupplier, startLend, startManualDoor } from '../helpers/incidents.js';
import { canBind, readEntry } from '../helpers/ldap.js';
import { startNotificationSinks, type NotificationSinks } from '../helpers/notification-sinks.js';
import { WorkflowHarness } from '../helpers/workflow-harness.js';

let h: WorkflowHarness;
let sinks: NotificationSinks;

beforeAll(async () => {
  [h, sinks] = await Promise.all([WorkflowHarness.start('incident'), startNotificationSinks()]);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await sinks?.stop();
});

const ADMINS = ['admins@corp.example'];
const withWorker = <T>(body: () => Promise<T>) =>
  h.withWorker(body, {
    notifier: sinks.notifier,
    review: { prefix: 'sup-', disableOrphans: false, reportTo: ADMINS },
  });

/** A grant of the supplier (an account, or its integration's service credential), its password, and its DN. */
async function grantOf(supplier: SupplierRecord, overrides: Partial<GrantInput | ServiceInput> = {}) {
  const started = await h.startGrant(supplier.legalName, 30, { supplierId: supplier.id, ...overrides });
  const dn = (await h.registry.getGrant(started.input.grantId))?.externalId ?? '';
  return { ...started, dn };
}

const doorsOf = (incidentId: string) => h.registry.listIncidentDoors(incidentId);
const webhooksOf = (incidentId: string): string[] =>
  sinks.webhook.requests
    .filter((r) => r.body?.data?.incidentId === incidentId)
    .map((r) => String(r.body.data.notice));

describe('the revoke an incident sends a grant', () => {
  it('is refused unencrypted or naming another grant, and revokes the grant when the service sends it', async () => {
    await withWorker(async () => {
      const supplier = await recordSupplier(h, `Signal Test ${randomUUID().slice(0, 6)} inc.`);
      const { handle, input, password, dn } = await grantOf(supplier);
      // Straight to Temporal, without the service's codec: plain JSON that names the grant.
      const outsider = new Client({ connection: h.env.connection });
      await outsider.workflow
        .getHandle(handle.workflowId)
        .signal(revokeSignal, { grantId: input.grantId, actor: 'mallory', reason: 'let me in' });
      // Encrypted, but for another grant: copied from another grant's history.
      await handle.signal(revokeSignal, { grantId: randomUUID(), actor: 'mallory', reason: 'copied' });
      // An update after both signals: the workflow has handled them by the time it answers.
      const after = await handle.executeUpdate(claimCredentialUpdate, {
        args: [{ grantId: input.grantId, answerBy: new Date(Date.now() + 30_000).toISOString() }],
      });
      expect(after.state.status).toBe('active');
      expect(await canBind(h.slapd.url, dn, password)).toBe(true);

      await handle.signal(revokeSignal, {
        grantId: input.grantId,
        actor: 'ada',
        reason: 'incident 7: breach',
      });
      expect((await handle.result()).status).toBe('revoked');
      expect(await canBind(h.slapd.url, dn, password)).toBe(false);
      const events = await h.registry.listEvents(input.grantId);
      expect(events.filter((e) => e.type === 'revoked')).toMatchObject([
        { actor: 'ada', details: { reason: 'incident 7: breach' } },
      ]);
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['revoked', 'disabled', 'credentials-rotated']),
      );
      expect(events.some((e) => e.actor === 'mallory')).toBe(false);
    });
  });
});

describe('an incident about a supplier', () => {
  it('closes its grant, lend and service credential at once, flags its manual door, and closes when it is attested', async () => {
    await withWorker(async () => {
      const supplier = await recordSupplier(h, `Breached ${randomUUID().slice(0, 6)} inc.`);
      const account = await grantOf(supplier);
      const service = await grantOf(supplier, {
        door: 'service',
        username: `sup-svc-${randomUUID().slice(0, 6)}`,
      });
      const lend = await startLend(h, supplier, 10);
      const manual = await startManualDoor(h, supplier, 'Zapier CRM link');
      const { incident, handle } = await openIncident(h, supplier);
      expect((await doorsOf(incident.id)).map((d) => d.kind).sort()).toEqual([
        'account',
        'lend',
        'manual',
        'service',
      ]);

      // Every grant row closes by itself; the manual door waits for its custodian.
      await vi.waitFor(
        async () => {
          const open = (await doorsOf(incident.id)).filter((d) => !d.closedAt).map((d) => d.kind);
          expect(open).toEqual(['manual']);
        },
        { timeout: 60_000, interval: 200 },
      );
      expect(await canBind(h.slapd.url, account.dn, account.password)).toBe(false);
      expect(await canBind(h.slapd.url, service.dn, service.password)).toBe(false);
      expect(await canBind(h.slapd.url, lend.dn, lend.password)).toBe(false);
      for (const grantId of [account.input.grantId, service.input.grantId, lend.lendId]) {
        const grant = await h.registry.getGrant(grantId);
        expect(grant).toMatchObject({ status: 'revoked' });
        const door = (await doorsOf(incident.id)).find((d) => d.doorId === grantId);
        // When the grant itself closed, not when the incident looked.
        expect(door?.closedAt).toBe(grant?.closedAt);
        const revoked = (await h.registry.listEvents(grantId)).find((e) => e.type === 'revoked');
        expect(revoked).toMatchObject({
          actor: 'ada',
          details: { reason: `incident ${incident.id}: ${incident.reason}` },
        });
      }
      expect((await h.registry.getIncident(incident.id))?.doors).toBe('closing');

      // The custodian is told to close it now; admins heard of the opening by mail and webhook.
      await vi.waitFor(
        () => {
          const custodian = sinks.smtp.messages.filter((m) => m.subject.includes('Zapier CRM link'));
          expect(custodian.map((m) => m.to)).toEqual([['carol@corp.example']]);
          const opened = sinks.smtp.messages.filter(
            (m) => m.text.includes(incident.id) && m.to.includes(ADMINS[0]!),
          );
          expect(opened.map((m) => m.subject)).toEqual([
            `Incident: every door of ${supplier.legalName} is being closed`,
          ]);
          expect(webhooksOf(incident.id)).toEqual(expect.arrayContaining(['opened', 'incident-flagged']));
        },
        { timeout: 30_000, interval: 200 },
      );
      const flags = (await h.registry.listManualDoorEvents(manual.door.id)).filter(
        (e) => e.type === 'incident-flagged',
      );
      expect(flags.map((e) => e.details?.incidentId)).toEqual([incident.id]);

      const attested = await manual.handle.executeUpdate(attestUpdate, {
        args: [{ manualDoorId: manual.door.id, actor: 'carol', note: 'deleted the Zap' }],
      });
      const outcome = await handle.result();
      expect(outcome.doorsClosedAt).toBe(attested.closedAt);
      const entry = await h.registry.getIncident(incident.id);
      expect(entry).toMatchObject({ doors: 'closed', doorsClosedAt: attested.closedAt });
      expect((await doorsOf(incident.id)).every((d) => d.closedAt)).toBe(true);

      const closedMails = sinks.smtp.messages.filter(
        (m) => m.subject === `Incident: every door of ${supplier.legalName} is closed`,
      );
      expect(closedMails.map((m) => m.to)).toEqual([ADMINS]);
      expect(webhooksOf(incident.id)).toEqual(expect.arrayContaining(['doors-closed']));
      const notified = (await h.registry.listIncidentEvents(incident.id)).filter(
        (e) => e.type === 'admins-notified',
      );
      expect(notified.map((e) => e.details?.key).sort()).toEqual([
        'doors-closed-email',
        'doors-closed-webhook',
        'opened-email',
        'opened-webhook',
      ]);
      // Plain words, and never a password.
      for (const m of [...closedMails, ...sinks.smtp.messages.filter((m) => m.text.includes(incident.id))]) {
        for (const secret of [account.password, service.password, lend.password])
          expect(m.text).not.toContain(secret);
      }
    });
  });

  it('closes a door whose grant workflow is gone at its own closing, and picks up a door opened after the block', async () => {
    await withWorker(async () => {
      const supplier = await recordSupplier(h, `Gone ${randomUUID().slice(0, 6)} inc.`);
      const gone = await grantOf(supplier);
      const manual = await startManualDoor(h, supplier, 'Hosting webhook');
      // Read live by the open, then revoked by hand before the incident's workflow could: its workflow is over.
      const { incident, handle } = await openIncident(h, supplier, {
        beforeStart: async () => {
          await gone.handle.executeUpdate(revokeUpdate, {
            args: [{ grantId: gone.input.grantId, actor: 'rita', reason: 'work finished' }],
          });
          await gone.handle.result();
        },
      });
      // A grant that slipped past the block (created in the same instant): the incident's checks pick it up.
      const late = await h.startGrant(
        supplier.legalName,
        30,
        { supplierId: supplier.id, username: `sup-late-${randomUUID().slice(0, 6)}` },
        { claim: false },
      );
      await vi.waitFor(
        async () => {
          const door = (await doorsOf(incident.id)).find((d) => d.doorId === late.input.grantId);
          expect(door).toMatchObject({ kind: 'account', action: 'revoke', closedAt: expect.any(String) });
        },
        { timeout: 60_000, interval: 200 },
      );
      const lateGrant = await h.registry.getGrant(late.input.grantId);
      expect(lateGrant).toMatchObject({ status: 'revoked', closedAt: expect.any(String) });
      // Locked in the directory: nobody claimed its password, so no bind can tell.
      expect((await readEntry(h.slapd, lateGrant?.externalId ?? ''))?.pwdAccountLockedTime).toEqual([
        '000001010000Z',
      ]);
      const revoked = (await h.registry.listEvents(late.input.grantId)).find((e) => e.type === 'revoked');
      expect(revoked?.details?.reason).toBe(`incident ${incident.id}: ${incident.reason}`);

      const goneGrant = await h.registry.getGrant(gone.input.grantId);
      expect(goneGrant?.closedAt).toBeTruthy();
      const goneDoor = (await doorsOf(incident.id)).find((d) => d.doorId === gone.input.grantId);
      expect(goneDoor?.closedAt).toBe(goneGrant?.closedAt);
      // Revoked by rita for her reason: the incident's revoke reached no workflow.
      const goneEvents = await h.registry.listEvents(gone.input.grantId);
      expect(goneEvents.filter((e) => e.type === 'revoked').map((e) => e.actor)).toEqual(['rita']);

      await manual.handle.executeUpdate(attestUpdate, {
        args: [{ manualDoorId: manual.door.id, actor: 'ada' }],
      });
      await handle.result();
      expect((await h.registry.getIncident(incident.id))?.doors).toBe('closed');
    });
  });

  it('keeps looking across runs continued as new, telling nobody twice', async () => {
    await withWorker(async () => {
      const supplier = await recordSupplier(h, `Slow Custodian ${randomUUID().slice(0, 6)} inc.`);
      const manual = await startManualDoor(h, supplier, 'FTP drop box');
      const { incident, handle } = await openIncident(h, supplier);
      // Five minutes of looks, once a second at most: more rounds than one run keeps.
      await h.env.sleep(5 * 60_000);
      const { runId, raw } = await handle.describe();
      expect(runId).not.toBe(raw.workflowExecutionInfo?.firstRunId);

      await manual.handle.executeUpdate(attestUpdate, {
        args: [{ manualDoorId: manual.door.id, actor: 'carol' }],
      });
      await h.env.client.workflow.getHandle(handle.workflowId).result();
      expect(sinks.smtp.messages.filter((m) => m.subject.includes('FTP drop box')).map((m) => m.to)).toEqual([
        ['carol@corp.example'],
      ]);
      const notices = webhooksOf(incident.id).sort();
      expect(notices).toEqual(['doors-closed', 'incident-flagged', 'opened']);
      const flags = await h.registry.listManualDoorEvents(manual.door.id);
      expect(flags.filter((e) => e.type === 'incident-flagged')).toHaveLength(1);
    });
  });

  // Last in the file: once a start was refused this way, the time-skipping server skipped no more time for the
  // tests that came after it here (the continued-as-new one waited in real time).
  it('refuses a start sent without the service key, before any door is touched', async () => {
    await withWorker(async () => {
      const supplier = await recordSupplier(h, `Forged ${randomUUID().slice(0, 6)} inc.`);
      const { handle: grant, input, password, dn } = await grantOf(supplier);
      // The entry is opened, but its workflow is started by someone who reached Temporal without the key.
      const stop = new Error('started elsewhere');
      await expect(openIncident(h, supplier, { beforeStart: () => Promise.reject(stop) })).rejects.toBe(stop);
      const [entry] = (await h.registry.listIncidents({ supplierId: supplier.id, limit: 1 })).incidents;
      const outsider = new Client({ connection: h.env.connection });
      const forged = await outsider.workflow.start('incidentWorkflow', {
        taskQueue: h.taskQueue,
        workflowId: incidentWorkflowId(entry!.id),
        args: [{ incidentId: entry!.id, supplierId: supplier.id, actor: 'mallory', reason: 'forged' }],
      });
      await expect(h.env.client.workflow.getHandle(forged.workflowId).result()).rejects.toBeInstanceOf(
        WorkflowFailedError,
      );
      expect(await canBind(h.slapd.url, dn, password)).toBe(true);
      expect((await h.registry.getGrant(input.grantId))?.status).toBe('active');
      expect((await doorsOf(entry!.id)).every((d) => !d.closedAt)).toBe(true);
      await grant.terminate('test over');
    });
  });
});
