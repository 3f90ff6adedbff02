import { describe, expect, it } from 'vitest';
import {
  accountNameCandidate,
  hasNameCharacter,
  NAME_HASH_LENGTH,
  serviceNameCandidate,
  supplierDisplayName,
  supplierKey,
} from '../../domain/naming.js';
import { LDAP_USERNAME_LIMITS } from '../../providers/ldap/config.js';

/** AD's sAMAccountName, the shortest limit of any provider. */
const AD = LDAP_USERNAME_LIMITS.ad;
const name = (organisation: string, limit = 64, attempt = 1) =>
  accountNameCandidate('sup-', supplierKey(organisation), limit, attempt);

describe('accountNameCandidate', () => {
  it('is the prefix and the supplier key when it fits, every letter kept', () => {
    expect(name('Ørsted A/S')).toBe('sup-orsted-a-s');
    expect(name('Rsted A/S')).toBe('sup-rsted-a-s');
    expect(name('Łódź Sp. z o.o.')).toBe('sup-lodz-sp-z-oo');
    expect(name('ß GmbH')).toBe('sup-ss-gmbh');
    expect(name('Acme, Inc.', AD)).toBe('sup-acme-inc');
  });

  it('names "A&B", "A+B" and "A.B. Plumbing" apart', () => {
    expect(name('A&B Plumbing')).toBe('sup-a-and-b-plumbing');
    expect(name('A+B Plumbing')).toBe('sup-a-plus-b-plumbing');
    expect(name('A.B. Plumbing')).toBe('sup-ab-plumbing');
  });

  it('cuts a long name to the limit and ends it with 13 base-36 characters of hash (64 bits)', () => {
    const cut = name('International Business Machines', AD);
    expect(cut).toMatch(/^sup-in-[0-9a-z]{13}$/);
    expect(cut).toHaveLength(AD);
    expect(36 ** NAME_HASH_LENGTH).toBeGreaterThan(2 ** 64);
    expect(name('International Business Machines', AD)).toBe(cut);
    const long = name('x'.repeat(100), 64);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^sup-x+-[0-9a-z]{13}$/);
  });

  it("gives different names to the long names today's release cut to one", () => {
    const [a, b] = [
      'Consolidated Northern Industrial Maintenance and Refrigeration Services Branch 1676',
      'Consolidated Northern Industrial Maintenance and Refrigeration Services Branch 2539',
    ].map((o) => name(o));
    expect(a).not.toBe(b);
    const onAd = ['Consolidated Widgets Europe', 'Consolidated Widgets America'].map((o) => name(o, AD));
    expect(onAd[0]).not.toBe(onAd[1]);
  });

  it('never leaves a double dash where the cut meets the hash', () => {
    expect(name('abcdefgh ijklmnopqrstuvwxyz', 27)).toMatch(/^sup-abcdefgh-[0-9a-z]{13}$/);
  });

  it('suffixes later candidates, each within the limit and different from the others', () => {
    expect(name('Rsted A/S', 64, 2)).toBe('sup-rsted-a-s-2');
    expect(name('Rsted A/S', 64, 3)).toBe('sup-rsted-a-s-3');
    const onAd = [1, 2, 3].map((attempt) => name('Rsted A/S Denmark', AD, attempt));
    expect(new Set(onAd).size).toBe(3);
    for (const candidate of onAd) expect(candidate.length).toBeLessThanOrEqual(AD);
  });

  it('keeps the whole prefix, with the hash alone after it when the prefix leaves no room for a letter', () => {
    expect(accountNameCandidate('extern-', 'acme-holdings-group', AD)).toMatch(/^extern-[0-9a-z]{13}$/);
    expect(() => accountNameCandidate('external-', 'acme-holdings', AD)).toThrow(RangeError);
    expect(() => accountNameCandidate('sup-', '', 64)).toThrow(RangeError);
  });
});

describe('serviceNameCandidate', () => {
  const service = (organisation: string, limit = 64, attempt = 1) =>
    serviceNameCandidate('sup-', supplierKey(organisation), limit, attempt);

  it("is the supplier's account name with -svc, never the account name itself", () => {
    expect(service('Acme Robots inc.')).toBe('sup-acme-robots-inc-svc');
    expect(service('Acme Robots inc.', 64, 2)).toBe('sup-acme-robots-inc-2-svc');
    expect(service('Acme Robots inc.')).not.toBe(name('Acme Robots inc.'));
  });

  it("keeps the suffix within the provider's limit, and two long names apart", () => {
    const long = 'Société de maintenance informatique du Bas-Saint-Laurent';
    const first = service(long, 40);
    expect(first.length).toBeLessThanOrEqual(40);
    expect(first.endsWith('-svc')).toBe(true);
    expect(service(`${long} 2`, 40)).not.toBe(first);
  });

  it("fits AD's 20 characters, apart from the supplier's account", () => {
    for (const organisation of ['Acme', 'Société de maintenance informatique']) {
      const named = service(organisation, AD);
      expect(named.length).toBeLessThanOrEqual(AD);
      expect(named.startsWith('sup-')).toBe(true);
      expect(named).not.toBe(name(organisation, AD));
    }
  });
});

describe('hasNameCharacter', () => {
  it('takes a letter or digit of any script, and nothing else', () => {
    expect(hasNameCharacter('Ø')).toBe(true);
    expect(hasNameCharacter('北京')).toBe(true);
    expect(hasNameCharacter('7')).toBe(true);
    expect(hasNameCharacter('*)(&')).toBe(false);
    expect(hasNameCharacter('🚀🎉')).toBe(false);
    expect(hasNameCharacter('   ')).toBe(false);
    expect(hasNameCharacter('')).toBe(false);
  });
});

describe('supplierDisplayName', () => {
  it('keeps the organisation as written and marks it as a supplier', () => {
    expect(supplierDisplayName('  Acme, Inc. ')).toBe('Acme, Inc. (supplier)');
  });
});

describe('supplierKey', () => {
  it('keeps every letter, transliterated', () => {
    expect(supplierKey('Ørsted A/S')).toBe('orsted-a-s');
    expect(supplierKey('Łódź Sp. z o.o.')).toBe('lodz-sp-z-oo');
    expect(supplierKey('ß GmbH')).toBe('ss-gmbh');
    expect(supplierKey('Æble ApS')).toBe('aeble-aps');
  });

  it('is one key for every spelling of one name', () => {
    const key = supplierKey('Straße & Söhne');
    expect(supplierKey('Strasse & Söhne')).toBe(key);
    expect(supplierKey('  STRASSE  &  SÖHNE ')).toBe(key);
    expect(supplierKey('Strasse & So\u0308hne')).toBe(key);
  });

  it('tells apart names a person reads as different firms', () => {
    const keys = ['A&B Plumbing', 'A+B Plumbing', 'A.B. Plumbing', 'Rsted A/S', 'Ørsted A/S'].map(
      supplierKey,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('leaves emoji out: they are pictures, not letters', () => {
    expect(supplierKey('🚀 Rocket Supplies')).toBe('rocket-supplies');
    expect(supplierKey('🇩🇪🇫🇷 Flags GmbH')).toBe('flags-gmbh');
    expect(supplierKey('👩‍👩‍👧‍👦 Family Shop')).toBe('family-shop');
    expect(supplierKey('🚀🎉')).toBe('');
    expect(supplierKey('© Acme ™')).toBe('c-acme-tm');
  });

  it('is empty when the name has no letter or digit', () => {
    expect(supplierKey(' — & ')).toBe('and');
    expect(supplierKey('…')).toBe('');
  });
});
