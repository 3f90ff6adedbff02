// The pure AD mapping (ticks, unicodePwd, userAccountControl, attribute limits, the entry and changes the AD
// dialect sends); the conversation with a domain controller is tested in ad.test.ts.
import type { Attribute, Change, Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { adDialect } from '../../providers/ldap/ad-dialect.js';
import {
  AD_LIMITS,
  adTicksToIso,
  dnsDomainOf,
  fitTo,
  encodeUnicodePwd,
  isDisabled,
  isoToAdTicks,
  parseUac,
  UAC,
  withDisabled,
  withEnabled,
} from '../../providers/ldap/ad.js';
import type { AccountSpec } from '../../providers/types.js';

const spec: AccountSpec = {
  username: 'sup-acme',
  organisation: 'Acme, Inc.',
  displayName: 'Acme, Inc. (supplier)',
  contactEmail: 'it@acme.test',
  grantId: 'grant-1',
  expiresAt: '2025-01-01T00:00:00.000Z',
  groups: [],
};

const asMap = (attributes: Attribute[]): Record<string, (string | Buffer)[]> =>
  Object.fromEntries(attributes.map((a) => [a.type, [...a.values]]));
const changed = (changes: Change[]): [string, string, (string | Buffer)[]][] =>
  changes.map((c) => [c.operation, c.modification.type, [...c.modification.values]]);

describe('accountExpires ticks', () => {
  it('counts 100-ns intervals since 1601-01-01 UTC', () => {
    expect(isoToAdTicks('1601-01-01T00:00:00.000Z')).toBe('0');
    expect(isoToAdTicks('1970-01-01T00:00:00.000Z')).toBe('116444736000000000');
    expect(isoToAdTicks('2025-01-01T00:00:00.000Z')).toBe('133801632000000000');
  });

  it('converts back to the same instant, to the millisecond', () => {
    for (const iso of ['2025-01-01T00:00:00.000Z', '2031-07-15T13:45:30.123Z', '1999-12-31T23:59:59.999Z']) {
      expect(adTicksToIso(isoToAdTicks(iso))).toBe(iso);
    }
    expect(adTicksToIso('133801632009999999')).toBe('2025-01-01T00:00:00.999Z');
  });

  it('reads "never" (0 and 2^63-1) and garbage as no expiry', () => {
    for (const ticks of ['0', '9223372036854775807', 'soon', '', undefined])
      expect(adTicksToIso(ticks)).toBeUndefined();
  });

  it('refuses an instant that is not ISO-8601', () => {
    expect(() => isoToAdTicks('next tuesday')).toThrow(RangeError);
  });
});

describe('unicodePwd', () => {
  it('is the password in double quotes, UTF-16LE', () => {
    expect(encodeUnicodePwd('ab')).toEqual(Buffer.from([0x22, 0, 0x61, 0, 0x62, 0, 0x22, 0]));
    expect(encodeUnicodePwd('é')).toEqual(Buffer.from([0x22, 0, 0xe9, 0, 0x22, 0]));
    expect(encodeUnicodePwd('😀').length).toBe(8); // a surrogate pair between the quotes
  });
});

describe('userAccountControl', () => {
  it('sets ACCOUNTDISABLE and keeps every other flag', () => {
    expect(withDisabled(UAC.NORMAL_ACCOUNT)).toBe(0x202);
    expect(withDisabled(0x10200)).toBe(0x10202); // DONT_EXPIRE_PASSWORD survives
    expect(withDisabled(0x202)).toBe(0x202);
    expect(isDisabled(0x202)).toBe(true);
    expect(isDisabled(0x200)).toBe(false);
  });

  it('clears ACCOUNTDISABLE and keeps every other flag', () => {
    expect(withEnabled(0x202)).toBe(UAC.NORMAL_ACCOUNT);
    expect(withEnabled(0x10202)).toBe(0x10200); // DONT_EXPIRE_PASSWORD survives
    expect(withEnabled(0x200)).toBe(0x200);
    expect(withEnabled(withDisabled(0x10200))).toBe(0x10200);
  });

  it('reads a missing or unreadable value as a normal account', () => {
    expect(parseUac('514')).toBe(514);
    expect(parseUac(undefined)).toBe(UAC.NORMAL_ACCOUNT);
    expect(parseUac('x')).toBe(UAC.NORMAL_ACCOUNT);
  });
});

describe('AD dialect', () => {
  it('names the entry CN=<username> and escapes the value', () => {
    expect(adDialect.userDn('OU=Suppliers,DC=corp,DC=test', 'sup-acme')).toBe(
      'CN=sup-acme,OU=Suppliers,DC=corp,DC=test',
    );
    expect(adDialect.userDn('OU=S', 'a,b')).toBe('CN=a\\,b,OU=S');
    expect(adDialect.maxUsernameLength).toBe(20);
  });

  it('creates an enabled user that must change its password and expires with the grant', () => {
    const entry = asMap(adDialect.newEntry(spec, 'Pa55word!'));
    expect(entry['objectClass']).toContain('user');
    expect(entry['sAMAccountName']).toEqual(['sup-acme']);
    expect(entry['company']).toEqual(['Acme, Inc.']);
    expect(entry['description']).toEqual(['supplier-access grant grant-1']);
    expect(entry['accountExpires']).toEqual(['133801632000000000']);
    expect(entry['userAccountControl']).toEqual(['512']);
    expect(entry['pwdLastSet']).toEqual(['0']);
    expect(entry['unicodePwd']).toEqual([encodeUnicodePwd('Pa55word!')]);
  });

  it('disables by setting the flag once, and writes nothing when already disabled', () => {
    const user = (uac: string): Entry => ({ dn: 'CN=sup-acme,OU=S', userAccountControl: uac });
    expect(changed(adDialect.disableChanges(user('66048'), new Date()))).toEqual([
      ['replace', 'userAccountControl', ['66050']],
    ]);
    expect(adDialect.disableChanges(user('514'), new Date())).toEqual([]);
  });

  it('moves the expiry and rotates through unicodePwd', () => {
    expect(changed(adDialect.expiryChanges('1970-01-01T00:00:00.000Z'))).toEqual([
      ['replace', 'accountExpires', ['116444736000000000']],
    ]);
    const [rotate] = changed(adDialect.rotateChanges('secret'));
    expect(rotate).toEqual(['replace', 'unicodePwd', [encodeUnicodePwd('secret')]]);
  });

  it('takes over the disabled user of a closed grant: enabled again, then marked, expiring and with a new password', () => {
    const user = (uac: string): Entry => ({ dn: 'CN=sup-acme,OU=S', userAccountControl: uac });
    expect(changed(adDialect.enableChanges(user('66050')))).toEqual([
      ['replace', 'userAccountControl', ['66048']],
    ]);
    expect(changed(adDialect.enableChanges(user('514')))).toEqual([
      ['replace', 'userAccountControl', ['512']],
    ]);
    expect(adDialect.enableChanges(user('512'))).toEqual([]);

    const next: AccountSpec = { ...spec, grantId: 'grant-2', expiresAt: '1970-01-01T00:00:00.000Z' };
    const refresh = changed(adDialect.refreshChanges(next, 'N3w-Pa55word!'));
    expect(refresh).toContainEqual(['replace', 'description', ['supplier-access grant grant-2']]);
    expect(refresh).toContainEqual(['replace', 'accountExpires', ['116444736000000000']]);
    expect(refresh).toContainEqual(['replace', 'unicodePwd', [encodeUnicodePwd('N3w-Pa55word!')]]);
    expect(refresh).toContainEqual(['replace', 'pwdLastSet', ['0']]);
  });

  it('reads an entry back as the account state', () => {
    const entry: Entry = {
      dn: 'CN=sup-acme,OU=S',
      sAMAccountName: 'sup-acme',
      displayName: 'Acme (supplier)',
      company: 'Acme',
      description: 'supplier-access grant grant-1',
      accountExpires: '133801632000000000',
      userAccountControl: '514',
    };
    expect(adDialect.readEntry(entry)).toEqual({
      username: 'sup-acme',
      externalId: 'CN=sup-acme,OU=S',
      displayName: 'Acme (supplier)',
      enabled: false,
      expiresAt: '2025-01-01T00:00:00.000Z',
      grantId: 'grant-1',
      organisation: 'Acme',
    });
  });
});

describe('AD attribute limits', () => {
  it('cuts to the limit in UTF-16 units, never through a character', () => {
    expect(fitTo('abc', 3)).toBe('abc');
    expect(fitTo('abcd', 3)).toBe('abc');
    expect(fitTo('ab😀', 3)).toBe('ab');
    expect(fitTo('a😀b', 3)).toBe('a😀');
    expect(fitTo('é'.repeat(70), 64)).toBe('é'.repeat(64));
  });

  it('writes every attribute within its limit for the longest request the API accepts', () => {
    // The API's limits: organisation 128 characters, contact e-mail 254; the grant id is the service's own.
    const organisation = '😀'.repeat(64);
    const longest: AccountSpec = {
      ...spec,
      username: 'sup-0123456789abcdef',
      organisation,
      displayName: `${organisation} (supplier)`,
      contactEmail: `${'a'.repeat(64)}@${'b'.repeat(184)}.test`,
      grantId: 'f'.repeat(36),
    };
    const limits: Record<string, number> = AD_LIMITS;
    const written = [
      ...adDialect.newEntry(longest, 'Pa55word!').map((a) => [a.type, a.values] as const),
      ...adDialect
        .refreshChanges(longest, 'Pa55word!')
        .map((c) => [c.modification.type, c.modification.values] as const),
    ];
    for (const [type, values] of written) {
      const limit = limits[type];
      if (limit === undefined) continue;
      for (const value of values) expect(String(value).length, type).toBeLessThanOrEqual(limit);
    }
    expect(asMap(adDialect.newEntry(longest, 'x'))['company']).toEqual(['😀'.repeat(32)]);
    expect(asMap(adDialect.newEntry(longest, 'x'))['mail']).toEqual([longest.contactEmail]);
  });

  it('leaves out a contact address too long for AD rather than cut it into another address', () => {
    const entry = asMap(adDialect.newEntry({ ...spec, contactEmail: `${'a'.repeat(250)}@b.test` }, 'x'));
    expect(entry['mail']).toBeUndefined();
  });
});

describe('AD first sign-in', () => {
  it('reads the DNS domain from the DC parts of a DN', () => {
    expect(dnsDomainOf('OU=Suppliers,DC=Corp,DC=Example')).toBe('corp.example');
    expect(dnsDomainOf('ou=suppliers, dc=corp, dc=example')).toBe('corp.example');
    expect(dnsDomainOf('ou=suppliers,o=corp')).toBeUndefined();
  });

  it('tells the supplier to change the one-time password through Windows or Kerberos', () => {
    expect(adDialect.firstSignIn('OU=Suppliers,DC=corp,DC=example', 'sup-acme')).toBe(
      'Change this one-time password first: Active Directory refuses it for LDAP sign-in until it is changed. ' +
        'Sign in to Windows as sup-acme@corp.example (it asks for a new password), or run: kpasswd sup-acme@CORP.EXAMPLE',
    );
  });
});
