import { setTimeout as sleep } from 'node:timers/promises';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UAC, isoToAdTicks } from '../../providers/ldap/ad.js';
import { createLdapProvider } from '../../providers/ldap/index.js';
import { supplierDisplayName } from '../../domain/naming.js';
import type { IdentityProvider } from '../../providers/types.js';
import type { AccountRef } from '../../domain/account.js';
import { adSignIn, asDomainAdmin, kpasswd } from '../helpers/ad.js';
import { startSambaDc, type SambaDc } from '../helpers/samba.js';
import { providerContract } from './contract.js';
import { signsIn } from '../helpers/sign-in.js';
import { accountSpec, inDays, token } from './specs.js';

/**
 * The LDAP provider's Active Directory dialect against a real domain controller (Samba AD, from Debian): the
 * provider contract, and what only AD does — its limits, its result codes, its first sign-in.
 */
let dc: SambaDc;

beforeAll(async () => {
  dc = await startSambaDc();
}, 120_000);
afterAll(async () => {
  await dc?.stop();
});

const userDn = (username: string): string => `CN=${username},${dc.usersDN}`;

function provider(): IdentityProvider {
  const { url, bindDN, bindPassword, usersDN, groupsDN, caFile } = dc;
  return createLdapProvider({ url, bindDN, bindPassword, usersDN, groupsDN, caFile, dialect: 'ad' });
}

/** A security group made by hand, under `base` (default: the groups DN). */
async function newGroup(base = dc.groupsDN): Promise<string> {
  const name = `grp-${token()}`;
  const dn = `CN=${name},${base}`;
  await asDomainAdmin(dc, (c) => c.add(dn, { objectClass: ['top', 'group'], sAMAccountName: name }));
  return dn;
}

/** The entry as AD holds it, every value as text. */
async function entryOf(dn: string): Promise<Record<string, string[]>> {
  const [entry] = await asDomainAdmin(dc, async (c) => {
    const attributes = ['*', 'accountExpires', 'userAccountControl', 'pwdLastSet', 'memberOf'];
    return (await c.search(dn, { scope: 'base', attributes })).searchEntries;
  });
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(entry ?? {})) {
    out[key] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return out;
}

async function membersOf(group: string): Promise<string[]> {
  return (await entryOf(group)).member ?? [];
}

/** schemaIDGUIDs and rightsGUIDs (MS-ADSC, MS-ADTS) of the rights docs/configuration.md grants. */
const GUID = {
  user: 'bf967aba-0de6-11d0-a285-00aa003049e2',
  group: 'bf967a9c-0de6-11d0-a285-00aa003049e2',
  resetPassword: '00299570-246d-11d0-a768-00aa006e0529',
  member: 'bf9679c0-0de6-11d0-a285-00aa003049e2',
  userAccountControl: 'bf967a68-0de6-11d0-a285-00aa003049e2',
  accountExpires: 'bf967915-0de6-11d0-a285-00aa003049e2',
  pwdLastSet: 'bf967a0a-0de6-11d0-a285-00aa003049e2',
  displayName: 'bf967953-0de6-11d0-a285-00aa003049e2',
  company: 'f0f8ff88-1191-11d0-a060-00aa006c33ed',
  mail: 'bf967961-0de6-11d0-a285-00aa003049e2',
  description: 'bf967950-0de6-11d0-a285-00aa003049e2',
} as const;

/**
 * A plain domain user given exactly the docs' rights, as Delegate Control would: create users in the users OU;
 * on those users, reset the password and write the attributes the provider writes; on the groups, write `member`.
 */
