import type { ProviderName } from '../../domain/account.js';
import type { EventRecord, GrantEvent } from '../../domain/events.js';
import type { GrantFailure } from '../../domain/failure.js';
import type { GrantInput, PendingExtension } from '../../domain/grant.js';
import type { GrantStatus } from '../../domain/status.js';
import type { Sponsor, SupplierRecord } from '../../domain/supplier.js';
import type { InventoriedCredential } from '../../domain/inventory.js';
import type { ProviderReview, ReviewedAccount, ReviewReport } from '../../domain/review.js';
import type { SharedAccountStore } from './shared-account-store.js';
import type { ManualDoorStore } from './manual-door-store.js';
import type { IncidentStore } from './incident-store.js';
import type { DoorKind, LendInput } from '../../domain/shared-account.js';
import type { ServiceInput } from '../../domain/service.js';

/** One grant as the registry keeps it, for good: closed grants are never deleted. */
export interface GrantRecord {
  id: string;
  workflowId: string;
  provider: ProviderName;
  /** The supplier the grant is for (`SupplierRecord.id`). */
  supplierId?: string | undefined;
  organisation: string;
  contactEmail?: string | undefined;
  username: string;
  externalId?: string | undefined;
  displayName: string;
  status: GrantStatus;
  expiresAt: string;
  reason: string;
  ticket?: string | undefined;
  groups: string[];
  requestedBy: string;
  createdAt: string;
  endedAt?: string | undefined;
  pendingExtension?: PendingExtension | undefined;
  failure?: GrantFailure | undefined;
  /** When the account was created (the `provisioned` event); absent until then and for failed grants. */
  provisionedAt?: string | undefined;
  /**
   * When the account was closed: disabled and its credentials rotated (the later of those two events). An ended
   * grant without it is still closing — its account is usable until the directory has done both.
   */
  closedAt?: string | undefined;
  /** When the retention sweep deleted the account from its directory (`ACCOUNT_RETENTION_DAYS` after `closedAt`). */
  accountDeletedAt?: string | undefined;
  /**
   * `account` when the grant made an account for the supplier; `lend` when it lent a shared account, whose
   * password is rotated at both ends and which is never disabled or deleted.
   */
  door: DoorKind;
  /** The shared account a lend is of (`SharedAccountRecord.id`); absent for every other door. */
  sharedAccountId?: string | undefined;
}

/** Where a listing resumes: the last grant of the previous page, in the listing's order. */
export interface GrantCursor {
  createdAt: string;
  id: string;
}

/**
 * A registry query (`GET /v1/grants`). Every filter is optional and they combine with AND; the result is
 * ordered newest first (`createdAt` desc, then `id` desc), which makes the cursor stable while grants are added.
 */
export interface GrantQuery {
  /** Any of these statuses. */
  status?: GrantStatus[] | undefined;
  /** Any of these providers. */
  provider?: ProviderName[] | undefined;
  /** The grants of this supplier (`SupplierRecord.id`). */
  supplierId?: string | undefined;
  /** Any of these doors (`door=lend`: the lends of shared accounts). */
  door?: DoorKind[] | undefined;
  /** The lends of this shared account (`SharedAccountRecord.id`). */
  sharedAccountId?: string | undefined;
  /** Part of the organisation's name, ignoring case and diacritics ("electricite" finds "Électricité"). */
  organisation?: string | undefined;
  /** Current expiry strictly before / at or after these instants (ISO-8601 UTC). */
  expiresBefore?: string | undefined;
  expiresAfter?: string | undefined;
  /**
   * Grants whose account was usable at this instant: provisioned (or, while still provisioning, created — the
   * account may already exist) at or before it, and not yet closed then (`closedAt` after it, or not closed yet:
   * a grant that ended is usable until its account is disabled and rotated). For an instant in the future, only
   * the grants that have not ended and are planned to run past it. Grants that failed to provision never had an
   * account and never match. A lend counts from its hand-over until its return rotation: the supplier's password
   * works until then.
   */
  activeAt?: string | undefined;
  /** At most this many grants (1–500). */
  limit: number;
  /** Resume after this grant. */
  after?: GrantCursor | undefined;
}

/** One page of a listing; `next` is there when more grants match. */
export interface GrantPage {
  grants: GrantRecord[];
  next?: GrantCursor | undefined;
}

/** An account name to reserve for a supplier on a provider. */
export interface AccountNameReservation {
  provider: ProviderName;
  username: string;
  /** The supplier's canonical key (`supplierKey`). */
  supplierKey: string;
  /** When, ISO-8601 UTC. */
  reservedAt: string;
}

