import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapProvider } from '../../providers/ldap/index.js';
import { startLocalSlapd, type LocalSlapd } from '../../src/local-stack/slapd.js';
import { inDays, token } from '../helpers/kit.js';
import { readEntry } from '../helpers/ldap.js';
import { serviceSignsIn } from '../helpers/sign-in.js';
import { serviceCredentialContract } from './service-credential-contract.js';

let dir: string;
let slapd: LocalSlapd;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'supplier-access-ldap-svc-'));
  slapd = await startLocalSlapd({ dataDir: dir });
});
afterAll(async () => {
  await slapd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const userDn = (username: string): string => `uid=${username},${slapd.usersDN}`;

function provider() {
  const { url, bindDN, bindPassword, usersDN, groupsDN } = slapd;
  return createLdapProvider({ url, bindDN, bindPassword, usersDN, groupsDN });
}

/** A service account an administrator made by hand in the supplier OU, outside supplier-access. */
async function addServiceAccountByHand(uid: string): Promise<void> {
  const client = new Client({ url: slapd.url });
  try {
    await client.bind(slapd.bindDN, slapd.bindPassword);
    await client.add(userDn(uid), {
      objectClass: 'inetOrgPerson',
      uid,
      cn: `${uid} (made by hand)`,
      sn: 'Integration',
      employeeType: 'service',
      userPassword: 'Someone-Elses-Passw0rd-123',
    });
  } finally {
    await client.unbind();
  }
}

serviceCredentialContract('ldap (OpenLDAP)', async () => ({
  provider: provider(),
  maxNameLength: 64,
  signsIn: (credential) =>
    serviceSignsIn({ kind: 'openldap', slapd }, userDn(credential.username), credential.password),
  missingRef: (name) => ({ username: name, externalId: userDn(name), displayName: name }),
  makeForeign: addServiceAccountByHand,
  holdsExpiry: true,
  kind: 'service-account',
  secretLength: 48,
}));

describe('ldap service accounts on OpenLDAP', () => {
  it('is a supplier-OU entry marked as a service account, with its expiry, asked no change at first use', async () => {
    const ldap = provider();
    const spec = {
      username: `svc-${token()}`,
      organisation: 'Acme Ltd',
      displayName: 'Acme Ltd (supplier integration)',
      grantId: `grant-${token()}`,
      expiresAt: inDays(30),
    };
    const { account } = await ldap.createServiceCredential(spec);
    expect(account.externalId).toBe(userDn(spec.username));
    const entry = await readEntry(slapd, account.externalId);
    expect(entry?.employeeType).toEqual(['service']);
    expect(entry?.pwdReset ?? []).toEqual([]);
    expect(entry?.pwdEndTime).toBeDefined();

    // A supplier's person account in the same OU is no service account for the inventory.
    await ldap.createAccount({
      ...spec,
      username: `sup-${token()}`,
      grantId: `grant-${token()}`,
      groups: [],
    });
    const listed = await ldap.listServiceCredentials();
    expect(listed.every((s) => s.kind === 'service-account')).toBe(true);
    expect(listed.map((s) => s.name)).toContain(spec.username);
    expect(listed.some((s) => s.name.startsWith('sup-'))).toBe(false);

    await ldap.closeServiceCredential(account);
    const closed = await readEntry(slapd, account.externalId);
    expect(closed?.pwdAccountLockedTime).toEqual(['000001010000Z']);
    await ldap.close();
  });
});
