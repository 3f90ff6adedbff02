import { Attribute, Change, type Entry } from 'ldapts';
import type { AccountSpec } from '../types.js';
import {
  encodeUnicodePwd,
  isDisabled,
  isoToAdTicks,
  parseUac,
  UAC,
  withDisabled,
  withEnabled,
  adTicksToIso,
} from './ad.js';
import { grantDescription, grantIdFrom, type Dialect, type EntryState } from './dialect.js';
import { escapeDnValue, first, values } from './syntax.js';

const attr = (type: string, vals: string[] | Buffer[]): Attribute => new Attribute({ type, values: vals });
const replace = (type: string, vals: string[] | Buffer[]): Change =>
  new Change({ operation: 'replace', modification: attr(type, vals) });

function descriptive(spec: AccountSpec): Record<string, string[]> {
  return {
    displayName: [spec.displayName],
    company: [spec.organisation],
    mail: spec.contactEmail ? [spec.contactEmail] : [],
    description: [grantDescription(spec.grantId)],
  };
}

/**
 * Active Directory: `accountExpires` holds the expiry (AD refuses sign-in after it), ACCOUNTDISABLE in
 * `userAccountControl` disables, `pwdLastSet: 0` asks for a new password at first sign-in. Passwords go to
 * `unicodePwd`, which AD only accepts over TLS (`ldaps://`). Untested against a real AD: only the pure
 * mapping in ad.ts is covered by tests.
 */
export const adDialect: Dialect = {
  // sAMAccountName holds at most 20 characters.
  maxUsernameLength: 20,
  nameAttribute: 'sAMAccountName',
  userObjectClass: 'user',
  groupObjectClass: 'group',
  // AD groups may be empty.
  placeholderMember: undefined,
  readAttributes: [
    'sAMAccountName',
    'displayName',
    'company',
    'description',
    'accountExpires',
    'userAccountControl',
  ],

  userDn: (usersDN, username) => `CN=${escapeDnValue(username)},${usersDN}`,

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

  readEntry(entry: Entry): EntryState {
    return {
      username: first(entry, 'sAMAccountName') ?? '',
      externalId: entry.dn,
      displayName: first(entry, 'displayName') ?? '',
      enabled: !isDisabled(parseUac(first(entry, 'userAccountControl'))),
      expiresAt: adTicksToIso(first(entry, 'accountExpires')),
      grantId: grantIdFrom(values(entry, 'description')),
      organisation: first(entry, 'company'),
    };
  },
};
