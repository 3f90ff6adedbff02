import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ManualDoorNotice } from '../activities/manual-doors.js';
import { NOTIFICATION_CHANNELS } from '../domain/channels.js';
import type { ManualDoorRecord } from '../domain/manual-door.js';
import { requireAuthentic, UNAUTHENTIC } from './authentic.js';
import { formatLead } from './durations.js';
import {
  attestUpdate,
  manualDoorStateQuery,
  type AttestRequest,
  type ManualDoorInput,
  type ManualDoorState,
} from './manual-door-messages.js';
import { NOTIFICATION_OPTIONS } from './reminders.js';

// Registry writes retry until the registry answers: a door's record and its attestation must not be lost.
const { recordManualDoor, markManualDoorOverdue, closeManualDoor, recordManualDoorNotice } =
  proxyActivities<Activities>({
    startToCloseTimeout: '1m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });
// Reminders and escalations are a courtesy like a grant's reminders: they retry for a while, then give up.
const { deliverManualDoorNotice } = proxyActivities<Activities>(NOTIFICATION_OPTIONS);

const DAY_MS = 86_400_000;

/**
 * One manual door: a door no API of ours can close, so a person must. Its custodian is reminded before `until`;
 * at `until` the door turns `overdue` and admins are told, again every day while nobody attests it closed. An
 * attestation (`attest`, by the custodian or an admin) closes it at any time and ends the workflow.
 */
export async function manualDoorWorkflow(input: ManualDoorInput): Promise<ManualDoorState> {
  // A start sent straight to Temporal without the key ends here, before anything is recorded.
  requireAuthentic(input);
  const { door } = input;
  const state: ManualDoorState = { status: 'open' };
  const pending: Promise<void>[] = [];
  const closed = () => state.status === 'closed';
  // Set as an attestation starts, before its registry write: a second one arriving meanwhile is refused, not run.
  let attestedBy: string | undefined;

  setHandler(manualDoorStateQuery, () => state);
  setHandler(attestUpdate, (request) => attest(request), {
    validator: (request: AttestRequest) => {
      requireAuthentic(request);
      if (request.manualDoorId !== door.id) refuse(UNAUTHENTIC, 'the attestation is meant for another door');
      if (attestedBy !== undefined)
        refuse('Conflict', `the door was already attested closed by ${attestedBy}`);
    },
  });

  async function attest({ actor, note }: AttestRequest): Promise<ManualDoorRecord> {
    attestedBy = actor;
    const at = new Date().toISOString();
    const record = await closeManualDoor({ manualDoorId: door.id, actor, at, note });
    state.status = 'closed';
    state.closedAt = record?.closedAt ?? at;
    state.closedBy = record?.closedBy ?? actor;
    return record ?? { ...door, status: 'closed', closedAt: at, closedBy: actor, note };
  }

  function notify(notice: ManualDoorNotice, details: Record<string, string>): void {
    pending.push(
      (async () => {
        const results = await Promise.allSettled(
          NOTIFICATION_CHANNELS.map((channel) => deliverManualDoorNotice({ channel, notice })),
        );
        const delivered = results.flatMap((r, i) =>
          r.status === 'fulfilled' && r.value ? [NOTIFICATION_CHANNELS[i]] : [],
        );
        if (delivered.length === 0) return;
        await recordManualDoorNotice({
          manualDoorId: door.id,
          type: notice.kind === 'reminder' ? 'reminder-sent' : 'escalated',
          key: notice.key,
          at: new Date().toISOString(),
          details: { ...details, channels: delivered.join(',') },
        });
      })(),
    );
  }

  await recordManualDoor(door);
  const until = Date.parse(door.until);
  // Reminders whose instant passed before the door was recorded (a short door) are skipped, not sent in a burst.
  const leads = [...new Set(input.reminderLeadsMs)]
    .filter((lead) => lead > 0 && until - lead >= Date.parse(door.createdAt))
    .sort((a, b) => b - a);
  for (const lead of leads) {
    if (await condition(closed, Math.max(until - lead - Date.now(), 1))) break;
    const key = formatLead(lead);
    notify({ manualDoorId: door.id, kind: 'reminder', key }, { dueAt: door.until, lead: key });
  }
  if (!closed() && !(await condition(closed, Math.max(until - Date.now(), 1)))) {
    state.status = 'overdue';
    await markManualDoorOverdue(door.id);
    const interval = input.escalationIntervalMs ?? DAY_MS;
    for (let day = 1; !closed(); day++) {
      notify({ manualDoorId: door.id, kind: 'escalation', key: `day-${day}` }, { overdueSince: door.until });
      await condition(closed, interval);
    }
  }
  await condition(closed);
  // Deliveries still retrying would be dropped by the workflow's end.
  await Promise.all(pending);
  await condition(allHandlersFinished);
  return state;
}

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}
