import { Client, InvalidCredentialsError } from 'ldapts';
import type { LocalSlapd } from '../../src/local-stack/slapd.js';

/** Reads an entry as the directory holds it, operational attributes included. */
export async function readEntry(slapd: LocalSlapd, dn: string): Promise<Record<string, string[]> | null> {
  const client = new Client({ url: slapd.url });
  try {
    await client.bind(slapd.bindDN, slapd.bindPassword);
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      attributes: ['*', 'pwdEndTime', 'pwdAccountLockedTime', 'pwdReset', 'pwdChangedTime'],
    });
    const entry = searchEntries[0];
    if (!entry) return null;
    const out: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(entry)) {
      out[key] = (Array.isArray(value) ? value : [value]).map((v) =>
        Buffer.isBuffer(v) ? v.toString() : String(v),
      );
    }
    return out;
  } catch (err) {
    if ((err as { code?: number }).code === 32) return null;
    throw err;
  } finally {
    await client.unbind();
  }
}

/** The DNs of every entry under `base`, the base included. */
export async function listDNs(slapd: LocalSlapd, base = slapd.suffix): Promise<string[]> {
  const client = new Client({ url: slapd.url });
  try {
    await client.bind(slapd.bindDN, slapd.bindPassword);
    const { searchEntries } = await client.search(base, { scope: 'sub', attributes: ['dn'], paged: true });
    return searchEntries.map((e) => e.dn).sort();
  } finally {
    await client.unbind();
  }
}

/** Whether a simple bind with these credentials succeeds now. */
export async function canBind(url: string, dn: string, password: string): Promise<boolean> {
  const client = new Client({ url });
  try {
    await client.bind(dn, password);
    return true;
  } catch (err) {
    if (err instanceof InvalidCredentialsError) return false;
    throw err;
  } finally {
    await client.unbind();
  }
}

/**
 * Adds a person of our own staff (not a supplier) with a known password, under `ou=staff` of the stack's tree:
 * an existing account to lend. Answers its DN.
 */
export async function addStaffAccount(slapd: LocalSlapd, uid: string, password: string): Promise<string> {
  const client = new Client({ url: slapd.url });
  const staff = `ou=staff,${slapd.suffix}`;
  try {
    await client.bind(slapd.bindDN, slapd.bindPassword);
    await client.add(staff, { objectClass: 'organizationalUnit', ou: 'staff' }).catch((err: unknown) => {
      // 68: entryAlreadyExists, from an earlier account of the same test file.
      if ((err as { code?: number }).code !== 68) throw err;
    });
    const dn = `uid=${uid},${staff}`;
    await client.add(dn, {
      objectClass: 'inetOrgPerson',
      uid,
      cn: uid,
      sn: 'Staff',
      userPassword: password,
    });
    return dn;
  } finally {
    await client.unbind();
  }
}