async function delegatedServiceAccount(): Promise<{ bindDN: string; bindPassword: string }> {
  const name = `svc-${token()}`;
  const bindPassword = `Svc-${token()}-${token()}-9z!`;
  await dc.sambaTool('user', 'create', name, bindPassword);
  const sid = /objectSid: (S-[\d-]+)/.exec(
    await dc.sambaTool('user', 'show', name, '--attributes=objectSid'),
  )?.[1];
  if (!sid) throw new Error(`no objectSid for ${name}`);
  const written = [
    'userAccountControl',
    'accountExpires',
    'pwdLastSet',
    'displayName',
    'company',
    'mail',
    'description',
  ] as const;
  const onUsers = [
    `(OA;;CC;${GUID.user};;${sid})`,
    `(OA;CIIO;CR;${GUID.resetPassword};${GUID.user};${sid})`,
    ...written.map((attribute) => `(OA;CIIO;WP;${GUID[attribute]};${GUID.user};${sid})`),
  ];
  await dc.sambaTool('dsacl', 'set', `--objectdn=${dc.usersDN}`, `--sddl=${onUsers.join('')}`);
  const onGroups = `(OA;CIIO;WP;${GUID.member};${GUID.group};${sid})`;
  await dc.sambaTool('dsacl', 'set', `--objectdn=${dc.groupsDN}`, `--sddl=${onGroups}`);
  return { bindDN: `CN=${name},CN=Users,${dc.baseDN}`, bindPassword };
}

providerContract('ldap (Active Directory)', async () => ({
  provider: provider(),
  canSignIn: async (credential) => {
    const answer = await adSignIn(dc, userDn(credential.username), credential.password);
    // AD refuses a plain bind with the right one-time password until it is changed (data 773): that answer, and
    // only that one, proves the password is the account's. A wrong, rotated or disabled one answers otherwise.
    return answer === 'ok' || answer === 'must-change-password';
  },
  groups: [await newGroup()],
  missingGroup: `CN=missing-${token()},${dc.groupsDN}`,
  refusedGroups: {
    'a group outside the groups DN': await newGroup(`CN=Users,${dc.baseDN}`),
    'an entry under the groups DN that is not a group': dc.groupsDN,
    'a value that is not a DN': '*)(uid=*',
  },
  refFor: (username) => ({ username, externalId: userDn(username), displayName: username }),
  signsInAsIs: (credential) => signsIn({ kind: 'ad', dc }, userDn(credential.username), credential.password),
  lookupRefs: async (account) => ({ DN: account.externalId }),
  unknownRefs: { DN: userDn(`sup-none-${token()}`) },
  refusedRefs: { 'an account name': 'sup-someone', 'a filter': '*)(uid=*' },
  makeForeignAccount: async (username) => {
    await asDomainAdmin(dc, (c) =>
      c.add(userDn(username), {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: username,
        description: 'made by hand',
      }),
    );
  },
}));

