import type { AccountState } from '../../providers/types.js';
import type { ProviderName } from '../../domain/account.js';
import { LIVE_STATUSES } from '../../domain/status.js';
import type { ProviderReview, ReviewAction, ReviewedAccount, ReviewFinding } from '../../domain/review.js';
import type { GrantRecord } from './types.js';

/**
 * How far the directory's expiry may be from the registry's and still count as the same: LDAP keeps whole
 * seconds (the provider cuts the fraction off), so a registry instant of 10:00:00.999 is held as 10:00:00.
 */
export const EXPIRY_TOLERANCE_MS = 1000;

/** What the review needs of an account: its state in the directory, as listed. */
export type ListedAccount = Pick<AccountState, 'enabled' | 'expiresAt'>;

/**
 * What an account in the directory means, given the grant that owns it (`owningGrant`; see `ReviewFinding`). Pure: the
 * review calls it on the batch it loaded, and again on a fresh read of the grant before it changes anything.
 *
 * `now` tells a grant the workflow is closing from one somebody disabled behind its back: a live grant past
 * its expiry whose account is disabled is being deprovisioned (the account is disabled before the workflow's
 * `expired` event lands), so that account is `closed`, not `disabled-while-live`.
 *
 * `holdsExpiry` says whether the provider keeps an expiry on its accounts, so that one without any is a
 * mismatch; every provider here does (`pwdEndTime`, `accountExpires`, an Okta or Entra attribute).
 */
export function classifyAccount(
  account: ListedAccount,
  grant: GrantRecord | undefined,
  now: Date,
  holdsExpiry = true,
): ReviewFinding {
  if (!grant || grant.status === 'failed') return 'orphan';
  // The workflow is creating it (or retrying): nothing the directory says about it yet is settled.
  if (grant.status === 'provisioning') return 'covered';
  if (!LIVE_STATUSES.includes(grant.status)) return account.enabled ? 'drift' : 'closed';
  if (!account.enabled)
    return Date.parse(grant.expiresAt) <= now.getTime() ? 'closed' : 'disabled-while-live';
  if (account.expiresAt === undefined) return holdsExpiry ? 'expiry-mismatch' : 'covered';
  if (sameInstant(account.expiresAt, grant.expiresAt)) return 'covered';
  // An approval writes the new expiry to the directory first and to the registry just after: in between,
  // the directory already holds the pending extension's expiry, which is no mismatch.
  const pending = grant.pendingExtension?.expiresAt;
  if (pending !== undefined && sameInstant(account.expiresAt, pending)) return 'covered';
  return 'expiry-mismatch';
}

/**
 * The grant an account belongs to, among every grant that named it: the newest (by `createdAt`, then `id`) that
 * did not fail. A failed grant never had the account — provisioning refused before making it, or closed what it
 * made — so a later failed request for the same supplier must not hide the grant that did: an account that grant
 * closed and somebody re-enabled is drift on it, not an orphan. Only when failed grants alone named the account is
 * the newest of them given, so the account is reported against it (an account a failed grant left behind).
 */
export function owningGrant(grants: Iterable<GrantRecord>): GrantRecord | undefined {
  let owner: GrantRecord | undefined;
  for (const grant of grants) {
    if (!owner || ownsBefore(grant, owner)) owner = grant;
  }
  return owner;
}

/** Whether `a` rather than `b` owns the account: one that did not fail first, then the newer. */
function ownsBefore(a: GrantRecord, b: GrantRecord): boolean {
  const aFailed = a.status === 'failed';
  if (aFailed !== (b.status === 'failed')) return !aFailed;
  return a.createdAt === b.createdAt ? a.id > b.id : a.createdAt > b.createdAt;
}

/** Whether two instants are the same within what the directories can hold. */
export function sameInstant(a: string, b: string): boolean {
  return Math.abs(Date.parse(a) - Date.parse(b)) <= EXPIRY_TOLERANCE_MS;
}

/** What the review does about a finding (before doing it). */
export function plannedAction(
  finding: ReviewFinding,
  enabled: boolean,
  disableOrphans: boolean,
): ReviewAction {
  switch (finding) {
    case 'covered':
    case 'closed':
    // Never the classification of a directory's account either: the review lists lent shared accounts itself.
    case 'lent':
      return 'none';
    case 'drift':
      return 'disabled-and-rotated';
    case 'expiry-mismatch':
      return 'expiry-corrected';
    case 'orphan':
      return disableOrphans && enabled ? 'disabled-and-rotated' : 'reported';
    case 'disabled-while-live':
    // Never the classification of a directory's account: the review workflow decides on overdue shared accounts.
    case 'rotation-overdue':
      return 'reported';
  }
}

/** Whether the action changes the account in the directory (and so needs a fresh look at its grant first). */
export function changesDirectory(action: ReviewAction): boolean {
  return action === 'disabled-and-rotated' || action === 'expiry-corrected';
}

/** An account's row in the report: as found, with its grant, the finding and what is to be done. */
export function reviewedAccount(
  provider: ProviderName,
  account: ListedAccount & Pick<AccountState, 'username' | 'externalId' | 'displayName'>,
  grant: GrantRecord | undefined,
  finding: ReviewFinding,
  action: ReviewAction,
): ReviewedAccount {
  return {
    provider,
    username: account.username,
    externalId: account.externalId,
    displayName: account.displayName,
    enabled: account.enabled,
    expiresAt: account.expiresAt,
    grantId: grant?.id,
    grantStatus: grant?.status,
    grantExpiresAt: grant?.expiresAt,
    finding,
    action,
  };
}

/** The provider's part of the report: how many accounts, how many of each finding. */
export function summarise(provider: ProviderName, accounts: Iterable<ReviewedAccount>): ProviderReview {
  const findings: Partial<Record<ReviewFinding, number>> = {};
  let count = 0;
  for (const account of accounts) {
    count++;
    findings[account.finding] = (findings[account.finding] ?? 0) + 1;
  }
  return { provider, accounts: count, findings };
}
