import {
  ActivityFailure,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { GrantToRevoke, IncidentNotice } from '../activities/incidents.js';
import { NOTIFICATION_CHANNELS } from '../domain/channels.js';
import { requireAuthentic } from './authentic.js';
import type { IncidentInput } from './incident-messages.js';
import { revokeSignal } from './messages.js';
import { NOTIFICATION_OPTIONS } from './reminders.js';

// Registry reads and writes retry until the registry answers: a door's closing must not go unrecorded.
const { incidentDoorsToClose, checkIncidentDoors } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});
// Notices are a courtesy: they retry for a while, then give up, and never hold the closing back.
const { deliverIncidentNotice } = proxyActivities<Activities>(NOTIFICATION_OPTIONS);

const FIRST_CHECK_MS = 1_000;
const MAX_CHECK_MS = 60_000;
/** Rounds of checking per run: a directory down for days would otherwise grow one history without end. */
const ROUNDS_PER_RUN = 200;

/** How the incident's doors ended up. */
export interface IncidentOutcome {
  incidentId: string;
  /** When the last door closed. */
  doorsClosedAt: string;
}

/**
 * Closes every door of a breached supplier at once: each live grant, lend and service credential is revoked
 * through its own workflow (which retries its directory until it answers, so a directory that is down holds up only
 * its own doors), each manual door is flagged for its custodian; then the doors are checked, more and more slowly,
 * until the registry says every one is closed. Admins hear when it opens and when the last door closed.
 */
export async function incidentWorkflow(input: IncidentInput): Promise<IncidentOutcome> {
  // A start sent straight to Temporal without the key ends here, before anything is revoked or sent.
  requireAuthentic(input);
  const { incidentId, supplierId } = input;
  // Each look at the doors is made at the workflow's now (see `IncidentRef.at`).
  const ref = () => ({ incidentId, supplierId, at: new Date().toISOString() });
  const notices: Promise<void>[] = [];
  let undelivered = 0;
  const notify = (notice: IncidentNotice) => {
    undelivered++;
    notices.push(deliver(notice).finally(() => undelivered--));
  };

  // A run continued as new does all of this again: every step is idempotent, and a notice recorded as sent is not
  // sent again (see `deliverIncidentNotice`).
  const first = await incidentDoorsToClose(ref());
  await revokeAll(first.grants, input);
  notify({ incidentId, kind: 'opened' });
  for (const manualDoorId of first.flagged) notify({ incidentId, kind: 'flagged', manualDoorId });

  let interval = input.checkIntervalMs ?? FIRST_CHECK_MS;
  const maxInterval = input.maxCheckIntervalMs ?? MAX_CHECK_MS;
  for (let round = 1; ; round++) {
    const check = await checkIncidentDoors(ref());
    await revokeAll(check.grants, input);
    for (const manualDoorId of check.flagged) notify({ incidentId, kind: 'flagged', manualDoorId });
    if (check.doorsClosedAt !== undefined) {
      notify({ incidentId, kind: 'doors-closed' });
      // Deliveries still retrying would be dropped by the workflow's end.
      await Promise.all(notices);
      return { incidentId, doorsClosedAt: check.doorsClosedAt };
    }
    // Notices still retrying would be dropped by continuing as new: the checks go on until they are settled.
    if (round >= ROUNDS_PER_RUN && undelivered === 0) {
      return continueAsNew<typeof incidentWorkflow>({ ...input, checkIntervalMs: interval });
    }
    await sleep(interval);
    // While doors keep closing the pace holds, so the register hears of each soon; it slows down only when a look
    // found nothing new (a directory down), up to the longest interval.
    if (check.closed === 0) interval = Math.min(interval * 2, maxInterval);
  }
}

/**
 * Sends each grant's workflow the incident's revoke, all at once. A workflow that is gone (its grant ended a moment
 * ago) is not an error: the next check reads from the registry how and when its door closed.
 */
async function revokeAll(grants: readonly GrantToRevoke[], input: IncidentInput): Promise<void> {
  const reason = `incident ${input.incidentId}: ${input.reason}`;
  await Promise.all(
    grants.map(async ({ grantId, workflowId }) => {
      try {
        await getExternalWorkflowHandle(workflowId).signal(revokeSignal, {
          grantId,
          actor: input.actor,
          reason,
        });
      } catch (err) {
        log.info('the grant workflow took no revoke; the registry says how its door closed', {
          grantId,
          workflowId,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }),
  );
}

/** One notice through every channel, each retried on its own; a channel that gave up costs that notice only. */
async function deliver(notice: IncidentNotice): Promise<void> {
  await Promise.all(
    NOTIFICATION_CHANNELS.map((channel) =>
      deliverIncidentNotice({ channel, notice }).then(
        () => undefined,
        (err: unknown) => {
          if (!(err instanceof ActivityFailure)) throw err;
        },
      ),
    ),
  );
}
