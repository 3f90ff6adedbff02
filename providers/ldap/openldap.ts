import { Attribute, Change } from 'ldapts';
import type { ServiceSpec } from '../service-types.js';
import type { AccountSpec } from '../types.js';
import { LDAP_USERNAME_LIMITS } from './config.js';
import { entryState, grantDescription, SERVICE_ACCOUNT_TYPE, type Dialect } from './dialect.js';
import { escapeDnValue, first, fromGeneralizedTime, toGeneralizedTime } from './syntax.js';

/** ppolicy's value for a lock that no lockout duration ever lifts. */
export const PERMANENT_LOCK = '000001010000Z';

const attr = (type: string, vals: string[]): Attribute => new Attribute({ type, values: vals });
const replace = (type: string, vals: string[]): Change =>
  new Change({ operation: 'replace', modification: attr(type, vals) });

/** The attributes that describe the supplier; written at creation and again by a retried create. */
function descriptive(spec: AccountSpec): Record<string, string[]> {
  return {
    cn: [spec.displayName],
    sn: [spec.organisation],
    o: [spec.organisation],
    mail: spec.contactEmail ? [spec.contactEmail] : [],
    description: [grantDescription(spec.grantId)],
  };
}

/** A service account's descriptive attributes: no contact address, and the service-account mark. */
function serviceDescriptive(spec: ServiceSpec): Record<string, string[]> {
  return {
    ...descriptive({ ...spec, contactEmail: undefined, groups: [] }),
    employeeType: [SERVICE_ACCOUNT_TYPE],
  };
}

/**
 * OpenLDAP 2.5+ with the ppolicy overlay: `pwdEndTime` holds the expiry and slapd refuses binds after it,
 * `pwdAccountLockedTime: 000001010000Z` locks for good, `pwdReset` asks for a new password at first use.
 */
export const openldapDialect: Dialect = {
  maxUsernameLength: LDAP_USERNAME_LIMITS.openldap,
  nameAttribute: 'uid',
  userObjectClass: 'inetOrgPerson',
  groupObjectClass: 'groupOfNames',
  // The empty DN names no entry: the group stays valid and grants nothing to anybody.
  placeholderMember: '',
  // slapd answers 20 and 16, which the provider takes as done everywhere.
  memberAlreadyThereCodes: [],
  memberAlreadyGoneCodes: [],
  readAttributes: ['uid', 'cn', 'o', 'description', 'employeeType', 'pwdEndTime', 'pwdAccountLockedTime'],

  userDn: (usersDN, username) => `uid=${escapeDnValue(username)},${usersDN}`,
  // A bind with the one-time password works (pwdReset only restricts it to changing the password).
  firstSignIn: () => undefined,

  newEntry(spec, password) {
    const fields: Record<string, string[]> = {
      objectClass: ['inetOrgPerson'],
      uid: [spec.username],
      ...descriptive(spec),
      userPassword: [password],
      pwdReset: ['TRUE'],
      pwdEndTime: [toGeneralizedTime(spec.expiresAt)],
    };
    return Object.entries(fields)
      .filter(([, vals]) => vals.length > 0)
      .map(([type, vals]) => attr(type, vals));
  },

  refreshChanges(spec, password) {
    // A replace with no values removes the attribute, so a dropped contact e-mail goes too.
    const fields = Object.entries(descriptive(spec)).map(([type, vals]) => replace(type, vals));
    return [
      ...fields,
      ...this.expiryChanges(spec.expiresAt),
      replace('userPassword', [password]),
      replace('pwdReset', ['TRUE']),
    ];
  },

  // The permanent lock goes (a replace with no values removes the attribute); the refresh then moves pwdEndTime,
  // which the disable had set to the instant of the disable, to the new grant's expiry.
  enableChanges: (entry) =>
    first(entry, 'pwdAccountLockedTime') === undefined ? [] : [replace('pwdAccountLockedTime', [])],

  expiryChanges: (expiresAt) => [replace('pwdEndTime', [toGeneralizedTime(expiresAt)])],

  disableChanges(entry, now) {
    const changes: Change[] = [];
    if (first(entry, 'pwdAccountLockedTime') !== PERMANENT_LOCK) {
      changes.push(replace('pwdAccountLockedTime', [PERMANENT_LOCK]));
    }
    // slapd ignores pwdAccountLockedTime unless the entry's policy has pwdLockout TRUE (the pwdPolicy default
    // is FALSE). An end time in the past is refused whatever the policy says, so set it too.
    const end = fromGeneralizedTime(first(entry, 'pwdEndTime'));
    if (end === undefined || Date.parse(end) > now.getTime()) {
      changes.push(replace('pwdEndTime', [toGeneralizedTime(now.toISOString())]));
    }
    return changes;
  },

  rotateChanges: (secret) => [replace('userPassword', [secret])],
  rotationRounds: 1,

  // An administrator's password write makes ppolicy set pwdReset (pwdMustChange): naming it in the same modify
  // keeps it off, so the password binds for everything at once.
  resetChanges: (password) => [replace('userPassword', [password]), replace('pwdReset', [])],

  lockKeptChanges(before, after) {
    const lock = first(before, 'pwdAccountLockedTime');
    return lock === undefined || first(after, 'pwdAccountLockedTime') !== undefined
      ? []
      : [replace('pwdAccountLockedTime', [lock])];
  },

  // No pwdReset: the application signs in with the password as it is.
  serviceEntry(spec, password) {
    const fields: Record<string, string[]> = {
      objectClass: ['inetOrgPerson'],
      uid: [spec.username],
      ...serviceDescriptive(spec),
      userPassword: [password],
      pwdEndTime: [toGeneralizedTime(spec.expiresAt)],
    };
    return Object.entries(fields)
      .filter(([, vals]) => vals.length > 0)
      .map(([type, vals]) => attr(type, vals));
  },

  // pwdReset named (empty) in the same modify: ppolicy's pwdMustChange sets it on an administrator's password write.
  serviceRefreshChanges(spec, password) {
    const fields = Object.entries(serviceDescriptive(spec)).map(([type, vals]) => replace(type, vals));
    return [
      ...fields,
      ...this.expiryChanges(spec.expiresAt),
      replace('userPassword', [password]),
      replace('pwdReset', []),
    ];
  },

  readEntry: (entry) =>
    entryState(
      entry,
      { username: 'uid', displayName: 'cn', organisation: 'o' },
      {
        enabled: first(entry, 'pwdAccountLockedTime') === undefined,
        expiresAt: fromGeneralizedTime(first(entry, 'pwdEndTime')),
      },
    ),
};
