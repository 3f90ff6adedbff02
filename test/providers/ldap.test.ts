import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Attribute, Change, Client, EqualityFilter, InvalidCredentialsError, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError } from '../../providers/errors.js';
import { PERMANENT_LOCK } from '../../providers/ldap/openldap.js';
import { createLdapProvider } from '../../providers/ldap/index.js';
import { escapeDnValue, isWithinDn, toGeneralizedTime } from '../../providers/ldap/syntax.js';
import { accountNameCandidate, supplierDisplayName, supplierKey } from '../../domain/naming.js';
import type { AccountSpec, IdentityProvider } from '../../providers/types.js';
import { startLocalSlapd, type LocalSlapd } from '../../src/local-stack/slapd.js';
import { readEntry } from '../helpers/ldap.js';
import { providerContract } from './contract.js';
import { signIn, signsIn, type SignInTarget } from '../helpers/sign-in.js';
import { inDays, token } from '../helpers/kit.js';

let dir: string;
let slapd: LocalSlapd;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'supplier-access-ldap-'));
  slapd = await startLocalSlapd({ dataDir: dir });
});
afterAll(async () => {
  await slapd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const userDn = (username: string): string => `uid=${username},${slapd.usersDN}`;

function provider(): IdentityProvider {
  const { url, bindDN, bindPassword, usersDN, groupsDN } = slapd;
  return createLdapProvider({ url, bindDN, bindPassword, usersDN, groupsDN });
}

/** Runs `work` as the directory's root, outside the provider, to look at what it really wrote. */
async function asAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: slapd.url, timeout: 10_000 });
  try {
    await client.bind(slapd.bindDN, slapd.bindPassword);
    return await work(client);
  } finally {
    await client.unbind();
  }
}

/** A simple bind as the account, the way a supplier's application would sign in. */
async function bindAs(dn: string, password: string): Promise<void> {
  const client = new Client({ url: slapd.url, timeout: 10_000 });
  try {
    await client.bind(dn, password);
  } finally {
    await client.unbind();
  }
}

async function canBind(dn: string, password: string): Promise<boolean> {
  return bindAs(dn, password).then(
    () => true,
    (err: unknown) => {
      if (err instanceof InvalidCredentialsError) return false;
      throw err;
    },
  );
}

function spec(overrides: Partial<AccountSpec> = {}): AccountSpec {
  const organisation = overrides.organisation ?? `Ldap Test ${token()}`;
  return {
    username: `sup-lt-${token()}`,
    organisation,
    displayName: supplierDisplayName(organisation),
    grantId: `grant-${token()}`,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    groups: [],
    ...overrides,
  };
}

/** An entry of a supplier's name that an administrator made by hand: no grant in its description. */
async function addByHand(username: string): Promise<void> {
  await asAdmin((c) =>
    c.add(userDn(username), {
      objectClass: 'inetOrgPerson',
      uid: username,
      cn: 'made by hand',
      sn: 'Handmade',
      userPassword: 'someone-elses-password',
    }),
  );
}

async function newGroup(member: string, under = slapd.groupsDN): Promise<string> {
  const dn = `cn=g-${token()},${under}`;
  await asAdmin((c) => c.add(dn, { objectClass: 'groupOfNames', cn: dn.slice(3, dn.indexOf(',')), member }));
  return dn;
}

