import type { Attribute, Change, Entry } from 'ldapts';
import type { ServiceSpec } from '../service-types.js';
import type { AccountSpec, AccountState } from '../types.js';
import { first, values } from './syntax.js';

/** What the account's entry says, before group memberships are looked up. */
export type EntryState = Omit<AccountState, 'groups'>;

/**
 * How one kind of directory holds a supplier account: OpenLDAP with ppolicy, or Active Directory. The
 * provider does the talking; a dialect only says which entry and which changes mean what.
 */
export interface Dialect {
  readonly maxUsernameLength: number;
  /** The attribute holding the account name, for prefix searches. */
  readonly nameAttribute: string;
  readonly userObjectClass: string;
  readonly groupObjectClass: string;
  /**
   * A member value that keeps a group valid once its last real member is gone (groupOfNames must have one);
   * undefined where groups may be empty.
   */
  readonly placeholderMember: string | undefined;
  /**
   * Result codes a member add may answer when the member is already there, besides 20 (typeOrValueExists):
   * AD answers 68 (entryAlreadyExists). They mean other things too, so the group is read to confirm.
   */
  readonly memberAlreadyThereCodes: readonly number[];
  /**
   * Result codes a member delete may answer when the member is already gone, besides 16 (noSuchAttribute):
   * AD answers 53 (unwillingToPerform). They mean other things too, so the group is read to confirm.
   */
  readonly memberAlreadyGoneCodes: readonly number[];
  /** Attributes to read, operational ones named explicitly: slapd returns those only when asked. */
  readonly readAttributes: string[];
  userDn(usersDN: string, username: string): string;
  /** What to tell the supplier with the one-time password, where using it once is not enough; else undefined. */
  firstSignIn(usersDN: string, username: string): string | undefined;
  newEntry(spec: AccountSpec, password: string): Attribute[];
  /** Brings an entry of the same grant to the requested state with a new password (a retried create). */
  refreshChanges(spec: AccountSpec, password: string): Change[];
  /**
   * The changes that undo `disableChanges` on an entry taken over from a closed grant, applied before
   * `refreshChanges` (which moves the expiry and sets the password); empty when the entry is not disabled.
   */
  enableChanges(entry: Entry): Change[];
  expiryChanges(expiresAt: string): Change[];
  /** The changes that disable the account for good; empty when it already is, so a repeat writes nothing. */
  disableChanges(entry: Entry, now: Date): Change[];
  rotateChanges(secret: string): Change[];
  /**
   * The changes that give an existing account (a shared one) a password it signs in with at once: no change asked
   * at first use, nothing else touched.
   */
  resetChanges(password: string): Change[];
  /**
   * What puts back the lock an entry had `before` a password write and lost with it (`after`); empty when nothing
   * was lost. Only the lock itself: a shared account's expiry is its custodian's, never moved by us.
   */
  lockKeptChanges(before: Entry, after: Entry): Change[];
  /**
   * How many times a rotation replaces the password, each time with a new random one. AD keeps accepting the
   * previous password for an hour after a reset (its "old password allowed period", for NTLM and, on Samba,
   * simple binds): only a second reset pushes the supplier's password out of reach.
   */
  readonly rotationRounds: number;
  readEntry(entry: Entry): EntryState;
  /**
   * A service account for a supplier's integration: marked as one (`employeeType: service`), its expiry attached as
   * for supplier accounts, and its password usable at once (no change asked at first use: an application cannot
   * change it).
   */
  serviceEntry(spec: ServiceSpec, password: string): Attribute[];
  /** Brings a service account of the same grant to the requested state with a new password (a retried create). */
  serviceRefreshChanges(spec: ServiceSpec, password: string): Change[];
}

/** How a service account is marked, in every dialect (inetOrgPerson and AD users both have `employeeType`). */
export const SERVICE_ACCOUNT_TYPE = 'service';

/** How the owning grant is written in `description`, so a retry can recognise its own account. */
export function grantDescription(grantId: string): string {
  return `supplier-access grant ${grantId}`;
}

/** The grant id from `description` values, when one of them was written by us. */
export function grantIdFrom(descriptions: string[]): string | undefined {
  for (const d of descriptions) {
    const m = /^supplier-access grant (.+)$/s.exec(d);
    if (m) return m[1];
  }
  return undefined;
}

/** The attributes a dialect keeps the account's names in. */
export interface NameAttributes {
  username: string;
  displayName: string;
  organisation: string;
}

/**
 * An entry's state, read the same way in every dialect: its names from `names`, the owning grant from
 * `description`; whether it is enabled and until when are the dialect's own reading.
 */
export function entryState(
  entry: Entry,
  names: NameAttributes,
  access: Pick<EntryState, 'enabled' | 'expiresAt'>,
): EntryState {
  return {
    username: first(entry, names.username) ?? '',
    externalId: entry.dn,
    displayName: first(entry, names.displayName) ?? '',
    ...access,
    grantId: grantIdFrom(values(entry, 'description')),
    organisation: first(entry, names.organisation),
  };
}
