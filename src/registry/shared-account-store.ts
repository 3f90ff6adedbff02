import type {
  Custodian,
  RotationReason,
  SharedAccountEvent,
  SharedAccountRecord,
} from '../../domain/shared-account.js';
import type { GrantRecord } from './types.js';

/** What may change on a registered shared account (`PATCH /v1/shared-accounts/{id}`); `null` clears the interval. */
export interface SharedAccountChanges {
  label?: string | undefined;
  custodian?: Custodian | undefined;
  rotationIntervalDays?: number | null | undefined;
}

/** A page of shared accounts, newest first; `next` is the id to resume after. */
export interface SharedAccountPage {
  sharedAccounts: SharedAccountRecord[];
  next?: { createdAt: string; id: string } | undefined;
}

/** A password the directory took, as the registry keeps it for the custodian: sealed, never in plaintext. */
export interface SealedCredential {
  /** The credential, encrypted with the service's payload keys (see `src/sealing.ts`). */
  sealed: string;
  /** When the directory took it. */
  at: string;
}

/** A shared account whose rotation interval has run out, and whether a lend holds it now. */
export interface DueRotation {
  sharedAccount: SharedAccountRecord;
  /** `lastRotatedAt` (or `createdAt`) plus the interval. */
  dueAt: string;
  /** The live lend holding the account, when there is one: its end rotates the password anyway. */
  lentIn?: GrantRecord | undefined;
}

/** Where shared accounts, their trail and the password waiting for their custodian are kept. */
export interface SharedAccountStore {
  /**
   * Adds the shared account with its `registered` event. Refused (`SharedAccountExistsError`) when the same
   * directory account (provider + `account.externalId`) is registered already.
   */
  insertSharedAccount(record: SharedAccountRecord): Promise<SharedAccountRecord>;
  getSharedAccount(id: string): Promise<SharedAccountRecord | null>;
  /** One page, newest first; `provider` filters when given. */
  listSharedAccounts(query: {
    provider?: string | undefined;
    limit: number;
    after?: { createdAt: string; id: string } | undefined;
  }): Promise<SharedAccountPage>;
  /** Applies the changes, stamps `updatedAt`, records `updated` (actor); null when there is no such account. */
  updateSharedAccount(
    id: string,
    changes: SharedAccountChanges,
    actor: string,
    at: string,
  ): Promise<SharedAccountRecord | null>;
  /** The shared account's own trail, oldest first. */
  listSharedAccountEvents(id: string): Promise<SharedAccountEvent[]>;
  /**
   * Records that the directory took a new password: sets `lastRotatedAt`, appends `rotated` with the reason (and
   * lend). With `forCustodian` the sealed password replaces any one waiting; without it (a hand-over to a
   * supplier) any password waiting for the custodian is dropped, as the directory no longer takes it.
   * Idempotent per (`lendId`, reason): a retried activity appends nothing twice.
   */
  recordRotation(rotation: {
    sharedAccountId: string;
    reason: RotationReason;
    at: string;
    actor: string;
    lendId?: string | undefined;
    forCustodian?: SealedCredential | undefined;
  }): Promise<void>;
  /**
   * Takes the password waiting for the custodian, once: atomically cleared, with `credential-claimed` by `actor`.
   * Null when none waits (never rotated, claimed already, or dropped by a hand-over).
   */
  takeCustodianCredential(id: string, actor: string, at: string): Promise<SealedCredential | null>;
  /** Throws the waiting password away unseen, with `credential-discarded`; false when none waited. */
  discardCustodianCredential(id: string, actor: string, at: string): Promise<boolean>;
  /** The lends of this shared account (grant rows with `door: 'lend'`), newest first. */
  lendsOf(sharedAccountId: string, limit: number): Promise<GrantRecord[]>;
  /** The live lend of this shared account (provisioning, active, extension-requested), if any. */
  liveLendOf(sharedAccountId: string): Promise<GrantRecord | null>;
  /** Shared accounts with an interval whose rotation is due at or before `now`, oldest due first. */
  dueRotations(now: string, limit: number): Promise<DueRotation[]>;
}

/** The same directory account registered twice. */
export class SharedAccountExistsError extends Error {
  override readonly name = 'SharedAccountExistsError';
  constructor(readonly existingId: string) {
    super(`this account is already registered as shared account ${existingId}`);
  }
}
