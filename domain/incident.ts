/**
 * Confidentiality incidents: the day a supplier is breached, every door it holds is closed at once and the
 * supplier is blocked; and the register Québec's Law 25 requires (s. 3.8; the Regulation respecting
 * confidentiality incidents, s. 7) keeps one entry per incident, pre-filled from the registry. An incident about an
 * internal account uses the same register, without a supplier. Types only, plain data that crosses Temporal;
 * deterministic: the workflow bundle loads this file.
 */
import type { DoorKind } from './shared-account.js';

/** The register keeps an entry at least this many years after the organisation became aware of the incident. */
export const INCIDENT_RETENTION_YEARS = 5;

/**
 * What the register says of an incident (Regulation s. 7), as admins complete and correct it. Everything but
 * `reason` and `discoveredAt` may be unknown at first; the entry is completed as the facts come in.
 */
export interface IncidentFields {
  /** What happened, in the words of the admin who opened it ("Supplier reports ransomware on its laptops"). */
  reason: string;
  /** When the organisation became aware of the incident (s. 7 par. 4). */
  discoveredAt: string;
  /** The date or period of the incident (s. 7 par. 3): its start, when known or estimated. */
  occurredFrom?: string | undefined;
  /** Its end, when known; a one-day incident has both ends on that day. */
  occurredUntil?: string | undefined;
  /** The personal information concerned, or why it cannot be described (s. 7 par. 1). */
  personalInformation?: string | undefined;
  /** A brief description of the circumstances (s. 7 par. 2). */
  circumstances?: string | undefined;
  /** The number of persons concerned, or its approximation (s. 7 par. 5). */
  personsConcerned?: number | undefined;
  /**
   * The assessment of the risk of serious injury (s. 7 par. 6): the sensitivity of the information, its possible
   * malicious uses, the consequences foreseen and their likelihood.
   */
  riskAssessment?: string | undefined;
  /** The conclusion of that assessment: whether the incident presents a risk of serious injury. */
  seriousRisk?: boolean | undefined;
  /** When the notice to the Commission d'accès à l'information was sent (s. 7 par. 7). */
  commissionNotifiedAt?: string | undefined;
  /** When the notices to the persons concerned were sent (s. 7 par. 7). */
  personsNotifiedAt?: string | undefined;
  /** The measures taken to reduce the risk of injury (s. 7 par. 8), beside the closings the service recorded. */
  measures?: string | undefined;
}

/** The fields admins may change after the entry is opened; each change is kept (`IncidentEvent` `updated`). */
export const INCIDENT_FIELDS = [
  'reason',
  'discoveredAt',
  'occurredFrom',
  'occurredUntil',
  'personalInformation',
  'circumstances',
  'personsConcerned',
  'riskAssessment',
  'seriousRisk',
  'commissionNotifiedAt',
  'personsNotifiedAt',
  'measures',
] as const satisfies readonly (keyof IncidentFields)[];

/** One entry of the confidentiality-incident register. */
export interface IncidentRecord extends IncidentFields {
  id: string;
  /** The supplier whose doors were closed (`SupplierRecord.id`); absent for an incident about an internal account. */
  supplierId?: string | undefined;
  /** The supplier's legal name when the incident was opened, kept with the entry. */
  supplierName?: string | undefined;
  /**
   * `closing` while a door the incident closes is still open, `closed` once every one is (`doorsClosedAt`);
   * `none` for an incident without a supplier, which closes nothing.
   */
  doors: IncidentDoorsStatus;
  /** When the last of the incident's doors closed; absent while one is still open. */
  doorsClosedAt?: string | undefined;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** The number of changes made to the entry since it was opened (0 for an entry as opened). */
  revision: number;
}

export const INCIDENT_DOORS_STATUSES = ['closing', 'closed', 'none'] as const;

export type IncidentDoorsStatus = (typeof INCIDENT_DOORS_STATUSES)[number];

/**
 * How an incident closes a door: a grant's account is revoked (disabled and rotated), a lend ended (the shared
 * account's password rotated for its custodian), a service credential removed, a manual door flagged for its
 * custodian, who closes it by hand and attests it.
 */
export const INCIDENT_ACTIONS = ['revoke', 'end-lend', 'remove-credential', 'flag'] as const;

export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** The action that closes a door of each kind. */
export const ACTION_OF_DOOR: Record<DoorKind, IncidentAction> = {
  account: 'revoke',
  lend: 'end-lend',
  service: 'remove-credential',
  manual: 'flag',
};

/** One door the incident closes, and when it closed: the closing actions of the register's entry. */
export interface IncidentDoor {
  incidentId: string;
  kind: DoorKind;
  /** The grant's id (account, lend, service) or the manual door's. */
  doorId: string;
  /** The provider of a grant row; absent for a manual door. */
  provider?: string | undefined;
  /** The account or credential name of a grant row, a manual door's `what`. */
  name: string;
  /** Since when the supplier held it (the grant's provisioning or creation, the manual door's creation). */
  heldFrom: string;
  action: IncidentAction;
  /** When the incident asked for it to be closed. */
  requestedAt: string;
  /**
   * When it closed: the time of the grant's last closing event (`disabled`, `credentials-rotated`), or of the manual
   * door's attestation. Absent while it is still open, say while its directory is down.
   */
  closedAt?: string | undefined;
}

/**
 * A door the supplier held during the incident's period (from `occurredFrom`, or `discoveredAt` when the start is
 * unknown, to `occurredUntil`, or now): the register's pre-filled list, read from the registry.
 */
export interface HeldDoor {
  kind: DoorKind;
  doorId: string;
  provider?: string | undefined;
  /** The account or credential name, or the manual door's `what`. */
  name: string;
  /** From when the supplier held it. */
  from: string;
  /** Until when: the account's closing or the manual door's attestation; absent while it is still open. */
  until?: string | undefined;
  /** Its status now (`active`, `revoked`, `expired`, `overdue`, `closed` …). */
  status: string;
}

/** What can happen to a register entry; every change is kept. */
export const INCIDENT_EVENT_TYPES = [
  /** The entry was opened; details: `reason`, `discoveredAt`. */
  'opened',
  /** The supplier was blocked: no new door for it until an admin lifts the block. */
  'supplier-blocked',
  /** A door was asked to close; details: `kind`, `doorId`, `action`. */
  'door-close-requested',
  /** A door closed; details: `kind`, `doorId`, `closedAt`. */
  'door-closed',
  /** Every door of the incident is closed; details: `doorsClosedAt`, `count`. */
  'doors-closed',
  /** Admins were told through one channel; details: `notice` (`opened` | `doors-closed`), `channel`. */
  'admins-notified',
  /** An admin changed the entry; `changes` holds each field's value before and after. */
  'updated',
  /** An admin lifted the supplier's block; details: `reason`. */
  'block-lifted',
] as const;

export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

/** A field's value before and after a change (`null` where it was or became unknown). */
export interface FieldChange {
  from: string | number | boolean | null;
  to: string | number | boolean | null;
}

/** One entry of an incident's trail, oldest first. */
export interface IncidentEvent {
  incidentId: string;
  type: IncidentEventType;
  at: string;
  actor: string;
  details?: Record<string, string> | undefined;
  /** For `updated`: every field the change touched. */
  changes?: Partial<Record<keyof IncidentFields, FieldChange>> | undefined;
}

/** A supplier under an incident's block: no new grant, lend, service credential or manual door for it. */
export interface SupplierBlock {
  incidentId: string;
  since: string;
  by: string;
}

/** The workflow that closes an incident's doors and tells admins. */
export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
}
