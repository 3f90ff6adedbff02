/**
 * The grant workflow's data and messages, shared by the workflow and the API. Types and message
 * definitions only: this file is loaded inside the deterministic workflow sandbox.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AccountRef, Credential, ProviderName } from '../providers/types.js';

export type GrantStatus =
  'provisioning' | 'active' | 'extension-requested' | 'expired' | 'revoked' | 'failed';

/** Statuses in which the account may still be usable and the grant can change. */
export const LIVE_STATUSES: readonly GrantStatus[] = ['provisioning', 'active', 'extension-requested'];

export type GrantEventType =
  | 'created'
  | 'provisioned'
  | 'provisioning-failed'
  | 'reminder-sent'
  | 'extension-requested'
  | 'extension-approved'
  | 'extension-rejected'
  | 'expired'
  | 'revoked'
  | 'disabled'
  | 'credentials-rotated'
  /** Someone took the one-time credential after a `202` (the actor); the create's own answer records none. */
  | 'credential-claimed'
  /** That claim's answer came too late to reach them: the service gave the credential back to the grant. */
  | 'credential-returned'
  /** A reminder could not be delivered (the mail server or webhook kept failing); the expiry is unaffected. */
  | 'reminder-failed'
  /** Written by the access review, under sequence numbers of its own (see `REVIEW_EVENT_SEQ_BASE`). */
  | 'drift-corrected'
  | 'expiry-corrected'
  | 'orphan-found';

/**
 * The access review writes events on grants it did not run; their sequence numbers start here, so they never
 * collide with the grant workflow's own (which count up from 0).
 */
export const REVIEW_EVENT_SEQ_BASE = 1_000_000_000;

/** The actor recorded on events the service does by itself (the expiry, deprovisioning). */
export const SYSTEM_ACTOR = 'supplier-access';

export interface Supplier {
  organisation: string;
  contactEmail?: string | undefined;
}

/** Everything a grant workflow starts from; validated by the API before it gets here. */
export interface GrantInput {
  grantId: string;
  provider: ProviderName;
  supplier: Supplier;
  /** The account name and display name derived from the organisation. */
  username: string;
  displayName: string;
  expiresAt: string;
  reason: string;
  ticket?: string | undefined;
  groups: string[];
  kind?: 'guest' | 'member' | undefined;
  requestedBy: string;
  createdAt: string;
  /** The policy in force when the grant was made; extensions are checked against it. */
  maxGrantDays: number;
  /** How long before the expiry reminders go out (`REMINDER_LEAD` when the grant was made); none when absent. */
  reminderLeadsMs?: number[] | undefined;
  /**
   * Whether the server knows the grant search attributes (the API checked at start): only then does the
   * workflow keep them up to date, since an upsert of an unknown attribute would stall the workflow.
   */
  indexed?: boolean | undefined;
}

export interface PendingExtension {
  expiresAt: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
}

/** What the workflow knows of its grant now. */
export interface GrantState {
  grantId: string;
  status: GrantStatus;
  expiresAt: string;
  account?: AccountRef | undefined;
  pendingExtension?: PendingExtension | undefined;
  /** Why provisioning failed, for `failed` grants. */
  failure?: { kind: string; message: string } | undefined;
}

/**
 * Every message names the grant it is for: a message is encrypted, but anyone who reads a history holds its
 * ciphertext, and sent to another grant it must not count there.
 */
interface ForGrant {
  grantId: string;
}

export interface ClaimCredentialRequest extends ForGrant {
  /**
   * When the caller stops listening. The workflow waits for provisioning until then, and never hands the
   * credential out after it: an answer nobody reads would lose the credential.
   */
  answerBy: string;
  /**
   * Who claims it through `POST /v1/grants/{id}/credential`, recorded as `credential-claimed`; absent for the
   * creating request, whose answer already carries the credential to the person who asked.
   */
  claimedBy?: string | undefined;
}

/** A credential handed out by `claimCredential` whose answer nobody heard: the grant keeps it again. */
export interface ReturnCredentialRequest extends ForGrant {
  credential: Credential;
  /** Whom the late answer was for, when the claim was recorded with a name. */
  claimedBy?: string | undefined;
}

export interface ClaimCredentialResult {
  state: GrantState;
  /** The one-time credential: present in the first answer after provisioning, never again. */
  credential?: Credential | undefined;
}

export interface ExtensionRequest extends ForGrant {
  expiresAt: string;
  reason: string;
  actor: string;
}

export interface ExtensionDecision extends ForGrant {
  actor: string;
  reason?: string | undefined;
  /** The request decided on, by when it was asked: a decision counts for that request only. */
  requestedAt: string;
}

export interface RevokeRequest extends ForGrant {
  actor: string;
  reason: string;
}

/**
 * Failure types the update validators reject with; the API maps them to HTTP statuses.
 * `Conflict` → 409, `FourEyes` → 403, `Invalid` → 400.
 */
export type GrantRejection = 'Conflict' | 'FourEyes' | 'Invalid';

export const claimCredentialUpdate = defineUpdate<ClaimCredentialResult, [ClaimCredentialRequest]>(
  'claimCredential',
);
export const returnCredentialUpdate = defineUpdate<GrantState, [ReturnCredentialRequest]>('returnCredential');
export const requestExtensionUpdate = defineUpdate<GrantState, [ExtensionRequest]>('requestExtension');
export const approveExtensionUpdate = defineUpdate<GrantState, [ExtensionDecision]>('approveExtension');
export const rejectExtensionUpdate = defineUpdate<GrantState, [ExtensionDecision]>('rejectExtension');
export const revokeUpdate = defineUpdate<GrantState, [RevokeRequest]>('revoke');
export const stateQuery = defineQuery<GrantState>('state');

/** One workflow per live (provider, account): Temporal itself refuses a second live grant. */
export function grantWorkflowId(provider: ProviderName, username: string): string {
  return `grant-${provider}-${username}`;
}