async function members(groupDn: string): Promise<string[]> {
  const [entry] = await asAdmin(
    async (c) => (await c.search(groupDn, { scope: 'base', attributes: ['member'] })).searchEntries,
  );
  const raw = entry?.['member'] ?? [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

async function countEntries(): Promise<number> {
  return asAdmin(async (c) => {
    const result = await c.search(slapd.suffix, {
      scope: 'sub',
      attributes: ['1.1'],
      paged: { pageSize: 500 },
    });
    return result.searchEntries.length;
  });
}

/** slapd's own answer to a bind (and a read after it, which a pending pwdReset refuses). */
const signInTo = (): SignInTarget => ({ kind: 'openldap', slapd });

providerContract('ldap', async () => ({
  provider: provider(),
  canSignIn: async (credential) =>
    (await signIn(signInTo(), userDn(credential.username), credential.password)) !== 'refused',
  signsInAsIs: (credential) => signsIn(signInTo(), userDn(credential.username), credential.password),
  lookupRefs: async (account) => ({ DN: account.externalId }),
  unknownRefs: {
    DN: userDn(`sup-none-${token()}`),
    'DN under an entry that does not exist': `uid=sup-none,ou=nowhere-${token()},${slapd.suffix}`,
  },
  refusedRefs: {
    'an account name': 'sup-someone',
    'a filter': '*)(uid=*',
    nothing: '',
    'an RDN without a value': `uid=,${slapd.usersDN}`,
  },
  groups: [await newGroup(`cn=someone-else,${slapd.suffix}`)],
  missingGroup: `cn=missing-${token()},${slapd.groupsDN}`,
  refusedGroups: {
    // A real group, but expiry looks for memberships under the groups DN only: the supplier would stay in it.
    'a group outside the groups DN': await newGroup(`cn=someone-else,${slapd.suffix}`, slapd.suffix),
    'a DN whose escaped comma only looks like the groups DN': `cn=x\\,${slapd.groupsDN}`,
    'an entry under the groups DN that is not a group': slapd.groupsDN,
    'a value that is not a DN': '*)(uid=*',
    'a malformed DN under the groups DN': `*)(uid=*,${slapd.groupsDN}`,
  },
  refFor: (username) => ({ username, externalId: userDn(username), displayName: username }),
  makeForeignAccount: (username) => addByHand(username),
}));

describe('ldap provider against OpenLDAP', () => {
  let ldap: IdentityProvider;
  beforeAll(() => {
    ldap = provider();
  });

  it('hands out a password that binds until the account is disabled', async () => {
    const { account, credential } = await ldap.createAccount(spec());
    await bindAs(account.externalId, credential?.password ?? '');
    await ldap.disableAccount(account);
    await expect(bindAs(account.externalId, credential?.password ?? '')).rejects.toMatchObject({ code: 49 });
    await expect(bindAs(account.externalId, credential?.password ?? '')).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });

  it('lets the directory refuse binds after pwdEndTime, without any call from us', async () => {
    const expiresAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toISOString();
    const { account, credential } = await ldap.createAccount(spec({ expiresAt }));
    expect(await canBind(account.externalId, credential?.password ?? '')).toBe(true);
    await sleep(Date.parse(expiresAt) - Date.now() + 1100);
    expect(await canBind(account.externalId, credential?.password ?? '')).toBe(false);
    expect((await ldap.findAccount(account.username))?.enabled).toBe(true);
  });

  it('runs a local policy that honours the permanent lock on its own', async () => {
    const { account, credential } = await ldap.createAccount(spec());
    const lock = new Attribute({ type: 'pwdAccountLockedTime', values: ['000001010000Z'] });
    await asAdmin((c) =>
      c.modify(account.externalId, new Change({ operation: 'replace', modification: lock })),
    );
    expect(await canBind(account.externalId, credential?.password ?? '')).toBe(false);
  });

  it('adds the account to its groups and takes it out on disable, keeping groupOfNames valid', async () => {
    const shared = await newGroup(`cn=someone-else,${slapd.suffix}`);
    const own = await newGroup(''); // Only a placeholder: the supplier becomes its one real member.
    const { account } = await ldap.createAccount(spec({ groups: [shared, own] }));
    expect((await ldap.findAccount(account.username))?.groups.sort()).toEqual([shared, own].sort());
    expect(await members(own)).toEqual([account.externalId]);

    await ldap.disableAccount(account);
    expect((await ldap.findAccount(account.username))?.groups).toEqual([]);
    expect(await members(shared)).toEqual([`cn=someone-else,${slapd.suffix}`]);
    expect(await members(own)).toEqual(['']);
  });

  it('takes over the locked entry of a closed grant: unlocked, with this grant’s expiry, marker and groups only', async () => {
    const leftover = await newGroup(`cn=someone-else,${slapd.suffix}`);
    const wanted = await newGroup('');
    const earlier = spec({ groups: [leftover] });
    const { account, credential: old } = await ldap.createAccount(earlier);
    await ldap.disableAccount(account);
    await ldap.rotateCredentials(account);
    expect((await readEntry(slapd, account.externalId))?.pwdAccountLockedTime).toEqual([PERMANENT_LOCK]);
    // Put back into a group by hand after the grant closed: the next grant gets its own groups, not these.
    const member = new Attribute({ type: 'member', values: [account.externalId] });
    await asAdmin((c) => c.modify(leftover, new Change({ operation: 'add', modification: member })));

    const next = {
      ...earlier,
      grantId: `grant-${token()}`,
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      groups: [wanted],
      reclaimable: [earlier.grantId],
    };
    const { credential } = await ldap.createAccount(next);
    const entry = await readEntry(slapd, account.externalId);
    expect(entry?.pwdAccountLockedTime ?? []).toEqual([]);
    expect(entry?.pwdEndTime).toEqual([toGeneralizedTime(next.expiresAt)]);
    expect(entry?.pwdReset).toEqual(['TRUE']);
    expect(entry?.description).toEqual([`supplier-access grant ${next.grantId}`]);
    expect((await ldap.findAccount(next.username))?.groups).toEqual([wanted]);
    expect(await members(leftover)).toEqual([`cn=someone-else,${slapd.suffix}`]);
    expect(await canBind(account.externalId, credential?.password ?? '')).toBe(true);
    expect(await canBind(account.externalId, old?.password ?? '')).toBe(false);

    // Its own deprovisioning locks it again.
    await ldap.disableAccount(account);
    await ldap.rotateCredentials(account);
    expect(await canBind(account.externalId, credential?.password ?? '')).toBe(false);
    expect((await readEntry(slapd, account.externalId))?.pwdAccountLockedTime).toEqual([PERMANENT_LOCK]);
  });

  it('refuses a group that does not exist as an invalid request, before the entry is added', async () => {
    const before = await countEntries();
    const groups = [`cn=missing-${token()},${slapd.groupsDN}`];
    await expect(ldap.createAccount(spec({ groups }))).rejects.toMatchObject({
      kind: 'invalid',
      message: `group ${groups[0]} does not exist`,
      details: { field: 'groups' },
    });
    expect(await countEntries()).toBe(before);
  });

  it('tells a DN within the groups DN from one that only looks like it', () => {
    const base = 'ou=groups,dc=example,dc=test';
    expect(isWithinDn('cn=printers,ou=groups,dc=example,dc=test', base)).toBe(true);
    expect(isWithinDn('CN=Printers, OU=Groups, DC=Example, DC=Test', base)).toBe(true);
    expect(isWithinDn('cn=a,ou=team,ou=groups,dc=example,dc=test', base)).toBe(true);
    expect(isWithinDn(base, base)).toBe(true);
    expect(isWithinDn('cn=x\\,ou=groups,dc=example,dc=test', base)).toBe(false);
    expect(isWithinDn('cn=printers,ou=othergroups,dc=example,dc=test', base)).toBe(false);
    expect(isWithinDn('cn=printers,dc=example,dc=test', base)).toBe(false);
    expect(isWithinDn('ou=groups,dc=example,dc=test,dc=evil', base)).toBe(false);
    expect(isWithinDn('*)(uid=*', base)).toBe(false);
    expect(isWithinDn('', base)).toBe(false);
  });

  it('refuses a group outside the groups DN, where expiry would never take the supplier out of it', async () => {
    const outside = await newGroup(`cn=someone-else,${slapd.suffix}`, slapd.suffix);
    const s = spec({ groups: [outside] });
    await expect(ldap.createAccount(s)).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining(`is not under ${slapd.groupsDN}`),
      details: { field: 'groups' },
    });
    expect(await ldap.findAccount(s.username)).toBeNull();
    expect(await members(outside)).toEqual([`cn=someone-else,${slapd.suffix}`]);
  });

  const hostile = [
    '*)(uid=*',
    'Acme, dc=evil',
    'x\\00y',
    'a)(|(objectClass=*)',
    'admin*',
    'Ünïcödé Ltd',
    ' #lead;trail+ ',
  ];
  it.each(hostile)(
    'stores the organisation %j literally, as one entry and nothing else',
    async (organisation) => {
      const before = await countEntries();
      const key = supplierKey(organisation);
      const username = key ? accountNameCandidate(`sup-i${token()}-`, key, 64) : `sup-i${token()}`;
      const { account } = await ldap.createAccount(
        spec({ username, organisation, contactEmail: 'a@example.test' }),
      );
      expect(await countEntries()).toBe(before + 1);

      const matches: Entry[] = await asAdmin(async (c) => {
        const filter = new EqualityFilter({ attribute: 'o', value: organisation });
        return (await c.search(slapd.usersDN, { scope: 'one', filter, attributes: ['o', 'sn', 'cn'] }))
          .searchEntries;
      });
      expect(matches.map((e) => [e.dn, e['o'], e['sn']])).toEqual([
        [account.externalId, organisation, organisation],
      ]);
      expect((await ldap.findAccount(username))?.organisation).toBe(organisation);
    },
  );

  it('reads hostile names as names, never as filters or DNs', async () => {
    await ldap.createAccount(spec());
    for (const name of ['*', 'sup-*', `x,${slapd.usersDN}`, 'x)(uid=*', '']) {
      expect(await ldap.findAccount(name)).toBeNull();
    }
    expect(await ldap.listAccounts('*')).toEqual([]);
    expect(await ldap.listAccounts('sup-lt-*')).toEqual([]);
  });

  it('escapes RDN values so one value never becomes two RDNs', async () => {
    for (const value of ['Acme, dc=evil', 'a+b=c', ' #x ', 'q"<>;\\', 'nul\0byte']) {
      const dn = `cn=${escapeDnValue(value)},${slapd.groupsDN}`;
      await asAdmin((c) => c.add(dn, { objectClass: 'groupOfNames', cn: value, member: '' }));
      const cn = await asAdmin(
        async (c) => (await c.search(dn, { scope: 'base', attributes: ['cn'] })).searchEntries[0]?.['cn'],
      );
      expect(cn).toBe(value);
    }
  });

  it('lists more accounts than a page holds', async () => {
    const prefix = `sup-pg${token()}-`;
    const total = 2_500;
    await asAdmin(async (c) => {
      for (let i = 0; i < total; i += 250) {
        const batch = Array.from({ length: Math.min(250, total - i) }, (_, j) => `${prefix}${i + j}`);
        await Promise.all(
          batch.map((uid) => c.add(userDn(uid), { objectClass: 'inetOrgPerson', uid, cn: uid, sn: 'x' })),
        );
      }
    });
    expect((await ldap.listAccounts(prefix)).length).toBe(total);
  });

  it('resetPassword turns a grant’s must-change password into one that serves at once (pwdReset gone)', async () => {
    const { account, credential } = await ldap.createAccount(spec());
    expect(await signIn(signInTo(), account.externalId, credential?.password ?? '')).toBe(
      'must-change-password',
    );
    const reset = await ldap.resetPassword(account);
    expect(reset.username).toBe(account.username);
    expect((await readEntry(slapd, account.externalId))?.pwdReset ?? []).toEqual([]);
    expect(await signIn(signInTo(), account.externalId, reset.password)).toBe('ok');
    expect(await signIn(signInTo(), account.externalId, credential?.password ?? '')).toBe('refused');
  });

  it('resets and looks up a hand-made account anywhere in the directory, outside the supplier naming', async () => {
    const dn = `cn=Site Admin ${token()},${slapd.suffix}`;
    await asAdmin((c) =>
      c.add(dn, {
        objectClass: 'inetOrgPerson',
        cn: dn.slice(3, dn.indexOf(',')),
        sn: 'Admin',
        userPassword: 'Old-Pa55',
      }),
    );
    const found = await ldap.lookupAccount(dn);
    expect(found).toMatchObject({ externalId: dn, enabled: true, groups: [] });
    expect(found?.grantId).toBeUndefined();
    const reset = await ldap.resetPassword({
      username: 'site-admin',
      externalId: dn,
      displayName: 'Site Admin',
    });
    expect(reset.username).toBe('site-admin');
    expect(await signsIn(signInTo(), dn, reset.password)).toBe(true);
    expect(await signIn(signInTo(), dn, 'Old-Pa55')).toBe('refused');
  });

  it('resetPassword keeps a lock the custodian set, and never moves the directory’s own expiry', async () => {
    const expiresAt = inDays(200);
    const { account } = await ldap.createAccount(spec({ expiresAt }));
    const lockedAt = '20260101000000Z';
    await asAdmin((c) =>
      c.modify(
        account.externalId,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'pwdAccountLockedTime', values: [lockedAt] }),
        }),
      ),
    );
    const before = await ldap.findAccount(account.username);
    expect(before?.enabled).toBe(false);
    const reset = await ldap.resetPassword(account);
    const entry = await readEntry(slapd, account.externalId);
    expect(entry?.pwdAccountLockedTime).toEqual([lockedAt]);
    expect(entry?.pwdEndTime).toEqual([toGeneralizedTime(expiresAt)]);
    expect(await ldap.findAccount(account.username)).toEqual(before);
    expect(await signIn(signInTo(), account.externalId, reset.password)).toBe('refused');
  });

  it('reports a wrong service password as auth, and a missing account to setExpiry as not-found', async () => {
    const { url, bindDN, usersDN } = slapd;
    const wrong = createLdapProvider({ url, bindDN, bindPassword: 'not-the-password', usersDN });
    await expect(wrong.findAccount('sup-x')).rejects.toMatchObject({ kind: 'auth' });
    const ref = { username: 'sup-gone', externalId: userDn(`sup-gone-${token()}`), displayName: 'x' };
    await expect(ldap.setExpiry(ref, new Date().toISOString())).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('fails transiently while the directory is down, works again after it restarts, and keeps its state', async () => {
    const s = spec();
    const { account, credential } = await ldap.createAccount(s);
    await slapd.stop();
    try {
      for (const attempt of [
        ldap.findAccount(s.username),
        ldap.createAccount(spec()),
        ldap.disableAccount(account),
      ]) {
        const err: unknown = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isProviderError(err) && err.kind).toBe('transient');
      }
    } finally {
      await slapd.start();
    }
    expect(await ldap.findAccount(s.username)).toMatchObject({ grantId: s.grantId, enabled: true });
    expect(await canBind(account.externalId, credential?.password ?? '')).toBe(true);
  });
});
