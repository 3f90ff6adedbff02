import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { incidentWorkflowId, type IncidentRecord } from '../../domain/incident.js';
import { manualDoorWorkflowId, type ManualDoorRecord } from '../../domain/manual-door.js';
import { supplierKey } from '../../domain/naming.js';
import { sharedAccountWorkflowId, type LendInput } from '../../domain/shared-account.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import { incidentDoorOf, openDoors } from '../../src/registry/open-doors.js';
import type { incidentWorkflow } from '../../workflows/incident.js';
import type { IncidentInput } from '../../workflows/incident-messages.js';
import type { lendWorkflow } from '../../workflows/lend.js';
import type { manualDoorWorkflow } from '../../workflows/manual-door.js';
import { claimCredentialUpdate } from '../../workflows/messages.js';
import { inDays, token } from './kit.js';
import { DAY, type WorkflowHarness } from './workflow-harness.js';

/** Records a supplier, as `POST /v1/suppliers` would. */
export async function recordSupplier(h: WorkflowHarness, legalName: string): Promise<SupplierRecord> {
  const now = new Date(await h.env.currentTimeMs()).toISOString();
  return h.registry.insertSupplier({
    id: randomUUID(),
    legalName,
    key: supplierKey(legalName),
    contactEmails: [],
    sponsor: { name: 'sam' },
    createdBy: 'rita',
    createdAt: now,
    updatedAt: now,
  });
}

/** Records a manual door of the supplier and starts its workflow, as `POST /v1/manual-doors` would. */
export async function startManualDoor(
  h: WorkflowHarness,
  supplier: SupplierRecord,
  what: string,
): Promise<{ door: ManualDoorRecord; handle: WorkflowHandle<typeof manualDoorWorkflow> }> {
  const now = await h.env.currentTimeMs();
  const door: ManualDoorRecord = {
    id: randomUUID(),
    supplierId: supplier.id,
    what,
    where: 'zapier.com, team workspace',
    custodian: { name: 'carol', email: 'carol@corp.example' },
    until: new Date(now + 30 * DAY).toISOString(),
    reason: 'lead import',
    requestedBy: 'rita',
    createdAt: new Date(now).toISOString(),
    status: 'open',
  };
  await h.registry.insertManualDoor(door);
  const handle = await h.env.client.workflow.start<typeof manualDoorWorkflow>('manualDoorWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: manualDoorWorkflowId(door.id),
    args: [{ door, reminderLeadsMs: [] }],
  });
  return { door, handle };
}

/**
 * Opens an incident about the supplier as `POST /v1/suppliers/{id}/incident` does: its live doors read now, the
 * entry, block and doors written at once, then (after `beforeStart`) the incident's workflow started, checking
 * every 200 ms to 1 s.
 */
export async function openIncident(
  h: WorkflowHarness,
  supplier: SupplierRecord,
  {
    reason = 'Supplier reports ransomware on its laptops',
    beforeStart,
  }: { reason?: string; beforeStart?: () => Promise<void> } = {},
): Promise<{ incident: IncidentRecord; handle: WorkflowHandle<typeof incidentWorkflow> }> {
  const now = new Date(await h.env.currentTimeMs()).toISOString();
  const live = await openDoors({ registry: h.registry }, { activeAt: now, supplierId: supplier.id });
  const id = randomUUID();
  const doors = live.suppliers.flatMap((s) => s.doors).map((door) => incidentDoorOf(id, door, now));
  const opened = await h.registry.openIncident(
    {
      id,
      supplierId: supplier.id,
      supplierName: supplier.legalName,
      reason,
      discoveredAt: now,
      doors: 'closing',
      createdBy: 'ada',
      createdAt: now,
      updatedAt: now,
      revision: 0,
    },
    doors,
  );
  if (!('incident' in opened)) throw new Error(`supplier already blocked by ${opened.blockedBy}`);
  const input: IncidentInput = {
    incidentId: id,
    supplierId: supplier.id,
    actor: 'ada',
    reason,
    checkIntervalMs: 200,
    maxCheckIntervalMs: 1_000,
  };
  await beforeStart?.();
  const handle = await h.env.client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: incidentWorkflowId(id),
    args: [input],
  });
  return { incident: opened.incident, handle };
}

/**
 * Lends the supplier an account of our own staff (registered as a shared account, custodian carol) for `days`, as
 * `POST /v1/shared-accounts/{id}/lends` would; answers the lend's id, the account's DN and the lent password.
 */
export async function startLend(
  h: WorkflowHarness,
  supplier: SupplierRecord,
  days: number,
): Promise<{ lendId: string; dn: string; password: string }> {
  const now = await h.env.currentTimeMs();
  const custodian = { name: 'carol', email: 'carol@corp.example' };
  const { account } = await h.ldap.createAccount({
    username: `site-admin-${token(6)}`,
    organisation: 'Our own firm',
    displayName: 'Website admin',
    grantId: randomUUID(),
    // By the wall clock, which slapd reads: the time-skipping server's clock may run ahead.
    expiresAt: inDays(400),
    groups: [],
  });
  const sharedAccountId = randomUUID();
  await h.registry.insertSharedAccount({
    id: sharedAccountId,
    provider: 'ldap',
    account,
    label: 'Website admin',
    custodian,
    createdBy: 'ada',
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
  });
  const input: LendInput = {
    door: 'lend',
    grantId: randomUUID(),
    provider: 'ldap',
    supplier: { organisation: supplier.legalName, contactEmail: 'ops@supplier.example' },
    supplierId: supplier.id,
    username: account.username,
    displayName: account.displayName,
    expiresAt: new Date(now + days * DAY).toISOString(),
    reason: 'site migration',
    groups: [],
    requestedBy: 'rita',
    createdAt: new Date(now).toISOString(),
    maxGrantDays: 90,
    sharedAccountId,
    account,
    custodian,
  };
  const handle = await h.env.client.workflow.start<typeof lendWorkflow>('lendWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: sharedAccountWorkflowId(sharedAccountId),
    args: [input],
  });
  const claimed = await handle.executeUpdate(claimCredentialUpdate, {
    args: [{ grantId: input.grantId, answerBy: new Date(now + 30_000).toISOString() }],
  });
  if (!claimed.credential) throw new Error(`the lend handed out no password: ${claimed.state.status}`);
  return { lendId: input.grantId, dn: account.externalId, password: claimed.credential.password };
}
