/**
 * The manual door workflow's input and messages, shared by the workflow and the API. Types and message
 * definitions only: this file is loaded inside the deterministic workflow sandbox.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ManualDoorRecord, ManualDoorStatus } from '../domain/manual-door.js';

/** What starts a manual door's workflow: the door as the API recorded it, and when to remind its custodian. */
export interface ManualDoorInput {
  door: ManualDoorRecord;
  /** How long before `until` the custodian is reminded (`REMINDER_LEAD`); none: no reminder. */
  reminderLeadsMs: number[];
  /** How often an overdue door is escalated again (a day unless a test says otherwise). */
  escalationIntervalMs?: number | undefined;
}

/** A person attests the door closed: its custodian or an admin (the API checks which). */
export interface AttestRequest {
  /** The door it is for: an update copied from another door's history does not count here. */
  manualDoorId: string;
  actor: string;
  note?: string | undefined;
}

/** Where the door stands, as its workflow knows it. */
export interface ManualDoorState {
  status: ManualDoorStatus;
  closedAt?: string | undefined;
  closedBy?: string | undefined;
}

export const attestUpdate = defineUpdate<ManualDoorRecord, [AttestRequest]>('attest');
export const manualDoorStateQuery = defineQuery<ManualDoorState>('manualDoorState');