/** A supplier listing (`GET /v1/suppliers`): filters combine with AND, newest first like grants. */
export interface SupplierQuery {
  /** Part of the legal name, ignoring case and diacritics. */
  name?: string | undefined;
  /** Suppliers whose contract ends strictly before this instant (none without a contract end). */
  contractEndsBefore?: string | undefined;
  /** At most this many suppliers (1–500). */
  limit: number;
  /** Resume after this supplier. */
  after?: GrantCursor | undefined;
}

export interface SupplierPage {
  suppliers: SupplierRecord[];
  next?: GrantCursor | undefined;
}

/** What `PATCH /v1/suppliers/{id}` may change; absent leaves alone, `null` clears. The key never changes. */
export interface SupplierChanges {
  legalName?: string | undefined;
  contactEmails?: string[] | undefined;
  sponsor?: Sponsor | undefined;
  contractEnd?: string | null | undefined;
  notes?: string | null | undefined;
}

/**
 * Where grants (and the shared accounts lent through them) are kept. Writes are idempotent so a retried activity
 * never duplicates anything.
 */
export interface RegistryStore extends SharedAccountStore, ManualDoorStore, IncidentStore {
  /** Adds the grant with its `created` event; does nothing when it is already there. */
  insertGrant(grant: GrantRecord, created: EventRecord): Promise<void>;
  /** Appends the event once and applies its patch unless a later event was already applied. */
  recordEvent(event: EventRecord): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | null>;
  listEvents(grantId: string): Promise<GrantEvent[]>;
  /** The trails of several grants in one query, each in order; grants without events are absent. */
  listEventsOf(grantIds: readonly string[]): Promise<Map<string, GrantEvent[]>>;
  /** One page of grants matching the query; `now` decides what "planned to run past" means for `activeAt`. */
  listGrants(query: GrantQuery, now?: Date): Promise<GrantPage>;
  /**
   * For each account of the provider (the given usernames, or every one), the grant that owns it (`owningGrant`):
   * its most recent grant by `createdAt` that did not fail, or the most recent failed one when only failed grants
   * named it. That grant says whether the account should exist now. Usernames without a grant are absent.
   */
  latestGrantsByAccount(
    provider: ProviderName,
    usernames?: readonly string[],
  ): Promise<Map<string, GrantRecord>>;
  /**
   * The ids of the account's grants that have closed (`CLOSED_STATUSES`), oldest first: the grants whose account a
   * new grant of the same supplier may take over (`AccountSpec.reclaimable`). A grant still provisioning or live
   * is never among them.
   */
  closedGrantIds(provider: ProviderName, username: string): Promise<string[]>;
  /**
   * Appends an event the access review writes on a grant it does not run, under the next free `seq` at or above
   * `REVIEW_EVENT_SEQ_BASE`, and applies no patch. An event of the same type with the same details already
   * there makes this a no-op: a retried activity adds nothing, and the review says through the details how
   * often the same thing is worth recording (once per review with its id in them, or once for good without).
   * @throws when the grant does not exist.
   */
  recordReviewEvent(event: Omit<EventRecord, 'seq' | 'patch'>): Promise<void>;
  /**
   * The account name reserved for the supplier (by its key) on the provider, or null when it has none yet. Where
   * it holds several (two spellings an earlier release named apart), the one reserved last.
   */
  accountNameOf(provider: ProviderName, supplierKey: string): Promise<string | null>;
  /**
   * Reserves the name on the provider for the supplier unless it is reserved already, and answers the key of the
   * supplier that holds it now: the given key when it is (or already was) this supplier's, another when it is
   * another supplier's. Atomic across processes: one name is never reserved for two suppliers.
   */
  reserveAccountName(reservation: AccountNameReservation): Promise<string>;
  /**
   * The closed grants of the provider whose account is due for deletion: closed (`closedAt`) at or before
   * `closedBefore`, not deleted yet, and not the account of a newer grant (one created after it that did not fail:
   * the same supplier granted again holds the account now, and its own closing decides). Oldest closing first,
   * after `after` when given (a sweep going on past accounts the directory refused to delete).
   */
  accountsDueForDeletion(
    provider: ProviderName,
    closedBefore: string,
    limit: number,
    after?: { closedAt: string; id: string },
  ): Promise<GrantRecord[]>;
  /**
   * Records that the grant's account was deleted: sets `accountDeletedAt` and appends `account-deleted` (like the
   * review's events, after the fact). A repeat changes nothing.
   */
  recordAccountDeleted(grantId: string, at: string, details: Record<string, string>): Promise<void>;
  /** Ended grants (`CLOSED_STATUSES`) that ended at or before `endedBefore` and still keep a contact e-mail. */
  contactsDueForErasure(endedBefore: string, limit: number): Promise<GrantRecord[]>;
  /**
   * Erases the grant's contact e-mail from the registry: the grant's own field and every copy of it in its event
   * details and failure (a provider's error may quote it), replaced by `[erased]`; then appends `contact-erased`.
   * The trail stays: events, instants, actors and reasons. False when there was nothing to erase (a repeat).
   */
  eraseContact(grantId: string, at: string): Promise<boolean>;
  /** Records that a review started; does nothing when it already is (a retried activity). */
  startReview(review: { id: string; trigger: string; startedAt: string }): Promise<void>;
  /**
   * Writes these accounts into the review, replacing the rows of the same (provider, username): a retried
   * activity rewrites the same rows. Thousands at once are written in a few statements.
   */
  saveReviewedAccounts(reviewId: string, accounts: readonly ReviewedAccount[]): Promise<void>;
  /**
   * Writes these credential holders into the review's inventory, replacing the rows of the same (provider, id): a
   * retried activity rewrites them.
   */
  saveReviewCredentials(reviewId: string, holders: readonly InventoriedCredential[]): Promise<void>;
  /** Marks the review finished with each provider's summary. @throws when the review was never started. */
  finishReview(id: string, finishedAt: string, providers: readonly ProviderReview[]): Promise<void>;
  /** The review with every account (ordered by provider, then username), finished or not; null if unknown. */
  getReview(id: string): Promise<ReviewReport | null>;
  /** The most recently started review that finished, as `getReview` gives it; null before the first one. */
  latestReview(): Promise<ReviewReport | null>;
  /**
   * Adds the supplier unless one with the same key is there; either way, the supplier of that key as stored: a
   * caller whose id came back created it.
   */
  insertSupplier(supplier: SupplierRecord): Promise<SupplierRecord>;
  getSupplier(id: string): Promise<SupplierRecord | null>;
  /** The supplier of this canonical key (`supplierKey`), if any. */
  getSupplierByKey(key: string): Promise<SupplierRecord | null>;
  /** Applies the changes and stamps `updatedAt`; the supplier as it is now, `null` when there is none. */
  updateSupplier(id: string, changes: SupplierChanges, updatedAt: string): Promise<SupplierRecord | null>;
  /** The supplier of each of these grants, by grant id; grants without one (or unknown) are absent. */
  supplierIdsOf(grantIds: readonly string[]): Promise<Map<string, string>>;
  /** One page of suppliers matching the query, newest first. */
  listSuppliers(query: SupplierQuery): Promise<SupplierPage>;
  /**
   * Erases the contact e-mails of up to `limit` suppliers whose grants all ended at or before `endedBefore` and
   * that nobody changed since; the supplier, its sponsor and its grants stay. Answers how many were erased.
   */
  eraseRetiredSupplierContacts(endedBefore: string, at: string, limit: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The registry's record of a grant (or lend) as it is requested, before anything happened to it. A lend's row
 * names the shared account's directory account; a service credential's, the name reserved for the supplier's
 * integration (`door: 'service'`); any other input is an account of its own (`door: 'account'`).
 */
export function grantRecordFromInput(
  input: GrantInput | LendInput | ServiceInput,
  workflowId: string,
): GrantRecord {
  const lend = 'door' in input && input.door === 'lend' ? input : undefined;
  const service = 'door' in input && input.door === 'service';
  return {
    id: input.grantId,
    workflowId,
    provider: input.provider,
    supplierId: input.supplierId,
    organisation: input.supplier.organisation,
    contactEmail: input.supplier.contactEmail,
    username: input.username,
    ...(lend ? { externalId: lend.account.externalId } : {}),
    displayName: input.displayName,
    status: 'provisioning',
    expiresAt: input.expiresAt,
    reason: input.reason,
    ticket: input.ticket,
    groups: input.groups,
    requestedBy: input.requestedBy,
    createdAt: input.createdAt,
    door: lend ? 'lend' : service ? 'service' : 'account',
    ...(lend ? { sharedAccountId: lend.sharedAccountId } : {}),
  };
}
