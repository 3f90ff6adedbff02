import type {
  FieldChange,
  HeldDoor,
  IncidentDoor,
  IncidentEvent,
  IncidentEventType,
  IncidentFields,
  IncidentRecord,
} from '../../domain/incident.js';

/** Where a listing of incidents resumes: the last entry of the previous page, newest first. */
export interface IncidentCursor {
  createdAt: string;
  id: string;
}

/** A listing of the register (`GET /v1/incidents`); filters combine with AND, newest first. */
export interface IncidentQuery {
  supplierId?: string | undefined;
  /** Entries the organisation became aware of at or after this instant. */
  discoveredFrom?: string | undefined;
  /** … and strictly before this one. */
  discoveredBefore?: string | undefined;
  limit: number;
  after?: IncidentCursor | undefined;
}

export interface IncidentPage {
  incidents: IncidentRecord[];
  next?: IncidentCursor | undefined;
}

/** The changes an admin makes to an entry; `null` clears a field that may be unknown. */
export type IncidentChanges = {
  [K in keyof IncidentFields]?: IncidentFields[K] | null;
};

/**
 * Where the confidentiality-incident register is kept. Entries are never deleted by the service: the register keeps
 * them at least `INCIDENT_RETENTION_YEARS` (and the retention sweep leaves them, and the rows they name, alone: it
 * deletes no registry row, only closed accounts from their directories and contact e-mails, see
 * `retention-store.ts`). An entry's doors keep their name, kind and times after the directory account is gone.
 */
export interface IncidentStore {
  /**
   * Opens an entry, in one transaction: the entry (`doors` `closing`, or `none` without a supplier), its `opened`
   * event, and for a supplier its block (`SupplierRecord.block`, with `supplier-blocked`) and the doors the incident
   * closes (each with `door-close-requested`). A `409`-worthy state is answered, not thrown: when the supplier is
   * already blocked, nothing is written and `blockedBy` names the incident that holds the block.
   */
  openIncident(
    record: IncidentRecord,
    doors: readonly IncidentDoor[],
  ): Promise<{ incident: IncidentRecord } | { blockedBy: string }>;
  getIncident(id: string): Promise<IncidentRecord | null>;
  listIncidents(query: IncidentQuery): Promise<IncidentPage>;
  /**
   * Applies an admin's changes, stamps `updatedAt`, increments `revision`, and appends one `updated` event whose
   * `changes` hold each changed field's value before and after. Fields given with their current value are not
   * changes; when nothing changes, nothing is written. Null when there is no such entry.
   */
  updateIncident(
    id: string,
    changes: IncidentChanges,
    by: { actor: string; at: string },
  ): Promise<{
    incident: IncidentRecord;
    changes: Partial<Record<keyof IncidentFields, FieldChange>>;
  } | null>;
  /** The doors the incident closes, in the order they were asked to, with when each closed. */
  listIncidentDoors(incidentId: string): Promise<IncidentDoor[]>;
  /**
   * Adds doors found after the entry was opened (a grant created in the instant before the block); a door the
   * incident already has is left as it is. Each new one gets `door-close-requested`.
   */
  addIncidentDoors(incidentId: string, doors: readonly IncidentDoor[]): Promise<void>;
  /**
   * Records that a door closed, at `closedAt`, with `door-close-requested`'s counterpart `door-closed`; the first
   * record stands (a retry changes nothing).
   */
  markIncidentDoorClosed(incidentId: string, doorId: string, closedAt: string): Promise<void>;
  /**
   * Every door of the incident is closed: sets `doors` to `closed` and `doorsClosedAt`, with `doors-closed`. Only
   * the first call writes.
   */
  markIncidentDoorsClosed(incidentId: string, doorsClosedAt: string): Promise<void>;
  /**
   * Appends an event written by the incident's workflow (`admins-notified` …), once per (incident, type, `key`): a
   * retried activity appends nothing twice.
   */
  recordIncidentEvent(event: IncidentEvent & { key: string }): Promise<void>;
  /** The entry's trail, oldest first: every change is kept. */
  listIncidentEvents(incidentId: string): Promise<IncidentEvent[]>;
  /**
   * Lifts the supplier's block, recording `block-lifted` (with the reason) on the incident that set it. Null when the
   * supplier is not blocked (or unknown); otherwise the incident whose block was lifted.
   */
  liftSupplierBlock(
    supplierId: string,
    by: { actor: string; at: string; reason: string },
  ): Promise<{ incidentId: string } | null>;
  /**
   * The register's pre-fill: every door the supplier held at some instant of [`from`, `until`] — grant rows of every
   * kind, created at or before `until` and not closed before `from`, and manual doors the same way — oldest first.
   */
  heldDoors(supplierId: string, from: string, until: string): Promise<HeldDoor[]>;
}

/** The names of the event types the incident's workflow writes through `recordIncidentEvent`. */
export type WorkflowIncidentEventType = Extract<IncidentEventType, 'admins-notified'>;
