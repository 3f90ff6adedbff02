import { fileURLToPath } from 'node:url';
import { WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { sharedAccountWorkflowId, type SharedAccountRecord } from '../../domain/shared-account.js';
import { FAILURE_CONVERTER_PATH } from '../../src/codec.js';
import { createLogger } from '../../src/logger.js';
import type { ReviewOutcome, reviewWorkflow } from '../../workflows/review.js';
import { createdEvent } from '../registry/grants.js';
import { DAY, keepHistory, WorkflowHarness } from '../helpers/workflow-harness.js';
import { testWorkerDataConverter } from '../helpers/temporal.js';

let h: WorkflowHarness;
let bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
let queues = 0;

beforeAll(async () => {
  [h, bundle] = await Promise.all([
    WorkflowHarness.start('review-rotation'),
    bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./rotation-stand-in.ts', import.meta.url)),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

/** Runs a review on a worker that has the service's workflows and a stand-in `rotationWorkflow`. */
async function review(): Promise<{ outcome: ReviewOutcome; taskQueue: string }> {
  const taskQueue = `review-${++queues}`;
  const worker = await Worker.create({
    connection: h.env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    dataConverter: testWorkerDataConverter(),
    activities: createActivities({
      providers: new Map([['ldap', h.ldap]]),
      registry: h.registry,
      logger: createLogger('silent'),
    }),
  });
  return worker.runUntil(async () => {
    const handle = await h.env.client.workflow.start<typeof reviewWorkflow>('reviewWorkflow', {
      taskQueue,
      workflowId: `review-${crypto.randomUUID()}`,
      args: [{ trigger: 'schedule' }],
    });
    const outcome = await handle.result();
    // `review-before-shared-accounts.json` was recorded the same way by the review as it was before it rotated.
    await keepHistory('review-shared-rotation', handle);
    return { outcome, taskQueue };
  });
}

let made = 0;

/** A shared account on LDAP registered `ageDays` ago, rotated every `intervalDays`. */
async function sharedAccount(ageDays: number, intervalDays?: number): Promise<SharedAccountRecord> {
  const n = ++made;
  const createdAt = new Date((await h.env.currentTimeMs()) - ageDays * DAY).toISOString();
  return h.registry.insertSharedAccount({
    id: crypto.randomUUID(),
    provider: 'ldap',
    account: {
      username: `shared-admin-${n}`,
      externalId: `uid=shared-admin-${n},${h.slapd.usersDN}`,
      displayName: `Shared admin ${n}`,
    },
    label: 'Website admin',
    custodian: { name: 'carol' },
    rotationIntervalDays: intervalDays,
    createdBy: 'alice',
    createdAt,
    updatedAt: createdAt,
  });
}

/** A live lend of the shared account, as its lend workflow leaves it in the registry. */
async function lendOf(shared: SharedAccountRecord): Promise<string> {
  const now = await h.env.currentTimeMs();
  const id = crypto.randomUUID();
  const grant = {
    id,
    workflowId: sharedAccountWorkflowId(shared.id),
    provider: shared.provider,
    organisation: 'Acme Web Agency',
    username: shared.account.username,
    externalId: shared.account.externalId,
    displayName: shared.account.displayName,
    status: 'provisioning' as const,
    expiresAt: new Date(now + 5 * DAY).toISOString(),
    reason: 'site migration',
    groups: [],
    requestedBy: 'rita',
    createdAt: new Date(now - DAY).toISOString(),
    door: 'lend' as const,
    sharedAccountId: shared.id,
  };
  await h.registry.insertGrant(grant, createdEvent(grant));
  await h.registry.recordEvent({
    grantId: id,
    seq: 2,
    type: 'provisioned',
    at: grant.createdAt,
    actor: 'supplier-access',
    patch: { status: 'active' },
  });
  return id;
}

describe('the review and shared accounts past their rotation interval', () => {
  it('starts the rotation of each overdue shared account not lent, and reports every overdue one', async () => {
    const idle = await sharedAccount(40, 30);
    const lent = await sharedAccount(40, 30);
    const lendId = await lendOf(lent);
    const busy = await sharedAccount(40, 30);
    const fresh = await sharedAccount(10, 30);
    const never = await sharedAccount(400);
    // Something already runs under the busy account's workflow id (a lend just starting, a manual rotation).
    const holder = await h.env.client.workflow.start('rotationWorkflow', {
      taskQueue: 'nobody-polls-this',
      workflowId: sharedAccountWorkflowId(busy.id),
      args: [{ sharedAccountId: busy.id, hold: true }],
    });

    const { outcome } = await review();

    const report = await h.registry.getReview(outcome.reviewId);
    const rows = new Map(report?.accounts.map((a) => [a.username, a]));
    expect(rows.get(idle.account.username)).toMatchObject({
      provider: 'ldap',
      externalId: idle.account.externalId,
      finding: 'rotation-overdue',
      action: 'rotation-started',
    });
    expect(rows.get(lent.account.username)).toMatchObject({
      finding: 'rotation-overdue',
      action: 'reported',
      grantId: lendId,
      grantStatus: 'active',
    });
    expect(rows.get(busy.account.username)).toMatchObject({
      finding: 'rotation-overdue',
      action: 'reported',
    });
    expect(rows.has(fresh.account.username)).toBe(false);
    expect(rows.has(never.account.username)).toBe(false);
    expect(outcome.providers.find((p) => p.provider === 'ldap')?.findings['rotation-overdue']).toBe(3);
    expect(outcome.noteworthy).toBeGreaterThanOrEqual(3);

    // The idle account's rotation ran under its own workflow id, scheduled, by the service.
    const rotation = h.env.client.workflow.getHandle(sharedAccountWorkflowId(idle.id));
    expect((await rotation.describe()).type).toBe('rotationWorkflow');
    expect(await rotation.result()).toEqual({
      sharedAccountId: idle.id,
      reason: 'scheduled',
      actor: 'supplier-access',
    });
    // Nothing was started for the lent account: the lend's end rotates it.
    await expect(
      h.env.client.workflow.getHandle(sharedAccountWorkflowId(lent.id)).describe(),
    ).rejects.toThrow(WorkflowNotFoundError);
    // The workflow holding the busy account was left alone.
    expect((await holder.describe()).status.name).toBe('RUNNING');
    await holder.terminate('test over');
  });

  it('lists every lent shared account with its lend, overdue or not, and a lend alone is nothing to worry about', async () => {
    const lent = await sharedAccount(5, 30);
    const lendId = await lendOf(lent);
    const idle = await sharedAccount(5);

    const { outcome } = await review();

    const report = await h.registry.getReview(outcome.reviewId);
    const rows = new Map(report?.accounts.map((a) => [a.username, a]));
    expect(rows.get(lent.account.username)).toMatchObject({
      provider: 'ldap',
      externalId: lent.account.externalId,
      finding: 'lent',
      action: 'none',
      grantId: lendId,
      grantStatus: 'active',
    });
    expect(rows.has(idle.account.username)).toBe(false);
    const ldap = outcome.providers.find((p) => p.provider === 'ldap');
    expect(ldap?.findings.lent).toBeGreaterThanOrEqual(1);
  });
});
