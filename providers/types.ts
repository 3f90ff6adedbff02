import type { AccountRef, Credential, ProviderName } from '../domain/account.js';

/** What a grant asks a provider to create. Every field is plain data so it can cross Temporal. */
export interface AccountSpec {
  /** The account name reserved for the supplier (see `accountNameCandidate`). Never a person's name. */
  username: string;
  /** The supplier organisation as written by the requester. */
  organisation: string;
  /** The organisation marked as a supplier, e.g. `Acme Inc. (supplier)`. */
  displayName: string;
  /** Where the supplier can be reached; stored on the account where the provider has a field for it. */
  contactEmail?: string | undefined;
  /** The grant this account belongs to; written on the account so ownership can be checked on retry. */
  grantId: string;
  /** The expiry, ISO-8601 UTC; attached to the account itself where the provider can hold it. */
  expiresAt: string;
  /** Groups to add the account to (provider-specific names or ids). */
  groups: string[];
  /** Where the provider has both kinds (Entra): a guest invited by e-mail, or a member with a password. */
  kind?: 'guest' | 'member' | undefined;
  /**
   * Grant ids of this account's earlier grants that have closed (expired, revoked, failed). An existing account
   * owned by one of them is taken over — re-enabled, given this grant's expiry, groups and a fresh credential,
   * and marked as this grant's — instead of refused. An account owned by anything else is still a conflict.
   */
  reclaimable?: string[] | undefined;
}

export interface ProvisionResult {
  account: AccountRef;
  /** Present for password-based accounts; absent when the supplier activates through the provider. */
  credential?: Credential | undefined;
}

/** An account as the provider sees it now. */
export interface AccountState extends AccountRef {
  /** False once disabled/locked/deactivated. */
  enabled: boolean;
  /** The expiry held by the account itself, when the provider can hold one. */
  expiresAt?: string | undefined;
  /** The grant id written on the account at creation, when there is one. */
  grantId?: string | undefined;
  organisation?: string | undefined;
  /** Group names or ids the account is a member of. */
  groups: string[];
}

/**
 * One identity provider behind one interface. Every method is safe to repeat: repeating a call that
 * already took effect succeeds without changing anything further (disabling a disabled account is success).
 * Methods throw `ProviderError` only.
 */
export interface IdentityProvider {
  readonly name: ProviderName;
  /** The longest account name this provider accepts (AD `sAMAccountName`: 20). */
  readonly maxUsernameLength: number;
  /**
   * Creates the account, with the expiry attached, and adds it to the groups. When the account already exists
   * for the same grant (a retried call), it is brought to the requested state and a fresh credential is
   * issued, since the earlier one may have been lost. When it exists for a grant named in `spec.reclaimable`
   * (the supplier's earlier, closed grant), it is taken over: re-enabled and brought to exactly the state a
   * fresh create gives (this grant's marker, expiry and groups only, a fresh credential, the old one void).
   * Throws `conflict` when it exists for anything else: another grant, or nothing of ours. Throws `invalid` with
   * `details.field` `groups`, before creating or changing anything, when a requested group does not exist (or is
   * one the provider does not manage: for LDAP, outside the groups DN).
   */
  createAccount(spec: AccountSpec): Promise<ProvisionResult>;
  /** The account by name, or `null` when there is none. */
  findAccount(username: string): Promise<AccountState | null>;
  /** Moves the expiry held by the account (an approved extension). */
  setExpiry(account: AccountRef, expiresAt: string): Promise<void>;
  /** Disables the account for good and removes its group memberships. `not-found` counts as done. */
  disableAccount(account: AccountRef): Promise<void>;
  /** Replaces the credentials with a random value nobody keeps; ends sessions where the provider has them. */
  rotateCredentials(account: AccountRef): Promise<void>;
  /**
   * Sets a fresh random password on an existing account and answers it only once the directory took it; nothing
   * else about the account changes (enabled state, groups, expiry), and no change is required at first use. Every
   * call makes a new password, so a password the directory refused is never tried again. Ends the account's
   * sessions where the provider has them. Throws `not-found` when the account is gone.
   */
  resetPassword(account: AccountRef): Promise<Credential>;
  /**
   * The existing account a shared account points at: an LDAP/AD DN; an Okta user id or login; an Entra user id or
   * userPrincipalName. Null when there is none. Not limited to the supplier naming convention.
   */
  lookupAccount(ref: string): Promise<AccountState | null>;
  /**
   * Deletes a closed grant's account from the directory for good (the retention period after its disable ran
   * out): its group memberships first, then the account itself. An account that is gone already (or never was)
   * is done. The account must still carry `grantId`'s marker: one marked by another grant (a newer grant of the
   * same supplier took it over) or by none (made by hand) is left as it is, with a `conflict`.
   */
  deleteAccount(account: AccountRef, grantId: string): Promise<void>;
  /** Every account whose name starts with `prefix` (the supplier convention), for reviews. */
  listAccounts(prefix: string): Promise<AccountState[]>;
  /**
   * One cheap read that proves the provider answers and takes our credentials (LDAP: a fresh bind; Okta and
   * Graph: a one-user page). `/readyz` polls it, so it stays light on the rate limits grants need.
   */
  checkReachable(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
