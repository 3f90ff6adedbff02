import { setTimeout as sleep } from 'node:timers/promises';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUnicodePwd, isDisabled, isoToAdTicks, parseUac, UAC } from '../../providers/ldap/ad.js';
import { accountNameCandidate, supplierKey } from '../../domain/naming.js';
import { adSignIn, asDomainAdmin, kpasswd } from '../helpers/ad.js';
import { startSambaDc, type SambaDc } from '../helpers/samba.js';
import {
  claim,
  claimPassword,
  lendNow,
  lendWhen,
  registerSharedAccount,
  rotatedBack,
} from '../helpers/shared-accounts.js';
import { signsIn } from '../helpers/sign-in.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

/**
 * The whole lifecycle through the HTTP API with `LDAP_DIALECT=ad`, on a real Temporal dev server and a Samba AD
 * domain controller, looking at what AD holds after each step.
 */
let dc: SambaDc;
let stack: TestStack;
let group: string;

beforeAll(async () => {
  dc = await startSambaDc();
  group = `CN=vpn-suppliers,${dc.groupsDN}`;
  await asDomainAdmin(dc, (c) =>
    c.add(group, { objectClass: ['top', 'group'], sAMAccountName: 'vpn-suppliers' }),
  );
  stack = await TestStack.start({
    LDAP_URL: dc.url,
    LDAP_BIND_DN: dc.bindDN,
    LDAP_BIND_PASSWORD: dc.bindPassword,
    LDAP_USERS_DN: dc.usersDN,
    LDAP_GROUPS_DN: dc.groupsDN,
    LDAP_DIALECT: 'ad',
    LDAP_CA_FILE: dc.caFile,
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await dc?.stop();
});

const inSeconds = (s: number): string => new Date(Date.now() + s * 1000).toISOString();

async function grant(organisation: string, expiresAt: string, extra: Record<string, unknown> = {}) {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'it@supplier.example' },
    expiresAt,
    reason: 'maintenance of the file server',
    groups: [group],
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** The user as AD holds it. */
async function user(dn: string): Promise<Record<string, string[]>> {
  const [entry] = await asDomainAdmin(dc, async (c) => {
    const attributes = ['sAMAccountName', 'company', 'description', 'accountExpires', 'userAccountControl'];
    return (await c.search(dn, { scope: 'base', attributes: [...attributes, 'memberOf'] })).searchEntries;
  });
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(entry ?? {})) {
    out[key] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return out;
}

const disabled = (entry: Record<string, string[]>): boolean =>
  isDisabled(parseUac(entry.userAccountControl?.[0]));

async function waitForStatus(id: string, status: string, events: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let body: Record<string, any> = {};
  while (Date.now() < deadline) {
    body = (await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor)).body;
    const types = (body.events as { type: string }[]).map((e) => e.type);
    if (body.status === status && events.every((e) => types.includes(e))) return body;
    await sleep(100);
  }
  throw new Error(`grant ${id} did not reach ${status} with ${events.join(', ')}: ${JSON.stringify(body)}`);
}

const modify = (dn: string, type: string, values: string[]) =>
  asDomainAdmin(dc, (c) =>
    c.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type, values }) })),
  );

