import { Attribute, Change } from 'ldapts';
import type { ServiceSpec } from '../service-types.js';
import type { AccountSpec } from '../types.js';
import {
  AD_LIMITS,
  adFirstSignIn,
  encodeUnicodePwd,
  fitTo,
  isDisabled,
  isoToAdTicks,
  parseUac,
  UAC,
  withDisabled,
  withEnabled,
  adTicksToIso,
} from './ad.js';
import { LDAP_USERNAME_LIMITS } from './config.js';
import { ResultCode } from './connection.js';
import { entryState, grantDescription, SERVICE_ACCOUNT_TYPE, type Dialect } from './dialect.js';
import { escapeDnValue, first } from './syntax.js';

const attr = (type: string, vals: string[] | Buffer[]): Attribute => new Attribute({ type, values: vals });
const replace = (type: string, vals: string[] | Buffer[]): Change =>
  new Change({ operation: 'replace', modification: attr(type, vals) });

/**
 * The attributes that describe the account, each within its AD limit: the API takes organisations of up to 128
 * characters and AD's `company` holds 64, so the organisation is cut there (the registry keeps it whole).
 */
function descriptive(spec: AccountSpec): Record<string, string[]> {
  const { contactEmail } = spec;
  return {
    displayName: [fitTo(spec.displayName, AD_LIMITS.displayName)],
    company: [fitTo(spec.organisation, AD_LIMITS.company)],
    // A cut address would reach somebody else: one too long for AD is left out (the API's limit, 254, fits).
    mail: contactEmail && contactEmail.length <= AD_LIMITS.mail ? [contactEmail] : [],
    description: [fitTo(grantDescription(spec.grantId), AD_LIMITS.description)],
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
 * Active Directory: `accountExpires` holds the expiry (AD refuses sign-in after it), ACCOUNTDISABLE in
 * `userAccountControl` disables, `pwdLastSet: 0` asks for a new password at first sign-in. Passwords go to
 * `unicodePwd`, which AD only accepts over TLS (`ldaps://`). Tested against a Samba AD domain controller.
 */
export const adDialect: Dialect = {
  // sAMAccountName holds at most 20 characters.
  maxUsernameLength: LDAP_USERNAME_LIMITS.ad,
  nameAttribute: 'sAMAccountName',
  userObjectClass: 'user',
  groupObjectClass: 'group',
  // AD groups may be empty.
  placeholderMember: undefined,
  // Where slapd answers 20 and 16, AD answers 68 (entryAlreadyExists) and 53 (unwillingToPerform).
  memberAlreadyThereCodes: [ResultCode.entryAlreadyExists],
  memberAlreadyGoneCodes: [ResultCode.unwillingToPerform],
  readAttributes: [
    'sAMAccountName',
    'displayName',
    'company',
    'description',
    'employeeType',
    'accountExpires',
    'userAccountControl',
  ],

  userDn: (usersDN, username) => `CN=${escapeDnValue(username)},${usersDN}`,
  firstSignIn: (usersDN, username) => adFirstSignIn(username, usersDN),

  newEntry(spec, password) {
    const fields: Record<string, string[]> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      cn: [spec.username],
      sAMAccountName: [spec.username],
      ...descriptive(spec),
      accountExpires: [isoToAdTicks(spec.expiresAt)],
      userAccountControl: [String(UAC.NORMAL_ACCOUNT)],
      pwdLastSet: ['0'],
    };
    const attributes = Object.entries(fields)
      .filter(([, vals]) => vals.length > 0)
      .map(([type, vals]) => attr(type, vals));
    return [...attributes, attr('unicodePwd', [encodeUnicodePwd(password)])];
  },

  refreshChanges(spec, password) {
    const fields = Object.entries(descriptive(spec)).map(([type, vals]) => replace(type, vals));
    return [
      ...fields,
      ...this.expiryChanges(spec.expiresAt),
      replace('unicodePwd', [encodeUnicodePwd(password)]),
      replace('pwdLastSet', ['0']),
    ];
  },

  enableChanges(entry) {
    const uac = parseUac(first(entry, 'userAccountControl'));
    return isDisabled(uac) ? [replace('userAccountControl', [String(withEnabled(uac))])] : [];
  },

  expiryChanges: (expiresAt) => [replace('accountExpires', [isoToAdTicks(expiresAt)])],

  disableChanges(entry) {
    const uac = parseUac(first(entry, 'userAccountControl'));
    return isDisabled(uac) ? [] : [replace('userAccountControl', [String(withDisabled(uac))])];
  },

  rotateChanges: (secret) => [replace('unicodePwd', [encodeUnicodePwd(secret)])],
  // The supplier's password would still sign in for an hour as "the previous one" after a single reset.
  rotationRounds: 2,

  // `pwdLastSet: -1` stamps the password as set now, so an account created (or reset) with `pwdLastSet: 0` is not
  // left asking for a change at next sign-in, which would refuse LDAP binds (data 773). Samba stamps it with the
  // reset anyway; written explicitly, as Active Directory Users and Computers does, it does not depend on that.
  resetChanges: (password) => [
    replace('unicodePwd', [encodeUnicodePwd(password)]),
    replace('pwdLastSet', ['-1']),
  ],

  // A password reset leaves userAccountControl alone: a disabled account stays disabled by itself.
  lockKeptChanges: () => [],

  // `pwdLastSet: -1` stamps the password as set now: no change asked at first sign-in, which would refuse the
  // application's binds (data 773).
  serviceEntry(spec, password) {
    const fields: Record<string, string[]> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      cn: [spec.username],
      sAMAccountName: [spec.username],
      ...serviceDescriptive(spec),
      accountExpires: [isoToAdTicks(spec.expiresAt)],
      userAccountControl: [String(UAC.NORMAL_ACCOUNT)],
      pwdLastSet: ['-1'],
    };
    const attributes = Object.entries(fields)
      .filter(([, vals]) => vals.length > 0)
      .map(([type, vals]) => attr(type, vals));
    return [...attributes, attr('unicodePwd', [encodeUnicodePwd(password)])];
  },

  serviceRefreshChanges(spec, password) {
    const fields = Object.entries(serviceDescriptive(spec)).map(([type, vals]) => replace(type, vals));
    return [
      ...fields,
      ...this.expiryChanges(spec.expiresAt),
      replace('unicodePwd', [encodeUnicodePwd(password)]),
      replace('pwdLastSet', ['-1']),
    ];
  },

  readEntry: (entry) =>
    entryState(
      entry,
      { username: 'sAMAccountName', displayName: 'displayName', organisation: 'company' },
      {
        enabled: !isDisabled(parseUac(first(entry, 'userAccountControl'))),
        expiresAt: adTicksToIso(first(entry, 'accountExpires')),
      },
    ),
};
