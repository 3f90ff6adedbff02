/**
 * Shared accounts: accounts that already exist in a directory (a site's admin, an accounting system's service login)
 * and are lent to a supplier for a while. The password is rotated before the hand-over and again after it, and on a
 * schedule while nobody holds it. Types only, plain data that crosses Temporal; deterministic: the workflow bundle
 * loads this file.
 */
import type { AccountRef, ProviderName } from './account.js';
import type { GrantInput } from './grant.js';

/**
 * The kinds of door the registry keeps: an `account` made for a supplier (a grant), a `lend` of an existing shared
 * account, a `service` credential for a supplier's integration (an application secret, an API client, a service
 * account), or a `manual` door no API can close (kept in a table of its own). The first three are rows of the grants
 * registry, with the same statuses, trail, extensions and reminders.
 */
export const DOOR_KINDS = ['account', 'lend', 'service', 'manual'] as const;

export type DoorKind = (typeof DOOR_KINDS)[number];

/** The internal person who owns a shared account and gets its password back after each rotation. */
export interface Custodian {
  /** The custodian's API token name: who may claim the password. */
  name: string;
  /** Where the custodian is told that a new password waits for them. */
  email?: string | undefined;
}

/** Why a shared account's password was changed. */
export const ROTATION_REASONS = ['hand-over', 'lend-ended', 'scheduled', 'manual'] as const;

export type RotationReason = (typeof ROTATION_REASONS)[number];

/** One shared account as the registry keeps it. */
export interface SharedAccountRecord {
  id: string;
  provider: ProviderName;
  /** The account in its directory, as found when it was registered (an LDAP/AD DN, an Okta or Entra user id). */
  account: AccountRef;
  /** What the account is for, in the custodian's words ("Website admin"). */
  label: string;
  custodian: Custodian;
  /** Rotate this often while not lent; absent: only around lends. */
  rotationIntervalDays?: number | undefined;
  /** When the directory last took a new password from us; absent until the first rotation. */
  lastRotatedAt?: string | undefined;
  /**
   * When a password waits for the custodian (rotated after a lend or on schedule, not claimed yet). The password
   * itself is kept sealed and never leaves the registry except through the custodian's one claim.
   */
  custodianCredentialSince?: string | undefined;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** What can happen to a shared account outside its lends' own trails. */
export const SHARED_ACCOUNT_EVENT_TYPES = [
  'registered',
  'updated',
  /** The directory took a new password; details: `reason` (a `RotationReason`), `lendId` when a lend caused it. */
  'rotated',
  /** The custodian (or an admin) took the waiting password; the actor is who took it. */
  'credential-claimed',
  /** The custodian chose to reset the password themselves: the waiting one was thrown away unseen. */
  'credential-discarded',
] as const;

export type SharedAccountEventType = (typeof SHARED_ACCOUNT_EVENT_TYPES)[number];

/** One entry of a shared account's trail. */
export interface SharedAccountEvent {
  sharedAccountId: string;
  type: SharedAccountEventType;
  at: string;
  actor: string;
  details?: Record<string, string> | undefined;
}

/**
 * One workflow at a time changes a shared account's password: a lend (`lendWorkflow`) or a scheduled rotation
 * (`rotationWorkflow`), under this id, so Temporal itself refuses a second lend while one runs.
 */
export function sharedAccountWorkflowId(sharedAccountId: string): string {
  return `shared-account-${sharedAccountId}`;
}

/**
 * Everything a lend's workflow starts from. A lend is a grant of the `lend` door: the supplier, the expiry (the
 * lend's `until`), the reason, the requester, extensions and reminders are a grant's; the account is not made but
 * the shared account's, and its password is rotated at both ends instead of the account being created and closed.
 * `username` and `displayName` are the shared account's.
 */
export interface LendInput extends GrantInput {
  door: 'lend';
  sharedAccountId: string;
  /** The shared account in its directory. */
  account: AccountRef;
  custodian: Custodian;
}
