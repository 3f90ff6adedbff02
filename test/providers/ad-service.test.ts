import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapProvider } from '../../providers/ldap/index.js';
import { UAC } from '../../providers/ldap/ad.js';
import { adSignIn, asDomainAdmin } from '../helpers/ad.js';
import { inDays, token } from '../helpers/kit.js';
import { startSambaDc, type SambaDc } from '../helpers/samba.js';
import { serviceSignsIn } from '../helpers/sign-in.js';
import { serviceCredentialContract } from './service-credential-contract.js';

/** Service accounts on a real domain controller (Samba AD): one DC per machine, so this file is slow and alone. */
let dc: SambaDc;

beforeAll(async () => {
  dc = await startSambaDc();
}, 120_000);
afterAll(async () => {
  await dc?.stop();
});

const userDn = (name: string): string => `CN=${name},${dc.usersDN}`;

function provider() {
  const { url, bindDN, bindPassword, usersDN, groupsDN, caFile } = dc;
  return createLdapProvider({ url, bindDN, bindPassword, usersDN, groupsDN, caFile, dialect: 'ad' });
}

/** A service account an administrator made by hand in the supplier OU (disabled: no password was set). */
async function addServiceAccountByHand(name: string): Promise<void> {
  await asDomainAdmin(dc, (client) =>
    client.add(userDn(name), {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      cn: name,
      sAMAccountName: name,
      employeeType: 'service',
      userAccountControl: String(UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE),
    }),
  );
}

serviceCredentialContract('ldap (Active Directory)', async () => ({
  provider: provider(),
  maxNameLength: 20,
  signsIn: (credential) =>
    serviceSignsIn({ kind: 'ad', dc }, userDn(credential.username), credential.password),
  missingRef: (name) => ({ username: name, externalId: userDn(name), displayName: name }),
  makeForeign: addServiceAccountByHand,
  holdsExpiry: true,
  kind: 'service-account',
  secretLength: 48,
}));

describe('ldap service accounts on Active Directory', () => {
  it('signs in at once (no change at first use), and is disabled once closed', async () => {
    const ad = provider();
    const { account, credential } = await ad.createServiceCredential({
      username: `svc-${token()}`,
      organisation: 'Acme Ltd',
      displayName: 'Acme Ltd (supplier integration)',
      grantId: `grant-${token()}`,
      expiresAt: inDays(30),
    });
    expect(await adSignIn(dc, userDn(account.username), credential!.password)).toBe('ok');
    await ad.closeServiceCredential(account);
    expect(await adSignIn(dc, userDn(account.username), credential!.password)).not.toBe('ok');
    const listed = (await ad.listServiceCredentials()).find((s) => s.id === account.externalId);
    expect(listed?.enabled).toBe(false);
    await ad.close();
  });
});