describe('an Active Directory grant through the HTTP API', () => {
  it('creates the user with its expiry and groups, and tells the supplier how to sign in first', async () => {
    const created = await grant('Plomberie Côté & Fils inc.', inSeconds(3600));
    // sAMAccountName holds 20 characters: the name is cut, with a 64-bit hash of the whole.
    expect(created.account.username).toBe(
      accountNameCandidate('sup-', supplierKey('Plomberie Côté & Fils inc.'), 20),
    );
    expect(created.account.username).toMatch(/^sup-pl-[0-9a-z]{13}$/);
    const entry = await user(created.account.externalId);
    expect(entry.sAMAccountName).toEqual([created.account.username]);
    expect(entry.company).toEqual(['Plomberie Côté & Fils inc.']);
    expect(entry.accountExpires).toEqual([isoToAdTicks(created.expiresAt)]);
    expect(entry.userAccountControl).toEqual([String(UAC.NORMAL_ACCOUNT)]);
    expect(entry.memberOf).toEqual([group]);

    // AD refuses the one-time password for LDAP until it is changed, and the answer says so and how.
    const { username, password, firstSignIn } = created.credential;
    expect(await adSignIn(dc, created.account.externalId, password)).toBe('must-change-password');
    expect(firstSignIn).toContain(`kpasswd ${username}@${dc.realm}`);
    const chosen = 'Chosen-by-the-plumber-2026!';
    await kpasswd(dc, username, password, chosen);
    expect(await adSignIn(dc, `${username}@supplier.test`, chosen)).toBe('ok');
    expect(stack.workerOutput).not.toContain(password);
  });

  it('answers 201 for an organisation of 128 characters, cut to 64 in company', async () => {
    const organisation = `Société d’ingénierie ${'et de maintenance '.repeat(7)}`.slice(0, 128);
    expect(organisation.length).toBe(128);
    const created = await grant(organisation, inSeconds(3600));
    expect(created.account.displayName).toBe(`${organisation} (supplier)`);
    expect((await user(created.account.externalId)).company).toEqual([organisation.slice(0, 64)]);
  });

  it('moves accountExpires when an extension is approved', async () => {
    const created = await grant('Extended Electric', inSeconds(3600));
    const later = new Date(Math.floor(Date.now() / 1000) * 1000 + 7200_000).toISOString();
    const asked = await stack.request('POST', `/v1/grants/${created.id}/extensions`, TOKENS.requester, {
      expiresAt: later,
      reason: 'parts delayed',
    });
    expect(asked.status).toBe(202);
    const approved = await stack.request(
      'POST',
      `/v1/grants/${created.id}/extensions/approve`,
      TOKENS.approver,
      {},
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect((await user(created.account.externalId)).accountExpires).toEqual([isoToAdTicks(later)]);
  });

  it('disables the user at expiry, rotates its password and takes it out of its groups', async () => {
    // Long enough for the supplier to set a password of its own first.
    const created = await grant('Expiring Elevators', inSeconds(8));
    const { username, password } = created.credential;
    const chosen = 'Chosen-by-the-elevator-firm-1!';
    await kpasswd(dc, username, password, chosen);
    await waitForStatus(created.id, 'expired', ['disabled', 'credentials-rotated'], 45_000);
    const entry = await user(created.account.externalId);
    expect(disabled(entry)).toBe(true);
    expect(entry.memberOf ?? []).toEqual([]);
    // Rotated: even the password the supplier chose is refused as wrong, not only as disabled.
    expect(await adSignIn(dc, created.account.externalId, chosen)).toBe('wrong-password');
  });

  it('revokes: disabled and rotated before the answer', async () => {
    const created = await grant('Revoked Roofing', inSeconds(3600));
    const revoked = await stack.request('POST', `/v1/grants/${created.id}/revoke`, TOKENS.admin, {
      reason: 'work finished early',
    });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const entry = await user(created.account.externalId);
    expect(disabled(entry)).toBe(true);
    expect(entry.memberOf ?? []).toEqual([]);
    expect(await adSignIn(dc, created.account.externalId, created.credential.password)).toBe(
      'wrong-password',
    );
  });

  it('reviews AD: closes a drift, puts a changed expiry back, reports a hand-made account', async () => {
    const live = await grant('Mismatched Masonry', inSeconds(3600));
    const ended = await grant('Drifting Drywall', inSeconds(3600));
    const revoked = await stack.request('POST', `/v1/grants/${ended.id}/revoke`, TOKENS.admin, {
      reason: 'done',
    });
    expect(revoked.status).toBe(200);
    // By hand in AD: the revoked supplier let back in with a known password, the live one's expiry pushed
    // out by a year, and a supplier-looking account nobody granted.
    await modify(ended.account.externalId, 'userAccountControl', [String(UAC.NORMAL_ACCOUNT)]);
    const backDoor = new Attribute({
      type: 'unicodePwd',
      values: [encodeUnicodePwd('Back-door-password-1!')],
    });
    await asDomainAdmin(dc, (c) =>
      c.modify(ended.account.externalId, new Change({ operation: 'replace', modification: backDoor })),
    );
    expect(await adSignIn(dc, ended.account.externalId, 'Back-door-password-1!')).toBe('ok');
    const yearLater = isoToAdTicks(new Date(Date.now() + 365 * 86_400_000).toISOString());
    await modify(live.account.externalId, 'accountExpires', [yearLater]);
    await asDomainAdmin(dc, (c) =>
      c.add(`CN=sup-shadow-it,${dc.usersDN}`, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: 'sup-shadow-it',
      }),
    );

    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    const found = Object.fromEntries(
      (review.body.accounts as { username: string; finding: string; action: string }[]).map((a) => [
        a.username,
        [a.finding, a.action],
      ]),
    );
    expect(found).toMatchObject({
      [ended.account.username]: ['drift', 'disabled-and-rotated'],
      [live.account.username]: ['expiry-mismatch', 'expiry-corrected'],
      'sup-shadow-it': ['orphan', 'reported'],
    });
    expect(disabled(await user(ended.account.externalId))).toBe(true);
    expect(await adSignIn(dc, ended.account.externalId, 'Back-door-password-1!')).toBe('wrong-password');
    expect((await user(live.account.externalId)).accountExpires).toEqual([isoToAdTicks(live.expiresAt)]);
  });

  it('grants a returning supplier its account back, enabled with a new password and expiry', async () => {
    const first = await grant('Returning Refrigeration', inSeconds(3600));
    const revoked = await stack.request('POST', `/v1/grants/${first.id}/revoke`, TOKENS.admin, {
      reason: 'season over',
    });
    expect(revoked.status).toBe(200);

    const second = await grant('RETURNING refrigeration', inSeconds(7200));
    expect(second.account.externalId).toBe(first.account.externalId);
    const entry = await user(second.account.externalId);
    expect(disabled(entry)).toBe(false);
    expect(entry.description).toEqual([`supplier-access grant ${second.id}`]);
    expect(entry.accountExpires).toEqual([isoToAdTicks(second.expiresAt)]);
    expect(entry.memberOf).toEqual([group]);
    expect(await adSignIn(dc, second.account.externalId, second.credential.password)).toBe(
      'must-change-password',
    );
    expect(await adSignIn(dc, second.account.externalId, first.credential.password)).toBe('wrong-password');
  });
});

