/**
 * Manual doors: a way into a supplier's reach that no API of ours can close (a Zapier connection, a webhook at a
 * hosting provider, a password in someone else's SaaS). The registry records what and where it is, whose it is and
 * until when; a custodian closes it by hand and attests it. Types only, plain data that crosses Temporal;
 * deterministic: the workflow bundle loads this file.
 */
import type { Custodian } from './shared-account.js';

/**
 * `open` until its `until`; `overdue` once `until` has passed with nobody attesting it closed (escalated to admins,
 * again every day); `closed` once a person attested it closed. A closed door is never reopened.
 */
export const MANUAL_DOOR_STATUSES = ['open', 'overdue', 'closed'] as const;

export type ManualDoorStatus = (typeof MANUAL_DOOR_STATUSES)[number];

/** One manual door as the registry keeps it, for good: closed doors are never deleted. */
export interface ManualDoorRecord {
  id: string;
  /** The supplier the door lets in (`SupplierRecord.id`). */
  supplierId: string;
  /** What the door is, in the requester's words ("Zapier connection to the CRM"). */
  what: string;
  /** Where it lives: the system or the place to go to close it ("zapier.com, team workspace"). */
  where: string;
  /** The internal person who closes it and is reminded to. */
  custodian: Custodian;
  /** When the door must be closed by. */
  until: string;
  reason: string;
  requestedBy: string;
  createdAt: string;
  status: ManualDoorStatus;
  /** When a person attested it closed; absent while it is open or overdue. */
  closedAt?: string | undefined;
  /** Who attested it closed (their token name). */
  closedBy?: string | undefined;
  /** What the person who closed it said (how, or what they found). */
  note?: string | undefined;
}

/** What can happen to a manual door. */
export const MANUAL_DOOR_EVENT_TYPES = [
  'created',
  /** The custodian was reminded to close it; details: `dueAt` (the door's `until`). */
  'reminder-sent',
  /** The door is past its `until` and still open: admins were told; details: `overdueSince`. */
  'escalated',
  /** A person attested the door closed; the actor is who, details: `note` when given. */
  'attested-closed',
  /**
   * An incident about the door's supplier asked the custodian to close it now; details: `incidentId`. The door stays
   * open until someone attests it closed.
   */
  'incident-flagged',
] as const;

export type ManualDoorEventType = (typeof MANUAL_DOOR_EVENT_TYPES)[number];

/** One entry of a manual door's trail. */
export interface ManualDoorEvent {
  manualDoorId: string;
  type: ManualDoorEventType;
  at: string;
  actor: string;
  details?: Record<string, string> | undefined;
}

/** The workflow that reminds, escalates and waits for the attestation of one manual door. */
export function manualDoorWorkflowId(manualDoorId: string): string {
  return `manual-door-${manualDoorId}`;
}