describe('ldap provider against Active Directory (Samba AD DC)', () => {
  let ad: IdentityProvider;
  beforeAll(() => {
    ad = provider();
  });
  afterAll(async () => {
    await ad?.close();
  });

  const spec = (overrides = {}) => accountSpec('AD Test', 'sup-ad-', overrides);

  it('creates the account as AD expects it: sAMAccountName, accountExpires, enabled, in its groups', async () => {
    const group = await newGroup();
    const s = spec({ groups: [group], contactEmail: 'it@supplier.example' });
    const { account } = await ad.createAccount(s);
    const entry = await entryOf(account.externalId);
    expect(entry.sAMAccountName).toEqual([s.username]);
    expect(entry.accountExpires).toEqual([isoToAdTicks(s.expiresAt)]);
    expect(Number(entry.userAccountControl?.[0]) & UAC.ACCOUNTDISABLE).toBe(0);
    expect(entry.pwdLastSet).toEqual(['0']);
    expect(entry.company).toEqual([s.organisation]);
    expect(entry.mail).toEqual(['it@supplier.example']);
    expect(entry.memberOf).toEqual([group]);
  });

  it('fits an organisation of any length the API accepts into company (64 characters in AD)', async () => {
    // 128 UTF-16 units, the API's limit, with a character outside the BMP astride AD's limit.
    const organisation = `${'Électricité Côté & Fils '.repeat(3).slice(0, 63)}😀${'x'.repeat(63)}`;
    expect(organisation.length).toBe(128);
    const s = spec({ organisation, displayName: `${organisation} (supplier)` });
    const { account } = await ad.createAccount(s);
    const entry = await entryOf(account.externalId);
    // Cut before the emoji, never through it: AD counts UTF-16 units, and half a character is no text.
    expect(entry.company).toEqual([organisation.slice(0, 63)]);
    expect(entry.displayName).toEqual([`${organisation} (supplier)`]);
    expect((await ad.findAccount(s.username))?.grantId).toBe(s.grantId);
  });

  it.each(['*)(sAMAccountName=*', 'Acme, DC=evil', 'a)(|(objectClass=*)', 'x\\00y', 'Ünïcödé Ltd'])(
    'stores the organisation %j literally in company, as nothing else',
    async (organisation) => {
      const s = spec({ organisation, displayName: supplierDisplayName(organisation) });
      const { account } = await ad.createAccount(s);
      expect(account.externalId).toBe(userDn(s.username));
      expect((await entryOf(account.externalId)).company).toEqual([organisation]);
      expect((await ad.findAccount(s.username))?.organisation).toBe(organisation);
    },
  );

  it('takes a retried create with groups as done, though AD answers 68 for a member already there', async () => {
    const groups = [await newGroup(), await newGroup()];
    const s = spec({ groups });
    const first = await ad.createAccount(s);
    const again = await ad.createAccount(s);
    expect(again.account.externalId).toBe(first.account.externalId);
    for (const group of groups) expect(await membersOf(group)).toEqual([first.account.externalId]);
    expect(await adSignIn(dc, first.account.externalId, again.credential?.password ?? '')).toBe(
      'must-change-password',
    );
  });

  it('takes a member already gone as removed, though AD answers 53 for it', async () => {
    const groups = await Promise.all(Array.from({ length: 6 }, () => newGroup()));
    const { account } = await ad.createAccount(spec({ groups }));
    // The review and the expiry may close the same account at once: both find the memberships, one removes
    // each first, and the other is told it is already gone.
    const [a, b] = [provider(), provider()];
    try {
      await Promise.all([a.disableAccount(account), b.disableAccount(account)]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    for (const group of groups) expect(await membersOf(group)).toEqual([]);
    expect(await ad.findAccount(account.username)).toMatchObject({ enabled: false, groups: [] });
  });

  it('lets AD refuse sign-in after accountExpires by itself, without any call from us', async () => {
    const expiresAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000).toISOString();
    const { account, credential } = await ad.createAccount(spec({ expiresAt }));
    const password = credential?.password ?? '';
    expect(await adSignIn(dc, account.externalId, password)).toBe('must-change-password');
    await sleep(Date.parse(expiresAt) - Date.now() + 1500);
    expect(await adSignIn(dc, account.externalId, password)).toBe('expired');
    expect((await ad.findAccount(account.username))?.enabled).toBe(true);
  });

  it('tells the supplier how to sign in first, and that way works', async () => {
    const { account, credential } = await ad.createAccount(spec());
    expect(credential?.firstSignIn).toContain(`kpasswd ${account.username}@${dc.realm}`);
    const name = `${account.username}@supplier.test`;
    expect(credential?.firstSignIn).toContain(`Sign in to Windows as ${name}`);
    expect(await adSignIn(dc, name, credential?.password ?? '')).toBe('must-change-password');
    const chosen = `Chosen-by-supplier-${token()}!`;
    await kpasswd(dc, account.username, credential?.password ?? '', chosen);
    expect(await adSignIn(dc, name, chosen)).toBe('ok');
  });

  it('takes away at once the password the supplier chose, though AD accepts the previous one for an hour', async () => {
    const { account, credential } = await ad.createAccount(spec());
    const chosen = `Chosen-by-supplier-${token()}!`;
    await kpasswd(dc, account.username, credential?.password ?? '', chosen);
    await ad.disableAccount(account);
    await ad.rotateCredentials(account);
    expect(await adSignIn(dc, account.externalId, chosen)).toBe('wrong-password');
    // Someone enables it again by hand: the supplier's password still opens nothing.
    const enabled = new Attribute({ type: 'userAccountControl', values: [String(UAC.NORMAL_ACCOUNT)] });
    await asDomainAdmin(dc, (c) =>
      c.modify(account.externalId, new Change({ operation: 'replace', modification: enabled })),
    );
    expect(await adSignIn(dc, account.externalId, chosen)).toBe('wrong-password');
  });

  it('resetPassword: the new password binds at once (pwdLastSet stamped), the one the borrower used does not, even within AD’s hour', async () => {
    const { account, credential } = await ad.createAccount(spec());
    const borrowers = `Chosen-by-borrower-${token()}!`;
    await kpasswd(dc, account.username, credential?.password ?? '', borrowers);
    expect(await adSignIn(dc, account.externalId, borrowers)).toBe('ok');
    const reset = await ad.resetPassword(account);
    expect(reset.firstSignIn).toBeUndefined();
    expect((await entryOf(account.externalId)).pwdLastSet?.[0]).not.toBe('0');
    expect(await adSignIn(dc, account.externalId, reset.password)).toBe('ok');
    expect(await adSignIn(dc, `${account.username}@supplier.test`, reset.password)).toBe('ok');
    expect(await adSignIn(dc, account.externalId, borrowers)).toBe('wrong-password');
  });

  it('resetPassword leaves a disabled hand-made account disabled', async () => {
    const dn = userDn(`shared-${token()}`);
    await asDomainAdmin(dc, (c) =>
      c.add(dn, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: dn.slice(3, dn.indexOf(',')),
      }),
    );
    const before = await ad.lookupAccount(dn);
    expect(before).toMatchObject({ externalId: dn, enabled: false });
    const reset = await ad.resetPassword(before as AccountRef);
    expect(await ad.lookupAccount(dn)).toEqual(before);
    expect(await adSignIn(dc, dn, reset.password)).toBe('disabled');
  });

  it('runs every operation as a service account holding only the rights the docs list', async () => {
    const service = await delegatedServiceAccount();
    const { url, usersDN, groupsDN, caFile } = dc;
    const narrow = createLdapProvider({ url, usersDN, groupsDN, caFile, dialect: 'ad', ...service });
    try {
      const group = await newGroup();
      const s = spec({ groups: [group] });
      const { account } = await narrow.createAccount(s);
      await narrow.createAccount(s);
      await narrow.setExpiry(account, inDays(45));
      await narrow.disableAccount(account);
      await narrow.rotateCredentials(account);
      expect(await narrow.findAccount(s.username)).toMatchObject({ enabled: false, groups: [] });
      const again = await narrow.createAccount({
        ...s,
        grantId: `grant-${token()}`,
        reclaimable: [s.grantId],
      });
      expect(await narrow.findAccount(s.username)).toMatchObject({ enabled: true, groups: [group] });
      expect(await adSignIn(dc, account.externalId, again.credential?.password ?? '')).toBe(
        'must-change-password',
      );
      expect((await narrow.listAccounts('sup-ad-')).map((a) => a.username)).toContain(s.username);
      const reset = await narrow.resetPassword(account);
      expect(await adSignIn(dc, account.externalId, reset.password)).toBe('ok');
      expect(await narrow.lookupAccount(account.externalId)).toMatchObject({
        enabled: true,
        groups: [group],
      });
    } finally {
      await narrow.close();
    }
  });

  it('refuses a directory URL without TLS for AD, before connecting', () => {
    const { bindDN, bindPassword, usersDN } = dc;
    expect(() =>
      createLdapProvider({ url: 'ldap://127.0.0.1', bindDN, bindPassword, usersDN, dialect: 'ad' }),
    ).toThrow(/must be ldaps:\/\/host\[:port\] for Active Directory/);
  });

  it('trusts only the configured CA: without it, the DC certificate is refused', async () => {
    const { url, bindDN, bindPassword, usersDN } = dc;
    const untrusted = createLdapProvider({ url, bindDN, bindPassword, usersDN, dialect: 'ad' });
    try {
      await expect(untrusted.findAccount('sup-x')).rejects.toMatchObject({
        kind: 'transient',
        message: expect.stringMatching(/self[- ]signed certificate/),
      });
    } finally {
      await untrusted.close();
    }
  });

  it('keeps an expiry moved by setExpiry to the tick', async () => {
    const { account } = await ad.createAccount(spec());
    const later = inDays(60);
    await ad.setExpiry(account, later);
    expect((await entryOf(account.externalId)).accountExpires).toEqual([isoToAdTicks(later)]);
  });
});
