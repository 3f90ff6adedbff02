/** What the access review finds and does. Deterministic: the review workflow loads this file. */
import type { ProviderName } from './account.js';
import type { InventoriedCredential, InventorySummary } from './inventory.js';
import type { GrantStatus } from './status.js';

/**
 * What the review concluded about one supplier-convention account:
 * - `covered`: a live grant covers it, and the directory holds the registry's expiry;
 * - `expiry-mismatch`: a live grant covers it but the directory's expiry differed (corrected to the registry's);
 * - `closed`: its grant ended and the account is disabled, as it should be;
 * - `drift`: its grant ended but the account is usable again (re-disabled and rotated at once);
 * - `orphan`: no grant covers it (made by hand, or left by a grant that failed): reported, and disabled when
 *   `REVIEW_DISABLE_ORPHANS=true`;
 * - `disabled-while-live`: a live grant covers it but someone disabled it (reported only: the grant's expiry
 *   still closes it for good);
 * - `rotation-overdue`: a shared account (not a supplier-convention account) whose rotation interval ran out: its
 *   scheduled rotation is started, or, while it is lent, reported (the lend's end rotates it);
 * - `lent`: a shared account lent to a supplier now (its lend is the row's grant; the lend's end rotates the
 *   password), or whose lend ended and is still rotating it back.
 */
export const REVIEW_FINDINGS = [
  'covered',
  'expiry-mismatch',
  'closed',
  'drift',
  'orphan',
  'disabled-while-live',
  'rotation-overdue',
  'lent',
] as const;

export type ReviewFinding = (typeof REVIEW_FINDINGS)[number];

/** What the review did about it. */
export const REVIEW_ACTIONS = [
  'none',
  'reported',
  'expiry-corrected',
  'disabled-and-rotated',
  'failed',
  /** A shared account's scheduled rotation was started (`rotationWorkflow`); the custodian claims the password. */
  'rotation-started',
] as const;

export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/** One account in a review report: as found in the directory, and the grant that covers it (if any). */
export interface ReviewedAccount {
  provider: ProviderName;
  username: string;
  externalId: string;
  displayName: string;
  /** As found, before any correction. */
  enabled: boolean;
  /** The expiry the directory held, as found. */
  expiresAt?: string | undefined;
  /** The latest grant for this (provider, account), when there is one. */
  grantId?: string | undefined;
  grantStatus?: GrantStatus | undefined;
  grantExpiresAt?: string | undefined;
  finding: ReviewFinding;
  action: ReviewAction;
  /** Why a correction failed (the directory refused or was unreachable). */
  error?: string | undefined;
}

/** One provider's part of a review. */
export interface ProviderReview {
  provider: ProviderName;
  /** Supplier-convention accounts found. */
  accounts: number;
  /** How many accounts got each finding (findings with none are absent or 0). */
  findings: Partial<Record<ReviewFinding, number>>;
  /** Set when the provider could not be listed at all; its accounts are then missing from the report. */
  error?: string | undefined;
  /** The inventory of its non-human credentials; absent from reviews made before it, and for providers without one. */
  inventory?: InventorySummary | undefined;
}

/** A review as kept in the registry: when, why, per provider, and every account. */
export interface ReviewReport {
  id: string;
  /** `schedule`, or the actor who asked for it through the API. */
  trigger: string;
  startedAt: string;
  finishedAt?: string | undefined;
  providers: ProviderReview[];
  accounts: ReviewedAccount[];
  /** The non-human credential holders its inventory found, every provider's (empty before the inventory existed). */
  credentials?: InventoriedCredential[] | undefined;
}

/** Findings that mean something was wrong (everything but `covered` and `closed`). */
export const NOTEWORTHY_FINDINGS: readonly ReviewFinding[] = [
  'expiry-mismatch',
  'drift',
  'orphan',
  'disabled-while-live',
  'rotation-overdue',
];

/** Findings under which a live grant covers the account, whatever else was found. */
export const COVERED_FINDINGS: readonly ReviewFinding[] = [
  'covered',
  'lent',
  'expiry-mismatch',
  'disabled-while-live',
];