describe('an Active Directory account lent to a supplier', () => {
  it('rotates it before the hand-over and at the return; the custodian takes the new password once', async () => {
    const original = 'Original-file-server-admin-1!';
    await dc.sambaTool('user', 'create', 'fileserver-admin', original);
    const dn = `CN=fileserver-admin,CN=Users,${dc.baseDN}`;
    expect(await signsIn({ kind: 'ad', dc }, dn, original)).toBe(true);
    const before = await user(dn);
    const { id } = await registerSharedAccount(stack, 'ldap', dn);

    const lent = await lendNow(stack, id, 'Serveurs Lavoie', inSeconds(3600));
    const supplierPassword = lent.credential.password;
    expect(await signsIn({ kind: 'ad', dc }, dn, original)).toBe(false);
    // No change asked at first use, unlike a supplier account's one-time password: the account is in use.
    expect(await signsIn({ kind: 'ad', dc }, dn, supplierPassword)).toBe(true);

    const returned = await stack.request('POST', `/v1/shared-accounts/${id}/return`, TOKENS.requester, {
      reason: 'migration done',
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(await signsIn({ kind: 'ad', dc }, dn, supplierPassword)).toBe(false);
    await lendWhen(stack, lent.id, rotatedBack, 30_000);
    const custodianPassword = await claimPassword(stack, id);
    expect(await signsIn({ kind: 'ad', dc }, dn, custodianPassword)).toBe(true);
    expect((await claim(stack, id)).status).toBe(404);
    // The account stays as its custodian uses it: enabled, with its own expiry, none of the lend's.
    const entry = await user(dn);
    expect(disabled(entry)).toBe(false);
    expect(entry.accountExpires).toEqual(before.accountExpires);
    expect(stack.workerOutput).not.toContain(supplierPassword);
    expect(stack.workerOutput).not.toContain(custodianPassword);
  });
});

describe('an Active Directory service credential for a supplier integration', () => {
  it('makes a service account that binds with no change asked, and locks it at its expiry', async () => {
    const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      kind: 'service',
      supplier: { organisation: 'Intégrations Nadeau', contactEmail: 'it@nadeau.example' },
      expiresAt: inSeconds(8),
      reason: 'nightly export of the invoices',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const created = response.body;
    expect(created.door).toBe('service');
    const dn = created.account.externalId as string;
    const secret = created.credential.password as string;
    expect(secret.length).toBeGreaterThanOrEqual(48);
    // An integration cannot answer a change-at-first-sign-in: the secret works as handed out.
    expect(await signsIn({ kind: 'ad', dc }, dn, secret)).toBe(true);
    expect(await adSignIn(dc, dn, secret)).toBe('ok');

    await waitForStatus(created.id, 'expired', ['disabled', 'credentials-rotated'], 45_000);
    expect(disabled(await user(dn))).toBe(true);
    expect(await adSignIn(dc, dn, secret)).toBe('wrong-password');
    expect(stack.workerOutput).not.toContain(secret);
  });
});
