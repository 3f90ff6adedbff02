/**
 * A grant's event trail: what can happen to a grant, listed once, and the entries the registry keeps.
 * Deterministic: the workflow bundle loads this file.
 */
import type { GrantFailure } from './failure.js';
import type { PendingExtension } from './grant.js';
import type { GrantStatus } from './status.js';

/** Every event a grant's trail can hold. */
export const GRANT_EVENT_TYPES = [
  'created',
  'provisioned',
  'provisioning-failed',
  'reminder-sent',
  'extension-requested',
  'extension-approved',
  'extension-rejected',
  /** The expiry was moved earlier (a contract ending sooner); a pending extension beyond it is dropped. */
  'expiry-shortened',
  'expired',
  'revoked',
  'disabled',
  'credentials-rotated',
  /** Someone took the one-time credential after a `202` (the actor); the create's own answer records none. */
  'credential-claimed',
  /** That claim's answer came too late to reach them: the service gave the credential back to the grant. */
  'credential-returned',
  /** A reminder could not be delivered (the mail server or webhook kept failing); the expiry is unaffected. */
  'reminder-failed',
  /** Written by the access review, under sequence numbers of its own (see `REVIEW_EVENT_SEQ_BASE`). */
  'drift-corrected',
  'expiry-corrected',
  'orphan-found',
  /**
   * Written by the retention sweep (under the same sequence numbers as the review's): the account was deleted from
   * its directory once `ACCOUNT_RETENTION_DAYS` had passed since it was closed.
   */
  'account-deleted',
  /** Written by the retention sweep: the grant's contact e-mail was erased from the registry, every copy of it. */
  'contact-erased',
] as const;

export type GrantEventType = (typeof GRANT_EVENT_TYPES)[number];

/** The events that together close a grant's account: once both are recorded, the door is shut. */
export const CLOSING_EVENTS = [
  'disabled',
  'credentials-rotated',
] as const satisfies readonly GrantEventType[];

/**
 * The access review writes events on grants it did not run; their sequence numbers start here, so they never
 * collide with the grant workflow's own (which count up from 0).
 */
export const REVIEW_EVENT_SEQ_BASE = 1_000_000_000;

/** One entry of a grant's event trail. */
export interface GrantEvent {
  type: GrantEventType;
  at: string;
  actor: string;
  details?: Record<string, string> | undefined;
}

/** Changes an event brings to its grant; `null` clears a field. */
export interface GrantPatch {
  status?: GrantStatus;
  expiresAt?: string;
  externalId?: string;
  endedAt?: string;
  pendingExtension?: PendingExtension | null;
  failure?: GrantFailure;
}

/** An event as written by the workflow: `seq` is its position in the grant, which makes retries harmless. */
export interface EventRecord extends GrantEvent {
  grantId: string;
  seq: number;
  patch?: GrantPatch | undefined;
}
