import type { IncidentDoor, IncidentRecord } from '../domain/incident.js';
import type { ManualDoorRecord } from '../domain/manual-door.js';
import type { Notification } from '../src/notify/index.js';
import { addressesOf, instantText } from './reminders.js';

/**
 * A notice of the incident's workflow: to admins when it opens and once its last door is closed, or to the
 * custodian of a manual door the incident flagged.
 */
export type IncidentNotice =
  | { incidentId: string; kind: 'opened' | 'doors-closed' }
  | { incidentId: string; kind: 'flagged'; manualDoorId: string };

/** How each kind of door is closed, as admins read it. */
const ACTION_TEXT: Record<IncidentDoor['action'], string> = {
  revoke: 'account disabled and its password rotated',
  'end-lend': "lend ended, the shared account's password rotated for its custodian",
  'remove-credential': 'service credential removed',
  flag: 'manual door: its custodian must close it by hand and attest it',
};

function doorLine(door: IncidentDoor): string {
  const where = door.provider ? `${door.provider} ` : '';
  const state = door.closedAt ? `closed ${instantText(door.closedAt)}` : 'still open';
  return `- ${door.kind} ${where}${door.name}: ${ACTION_TEXT[door.action]}; ${state}`;
}

/** The admins' notice: the incident opened (its doors are being closed), or its last door closed. */
export function adminsMessage(
  kind: 'opened' | 'doors-closed',
  incident: IncidentRecord,
  doors: readonly IncidentDoor[],
  { admins }: { admins: string[] },
): Notification {
  const supplier = incident.supplierName ?? incident.supplierId ?? 'no supplier';
  const closed = doors.filter((d) => d.closedAt).length;
  const opened = kind === 'opened';
  return {
    subject: opened
      ? `Incident: every door of ${supplier} is being closed`
      : `Incident: every door of ${supplier} is closed`,
    text: [
      opened
        ? `${incident.createdBy} opened incident ${incident.id} about ${supplier}: its ${doors.length} door(s) are being closed now, and it is blocked until an admin lifts the block.`
        : `The last door of ${supplier} under incident ${incident.id} closed at ${instantText(incident.doorsClosedAt ?? '')}.`,
      `Why: ${incident.reason}`,
      `Discovered: ${instantText(incident.discoveredAt)}`,
      `Doors closed: ${closed} of ${doors.length}`,
      ...doors.map(doorLine),
      '',
      'Complete the register entry (Law 25) as the facts come in:',
      `  GET /v1/incidents/${incident.id}`,
      `  PATCH /v1/incidents/${incident.id}`,
    ].join('\n'),
    to: addressesOf({ contactEmails: admins }),
    data: {
      incidentId: incident.id,
      notice: kind,
      supplierId: incident.supplierId,
      supplier,
      doors: doors.length,
      closed,
      ...(incident.doorsClosedAt ? { doorsClosedAt: incident.doorsClosedAt } : {}),
    },
  };
}

/** The custodian's notice: the door's supplier is under an incident, close the door now and attest it. */
export function custodianMessage(incident: IncidentRecord, door: ManualDoorRecord): Notification {
  const supplier = incident.supplierName ?? door.supplierId;
  return {
    subject: `Close now: ${door.what} (${supplier} incident)`,
    text: [
      `${supplier} is under incident ${incident.id}: every door it holds is being closed now.`,
      `${door.custodian.name}, you are the custodian of a door no API can close: close it by hand now.`,
      `What: ${door.what}`,
      `Where: ${door.where}`,
      `Why: ${incident.reason}`,
      '',
      'Once it is closed, attest it, with a note on how:',
      `  supplier-access manual attest ${door.id} --note <how>`,
      `  (POST /v1/manual-doors/${door.id}/attest)`,
    ].join('\n'),
    to: addressesOf({ contactEmails: door.custodian.email ? [door.custodian.email] : [] }),
    data: {
      incidentId: incident.id,
      notice: 'incident-flagged',
      manualDoorId: door.id,
      supplierId: door.supplierId,
      what: door.what,
      custodian: door.custodian.name,
    },
  };
}
