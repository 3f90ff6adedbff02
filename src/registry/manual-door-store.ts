import type {
  ManualDoorEvent,
  ManualDoorEventType,
  ManualDoorRecord,
  ManualDoorStatus,
} from '../../domain/manual-door.js';

/** Where a listing of manual doors resumes: the last door of the previous page, newest first. */
export interface ManualDoorCursor {
  createdAt: string;
  id: string;
}

/** A listing of manual doors (`GET /v1/manual-doors`); filters combine with AND, newest first. */
export interface ManualDoorQuery {
  status?: ManualDoorStatus | undefined;
  supplierId?: string | undefined;
  /** Doors open at this instant: created at or before it and not closed then (see `liveManualDoors`). */
  activeAt?: string | undefined;
  limit: number;
  after?: ManualDoorCursor | undefined;
}

/** A page of manual doors, newest first; `next` is where the following page starts. */
export interface ManualDoorPage {
  manualDoors: ManualDoorRecord[];
  next?: ManualDoorCursor | undefined;
}

/** Where manual doors and their trail are kept. */
export interface ManualDoorStore {
  /** Adds the door (status `open`) with its `created` event by `record.requestedBy`. */
  insertManualDoor(record: ManualDoorRecord): Promise<ManualDoorRecord>;
  getManualDoor(id: string): Promise<ManualDoorRecord | null>;
  listManualDoors(query: ManualDoorQuery): Promise<ManualDoorPage>;
  /**
   * Every door open at `activeAt` (default: now): created at or before it, and not closed then (no `closedAt`, or
   * a `closedAt` after it). Overdue doors are open doors. Oldest first; not paged: the open-doors answer counts
   * them all.
   */
  liveManualDoors(activeAt?: string): Promise<ManualDoorRecord[]>;
  /** The door's trail, oldest first. */
  listManualDoorEvents(id: string): Promise<ManualDoorEvent[]>;
  /**
   * Appends `reminder-sent`, `escalated` or `incident-flagged`. Idempotent per (door, type, `key`): a retried
   * activity appends nothing twice; `key` names the occasion (the reminder's lead, the escalation's day, the
   * incident's id: a door is flagged once per incident). True when this call appended it; false when it was there
   * already, or there is no such door.
   */
  recordManualDoorNotice(notice: {
    manualDoorId: string;
    type: Extract<ManualDoorEventType, 'reminder-sent' | 'escalated' | 'incident-flagged'>;
    key: string;
    at: string;
    actor: string;
    details?: Record<string, string> | undefined;
  }): Promise<boolean>;
  /** An `open` door past its `until` becomes `overdue`; a door already overdue or closed is left as it is. */
  markManualDoorOverdue(id: string): Promise<ManualDoorRecord | null>;
  /**
   * Records the attestation: status `closed`, `closedAt`, `closedBy`, `note`, and `attested-closed` by the actor.
   * A door closed already keeps its first attestation and is returned as it is. Null when there is no such door.
   */
  closeManualDoor(
    id: string,
    attestation: { actor: string; at: string; note?: string | undefined },
  ): Promise<ManualDoorRecord | null>;
}
