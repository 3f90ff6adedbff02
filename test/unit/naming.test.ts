import { describe, expect, it } from 'vitest';
import { accountName, slug, supplierDisplayName, supplierKey } from '../../domain/naming.js';

describe('slug', () => {
  it('drops diacritics and folds compatibility characters', () => {
    expect(slug('Ünïcödé Ltd')).toBe('unicode-ltd');
    expect(slug('Société Générale')).toBe('societe-generale');
    expect(slug('ﬁrm № 1')).toBe('firm-no-1');
  });

  it('turns every run of punctuation and spaces into one dash, trimmed', () => {
    expect(slug('Acme, Inc.')).toBe('acme-inc');
    expect(slug('--A && B--')).toBe('a-b');
    expect(slug('*)(uid=*')).toBe('uid');
    expect(slug('  R&D   GmbH  ')).toBe('r-d-gmbh');
  });
});

describe('accountName', () => {
  it('is prefix + slug when it fits', () => {
    expect(accountName('sup-', 'Acme, Inc.', 20)).toBe('sup-acme-inc');
    expect(accountName('sup-', 'a'.repeat(16), 20)).toBe(`sup-${'a'.repeat(16)}`);
  });

  it('cuts to the limit with a stable six-character hash', () => {
    const name = accountName('sup-', 'International Business Machines', 20);
    expect(name).toMatch(/^sup-[a-z0-9-]+-[0-9a-f]{6}$/);
    expect(name?.length).toBeLessThanOrEqual(20);
    expect(accountName('sup-', 'International Business Machines', 20)).toBe(name);
  });

  it('gives different names to long names that share their start', () => {
    const a = accountName('sup-', 'Consolidated Widgets Europe', 20);
    const b = accountName('sup-', 'Consolidated Widgets America', 20);
    expect(a?.slice(0, 13)).toBe(b?.slice(0, 13));
    expect(a).not.toBe(b);
  });

  it('never leaves a double dash where the cut meets the hash', () => {
    const name = accountName('sup-', 'abcdefgh ijklmnopqrst', 20);
    expect(name).toMatch(/^sup-abcdefgh-[0-9a-f]{6}$/);
  });

  it('is null when the organisation has no letter or digit', () => {
    expect(accountName('sup-', '', 20)).toBeNull();
    expect(accountName('sup-', '   ', 20)).toBeNull();
    expect(accountName('sup-', '!!! ***', 20)).toBeNull();
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

  it('is empty when the name has no letter or digit', () => {
    expect(supplierKey(' — & ')).toBe('and');
    expect(supplierKey('…')).toBe('');
  });
});
