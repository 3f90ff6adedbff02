import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { isProviderError, type ProviderError } from '../../providers/errors.js';
import { oktaBucket } from '../../providers/okta/client.js';
import { retryAfterMs, toProviderError } from '../../providers/okta/errors.js';
import { resolveOktaConfig } from '../../providers/okta/config.js';
import { oktaModule } from '../../providers/okta/module.js';
import { createOktaProvider, type OktaConfig } from '../../providers/okta/index.js';
import type { AccountSpec, IdentityProvider } from '../../providers/types.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { startOktaFake, type OktaFake, type RecordedRequest } from '../fakes/okta/index.js';
import { providerContract } from './contract.js';
import { signIn, signsIn } from '../helpers/sign-in.js';
import { accountSpec, inDays, token } from './specs.js';

const DOMAIN = 'suppliers.example.test';
/** High enough that functional tests never wait for the limiter; the limiter has tests of its own. */
const UNLIMITED = { requestsPerMinute: 1_000_000, maxConcurrent: 20 };

function newProvider(fake: OktaFake, overrides: Partial<OktaConfig> = {}): IdentityProvider {
  return createOktaProvider({
    orgUrl: fake.url,
    apiToken: fake.apiToken,
    loginDomain: DOMAIN,
    rateLimit: UNLIMITED,
    ...overrides,
  });
}

const spec = (overrides: Partial<AccountSpec> = {}) => accountSpec('Okta Test', 'sup-ok-', overrides);
/** A group id as Okta makes them (`00g` and 17 letters or digits) that no group has. */
const MISSING_GROUP = '00gNoSuchGroup0000x1';

async function oktaCall(fake: OktaFake, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      Authorization: `SSWS ${fake.apiToken}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function newGroup(fake: OktaFake): Promise<string> {
  const group = await oktaCall(fake, 'POST', '/api/v1/groups', { profile: { name: `Suppliers ${token()}` } });
  return String(group.id);
}

/** A user of a supplier's login that an administrator made by hand: active, with no grant on it. */
async function addByHand(fake: OktaFake, username: string): Promise<void> {
  const login = `${username}@${DOMAIN}`;
  const made = await oktaCall(fake, 'POST', '/api/v1/users?activate=true', {
    profile: { login, email: login, firstName: 'Made', lastName: 'By hand' },
    credentials: { password: { value: 'Someone-Elses-Passw0rd' } },
  });
  expect(made.status).toBe('ACTIVE');
}

/** A grant's credential names the account; a shared account's, the whole login. */
const loginOf = (credential: Credential): string =>
  credential.username.includes('@') ? credential.username : `${credential.username}@${DOMAIN}`;

/**
 * Okta's own sign-in (`POST /api/v1/authn`): the password is the user's when it signs in, or when Okta asks for it
 * to be changed first (PASSWORD_EXPIRED, a grant's one-time password).
 */
function canSignIn(fake: OktaFake) {
  return async (credential: Credential): Promise<boolean> =>
    (await signIn({ kind: 'okta', okta: fake }, loginOf(credential), credential.password)) !== 'refused';
}

/** The contract's checks of `resetPassword` and `lookupAccount` on Okta. */
function sharedAccountHarness(fake: OktaFake) {
  return {
    signsInAsIs: (credential: Credential) =>
      signsIn({ kind: 'okta', okta: fake }, credential.username, credential.password),
    lookupRefs: async (account: AccountRef) => ({
      id: account.externalId,
      login: `${account.username}@${DOMAIN}`,
    }),
    unknownRefs: { id: '00uNoSuchUser00000x1', login: `sup-none-${token()}@${DOMAIN}` },
  };
}

/**
 * The supplier of an activation-e-mail account follows the link and sets a password of its own: the way in that
 * rotation must close (the provider never sees that password).
 */
function activatesByItself(fake: OktaFake) {
  return async (account: AccountRef): Promise<Credential> => {
    const password = `Own-${token()}-Passw0rd`;
    await oktaCall(fake, 'POST', `/api/v1/users/${account.externalId}`, {
      credentials: { password: { value: password } },
    });
    expect(fake.userByLogin(`${account.username}@${DOMAIN}`)?.status).toBe('ACTIVE');
    return { username: account.username, password };
  };
}

/** The provider as the contract sees it, creating password accounts (the suite's specs carry a contact). */
function passwordAccounts(provider: IdentityProvider): IdentityProvider {
  return { ...provider, createAccount: (s) => provider.createAccount({ ...s, contactEmail: undefined }) };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProviderError(err)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

const requestsOf = (fake: OktaFake, userId: string, since = 0): RecordedRequest[] =>
  fake.requests.slice(since).filter((r) => decodeURIComponent(r.path).includes(userId));

let fake: OktaFake;
beforeAll(async () => {
  fake = await startOktaFake();
});
afterAll(async () => {
  await fake?.close();
});

// The suite's accounts all have a contact e-mail: these are the activation-e-mail accounts, which hand out no
// credential; the second run covers password accounts, whose sign-in is checked against the fake.
providerContract('okta', async () => ({
  provider: newProvider(fake),
  canSignIn: canSignIn(fake),
  ...sharedAccountHarness(fake),
  supplierSignsIn: activatesByItself(fake),
  groups: [await newGroup(fake)],
  missingGroup: MISSING_GROUP,
  makeForeignAccount: (username) => addByHand(fake, username),
}));
providerContract('okta (password accounts)', async () => ({
  provider: passwordAccounts(newProvider(fake)),
  canSignIn: canSignIn(fake),
  ...sharedAccountHarness(fake),
  groups: [await newGroup(fake)],
  missingGroup: MISSING_GROUP,
  makeForeignAccount: (username) => addByHand(fake, username),
}));

describe('okta provider against the fake', () => {
  let okta: IdentityProvider;
  beforeAll(() => {
    okta = newProvider(fake);
  });
  afterAll(async () => {
    await okta?.close();
  });

  it('with a contact e-mail, lets Okta e-mail the activation and hands out no credential', async () => {
    const s = spec({ contactEmail: 'ops@acme.example' });
    const since = fake.requests.length;
    const { account, credential } = await okta.createAccount(s);
    expect(credential).toBeUndefined();
    const user = fake.users.get(account.externalId);
    expect(user?.status).toBe('PROVISIONED');
    expect(user?.password).toBeNull();
    expect(user?.profile).toEqual({
      login: `${s.username}@${DOMAIN}`,
      email: 'ops@acme.example',
      firstName: s.organisation,
      lastName: 'Supplier',
      displayName: s.displayName,
      organization: s.organisation,
      supplierAccessExpiresAt: s.expiresAt,
      supplierAccessGrantId: s.grantId,
    });
    expect(fake.emails).toContainEqual(
      expect.objectContaining({ kind: 'activation', userId: account.externalId, to: 'ops@acme.example' }),
    );
    const create = fake.requests.slice(since).find((r) => r.path === '/api/v1/users');
    expect(create).toMatchObject({ method: 'POST', status: 200, query: { activate: 'true' } });
  });

  it('without one, hands out a generated password once, to be changed at first sign-in', async () => {
    const s = spec();
    const since = fake.requests.length;
    const { account, credential } = await okta.createAccount(s);
    expect(credential?.username).toBe(s.username);
    const user = fake.users.get(account.externalId);
    expect(user?.status).toBe('PASSWORD_EXPIRED');
    expect(user?.password).toBe(credential?.password);
    expect(user?.profile.email).toBe(`${s.username}@${DOMAIN}`);
    expect(fake.emails.filter((e) => e.userId === account.externalId)).toEqual([]);
    expect(fake.requests.slice(since).find((r) => r.path === '/api/v1/users')?.query).toEqual({
      activate: 'true',
      nextLogin: 'changePassword',
    });

    const again = await okta.createAccount(s);
    expect(again.credential?.password).not.toBe(credential?.password);
    expect(fake.users.get(account.externalId)).toMatchObject({
      status: 'PASSWORD_EXPIRED',
      password: again.credential?.password,
    });
  });

  it("names the account after the organisation, cut to Okta's first-name limit", async () => {
    const organisation = `Ünïcödé ${'Long Name '.repeat(6)}😀 Holdings`;
    const { account } = await okta.createAccount(spec({ organisation }));
    const profile = fake.users.get(account.externalId)?.profile;
    expect(Array.from(String(profile?.firstName)).length).toBeLessThanOrEqual(50);
    expect(organisation.startsWith(String(profile?.firstName))).toBe(true);
    expect(profile?.organization).toBe(organisation);
  });

  it("adds the user to the configured groups and the grant's, and refuses a group that does not exist", async () => {
    const [configured, granted] = [await newGroup(fake), await newGroup(fake)];
    const withGroups = newProvider(fake, { groups: [configured] });
    try {
      const s = spec({ groups: [granted] });
      await withGroups.createAccount(s);
      expect((await withGroups.findAccount(s.username))?.groups.sort()).toEqual([configured, granted].sort());

      const missing = spec({ groups: ['00gDoesNotExist0000'] });
      expect(await rejection(withGroups.createAccount(missing))).toMatchObject({
        kind: 'invalid',
        message: 'createAccount: group 00gDoesNotExist0000 does not exist',
        details: { field: 'groups' },
      });
      expect(fake.userByLogin(`${missing.username}@${DOMAIN}`)).toBeUndefined();
    } finally {
      await withGroups.close();
    }
  });

  it('refuses a configured group that does not exist as a setting to fix, not as the request’s fault', async () => {
    const misconfigured = newProvider(fake, { groups: [MISSING_GROUP] });
    try {
      const s = spec({ groups: [await newGroup(fake)] });
      const err = await rejection(misconfigured.createAccount(s));
      expect(err).toMatchObject({ kind: 'invalid', message: expect.stringContaining('OKTA_GROUP_IDS') });
      expect(err.details.field).toBeUndefined();
      expect(fake.userByLogin(`${s.username}@${DOMAIN}`)).toBeUndefined();
    } finally {
      await misconfigured.close();
    }
  });

  it('creates the expiry and grant attributes once, readable but not writable by the supplier', async () => {
    const own = await startOktaFake();
    const first = newProvider(own);
    const second = newProvider(own);
    try {
      await Promise.all([first.createAccount(spec()), first.createAccount(spec())]);
      const meta = () => own.requests.filter((r) => r.path.startsWith('/api/v1/meta/')).map((r) => r.method);
      expect(meta()).toEqual(['GET', 'POST']);
      await second.createAccount(spec());
      expect(meta()).toEqual(['GET', 'POST', 'GET']);

      const schema = await oktaCall(own, 'GET', '/api/v1/meta/schemas/user/default');
      const custom = schema.definitions.custom.properties;
      for (const name of ['supplierAccessExpiresAt', 'supplierAccessGrantId']) {
        expect(custom[name]).toMatchObject({
          type: 'string',
          permissions: [{ principal: 'SELF', action: 'READ_ONLY' }],
        });
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
      await own.close();
    }
  });

  it('uses the attribute names it is configured with', async () => {
    const named = newProvider(fake, { expiryAttribute: 'accessEnds', grantAttribute: 'accessGrant' });
    try {
      const s = spec();
      const { account } = await named.createAccount(s);
      expect(fake.users.get(account.externalId)?.profile).toMatchObject({
        accessEnds: s.expiresAt,
        accessGrant: s.grantId,
      });
      expect(await named.findAccount(s.username)).toMatchObject({
        expiresAt: s.expiresAt,
        grantId: s.grantId,
      });
    } finally {
      await named.close();
    }
  });

  it('setExpiry moves the attribute; a bad instant is invalid, a missing or deactivated user not-found', async () => {
    const { account } = await okta.createAccount(spec());
    const later = inDays(75);
    await okta.setExpiry(account, later);
    expect(fake.users.get(account.externalId)?.profile.supplierAccessExpiresAt).toBe(later);
    expect((await rejection(okta.setExpiry(account, 'next tuesday'))).kind).toBe('invalid');
    const name = `sup-none-${token()}`;
    const nobody = { username: name, externalId: name, displayName: name };
    expect((await rejection(okta.setExpiry(nobody, later))).kind).toBe('not-found');
    await okta.disableAccount(account);
    expect((await rejection(okta.setExpiry(account, later))).kind).toBe('not-found');
  });

  it('disableAccount ends sessions and tokens, resets factors, deactivates and leaves the groups', async () => {
    const [configured, granted] = [await newGroup(fake), await newGroup(fake)];
    const withGroups = newProvider(fake, { groups: [configured] });
    try {
      const { account } = await withGroups.createAccount(spec({ groups: [granted] }));
      const id = account.externalId;
      fake.createSession(id);
      fake.createSession(id);
      const since = fake.requests.length;
      await withGroups.disableAccount(account);

      expect(fake.sessionsOf(id)).toEqual([]);
      expect(fake.factorResets.map((r) => r.userId)).toContain(id);
      expect(fake.users.get(id)?.status).toBe('DEPROVISIONED');
      expect(fake.groups.get(configured)?.members.has(id)).toBe(false);
      expect(fake.groups.get(granted)?.members.has(id)).toBe(false);
      const calls = requestsOf(fake, id, since).map((r) => `${r.method} ${r.path.replace(id, '{id}')}`);
      expect(calls.slice(0, 4)).toEqual([
        'GET /api/v1/users/{id}',
        'DELETE /api/v1/users/{id}/sessions',
        'POST /api/v1/users/{id}/lifecycle/reset_factors',
        'POST /api/v1/users/{id}/lifecycle/deactivate',
      ]);
      expect(requestsOf(fake, id, since).find((r) => r.path.endsWith('/sessions'))?.query).toEqual({
        oauthTokens: 'true',
      });
    } finally {
      await withGroups.close();
    }
  });

  it('repeating disable and rotate on a deprovisioned user asks Okta nothing that fails', async () => {
    const { account } = await okta.createAccount(spec());
    await okta.disableAccount(account);
    const since = fake.requests.length;
    await okta.disableAccount(account);
    await okta.rotateCredentials(account);
    await okta.rotateCredentials(account);
    const calls = requestsOf(fake, account.externalId, since);
    expect(calls.map((r) => r.status).filter((status) => status >= 400)).toEqual([]);
    expect(calls.map((r) => `${r.method} ${r.path.replace(account.externalId, '{id}')}`)).toEqual([
      'GET /api/v1/users/{id}',
      'GET /api/v1/users/{id}/groups',
      'GET /api/v1/users/{id}',
      'GET /api/v1/users/{id}',
    ]);
  });

  /** A user an administrator made by hand in another login domain: an existing account to lend. */
  async function sharedUser(): Promise<{ id: string; login: string }> {
    const login = `site-admin-${token()}@other.example`;
    const made = await oktaCall(fake, 'POST', '/api/v1/users?activate=true', {
      profile: { login, email: login, firstName: 'Site', lastName: 'Admin' },
      credentials: { password: { value: 'Old-Shared-Passw0rd' } },
    });
    return { id: String(made.id), login };
  }
  const target = () => ({ kind: 'okta' as const, okta: fake });

  it('resetPassword on a hand-made user of any domain: the password signs in as it is, every session ends', async () => {
    const { id, login } = await sharedUser();
    expect(await signsIn(target(), login, 'Old-Shared-Passw0rd')).toBe(true);
    expect(fake.sessionsOf(id)).toHaveLength(1);
    const found = await okta.lookupAccount(login);
    expect(found).toMatchObject({ username: login, externalId: id, enabled: true });
    const since = fake.requests.length;
    const reset = await okta.resetPassword(found as AccountRef);
    expect(reset).toEqual({ username: login, password: expect.any(String) });
    expect(await signsIn(target(), login, reset.password)).toBe(true);
    expect(await signsIn(target(), login, 'Old-Shared-Passw0rd')).toBe(false);
    expect(
      fake.requests.slice(since).map((r) => `${r.method} ${r.path} ${r.query.oauthTokens ?? ''}`),
    ).toEqual([
      `GET /api/v1/users/${id} `,
      `POST /api/v1/users/${id} `,
      `DELETE /api/v1/users/${id}/sessions true`,
      'POST /api/v1/authn ',
      'POST /api/v1/authn ',
    ]);
    expect(fake.sessionsOf(id)).toHaveLength(1); // the one the new password just opened
  });

  it('a password Okta’s policy refuses is transient and changes nothing; the next attempt makes a new one', async () => {
    const { id, login } = await sharedUser();
    const ref = { username: login, externalId: id, displayName: 'Site Admin' };
    fake.refusePasswords(1);
    const err = await rejection(okta.resetPassword(ref));
    expect({ kind: err.kind, operation: err.details.operation }).toEqual({
      kind: 'transient',
      operation: 'resetPassword',
    });
    expect(await signsIn(target(), login, 'Old-Shared-Passw0rd')).toBe(true);
    const refused = fake.requests.filter((r) => r.method === 'POST' && r.path === `/api/v1/users/${id}`);
    expect(refused.map((r) => r.status)).toEqual([400]);
    const reset = await okta.resetPassword(ref);
    expect(await signsIn(target(), login, reset.password)).toBe(true);
  });

  it('resetPassword leaves a suspended user suspended, and a deactivated one is not-found', async () => {
    const { id, login } = await sharedUser();
    const ref = { username: login, externalId: id, displayName: 'Site Admin' };
    await oktaCall(fake, 'POST', `/api/v1/users/${id}/lifecycle/suspend`);
    const reset = await okta.resetPassword(ref);
    expect(fake.users.get(id)?.status).toBe('SUSPENDED');
    expect(await signsIn(target(), login, reset.password)).toBe(false);
    await oktaCall(fake, 'POST', `/api/v1/users/${id}/lifecycle/deactivate`);
    expect((await rejection(okta.resetPassword(ref))).kind).toBe('not-found');
  });

  it('lookupAccount takes an id or a whole login, never a bare short name Okta would match in any domain', async () => {
    const { login } = await sharedUser();
    expect(await okta.lookupAccount(login.split('@')[0] ?? '')).toBeNull();
    expect(await okta.lookupAccount(login.toUpperCase())).toMatchObject({ username: login });
    expect(await okta.lookupAccount('')).toBeNull();
  });

  it('rotateCredentials gives a live password account a password nobody knows, expired, and ends sessions', async () => {
    const { account, credential } = await okta.createAccount(spec());
    fake.createSession(account.externalId);
    await okta.rotateCredentials(account);
    const user = fake.users.get(account.externalId);
    expect(user?.password).not.toBe(credential?.password);
    expect(user?.password?.length).toBeGreaterThanOrEqual(16);
    expect(user?.status).toBe('PASSWORD_EXPIRED');
    expect(fake.sessionsOf(account.externalId)).toEqual([]);
    expect(await canSignIn(fake)(credential!)).toBe(false);
  });

  it('rotateCredentials on an account awaiting activation restarts it without e-mailing anybody', async () => {
    const { account } = await okta.createAccount(spec({ contactEmail: 'ops@acme.example' }));
    const emails = fake.emails.length;
    const since = fake.requests.length;
    await okta.rotateCredentials(account);
    const reactivate = requestsOf(fake, account.externalId, since).find((r) =>
      r.path.endsWith('/reactivate'),
    );
    expect(reactivate).toMatchObject({ status: 200, query: { sendEmail: 'false' } });
    expect(fake.emails.length).toBe(emails);
    expect(fake.users.get(account.externalId)?.status).toBe('PROVISIONED');
  });

  it('reads names as names: other login domains, bare names and search syntax reach nothing', async () => {
    const elsewhere = newProvider(fake, { loginDomain: 'other.example.test' });
    try {
      const name = `sup-dom-${token()}`;
      const { account } = await elsewhere.createAccount(spec({ username: name }));
      expect(await okta.findAccount(name)).toBeNull();
      expect(await okta.listAccounts('sup-dom-')).toEqual([]);
      // Okta matches a bare name against login short names in any domain; the provider never sends one.
      await okta.disableAccount({ username: name, externalId: name, displayName: name });
      await okta.rotateCredentials({ username: name, externalId: name, displayName: name });
      expect(fake.users.get(account.externalId)?.status).toBe('PASSWORD_EXPIRED');
      for (const hostile of ['', '*', 'sup-*', '"', '\\', 'x" or profile.login sw "']) {
        expect(await okta.findAccount(hostile)).toBeNull();
        expect(await okta.listAccounts(hostile === '' ? `sup-none-${token()}` : hostile)).toEqual([]);
      }
    } finally {
      await elsewhere.close();
    }
  });

  it('lists deactivated accounts too, across pages', async () => {
    const prefix = `sup-pg${token()}-`;
    const specs = Array.from({ length: 205 }, (_, i) => spec({ username: `${prefix}${i}` }));
    const refs = await Promise.all(specs.map(async (s) => (await okta.createAccount(s)).account));
    await okta.disableAccount(refs[7]!);
    const since = fake.requests.length;
    const listed = await okta.listAccounts(prefix);
    expect(listed.map((a) => a.username).sort()).toEqual(specs.map((s) => s.username).sort());
    expect(listed.filter((a) => !a.enabled).map((a) => a.externalId)).toEqual([refs[7]!.externalId]);
    const pages = fake.requests.slice(since).filter((r) => r.path === '/api/v1/users');
    expect(pages.length).toBe(2);
    expect(pages[1]?.query.after).toBeDefined();
  });
});

describe('okta provider failures', () => {
  let okta: IdentityProvider;
  beforeEach(() => {
    // A fresh provider per test: a 429 rightly pauses its limiter's bucket.
    okta = newProvider(fake);
  });
  afterEach(async () => {
    await okta.close();
  });

  it('maps a 429 to transient with the wait from X-Rate-Limit-Reset and Date, and makes one request', async () => {
    const expected = () => {
      const now = Date.now();
      return Math.ceil((Math.floor(now / 60_000) + 1) * 60) * 1000 - Math.floor(now / 1000) * 1000;
    };
    const before = expected();
    const since = fake.requests.length;
    fake.failNext(1, 429);
    const err = await rejection(okta.findAccount('sup-limited'));
    const after = expected();
    expect(err.kind).toBe('transient');
    const wait = err.details.retryAfterMs ?? NaN;
    expect(Math.min(Math.abs(wait - before), Math.abs(wait - after))).toBeLessThanOrEqual(1000);
    expect(fake.requests.length - since).toBe(1);
  });

  it('maps 503 and 500 to transient without retrying inside the SDK', async () => {
    for (const status of [503, 500] as const) {
      const since = fake.requests.length;
      fake.failNext(1, status);
      expect((await rejection(okta.findAccount('sup-unavailable'))).kind).toBe('transient');
      expect(fake.requests.slice(since).map((r) => r.status)).toEqual([status]);
    }
    expect(await okta.findAccount('sup-unavailable')).toBeNull();
  });

  it('maps a wrong token to auth and never names the token', async () => {
    const wrong = newProvider(fake, { apiToken: 'wrong-secret-token-value' });
    try {
      const err = await rejection(wrong.findAccount('sup-x'));
      expect(err.kind).toBe('auth');
      expect(`${err.message} ${JSON.stringify({ ...err.details, cause: undefined })}`).not.toContain(
        'wrong-secret-token-value',
      );
    } finally {
      await wrong.close();
    }
  });

  it('checks it is reachable with one request, and a wrong token makes the check fail as auth', async () => {
    const since = fake.requests.length;
    await okta.checkReachable();
    expect(fake.requests.length - since).toBe(1);
    const wrong = newProvider(fake, { apiToken: 'wrong-secret-token-value' });
    try {
      expect((await rejection(wrong.checkReachable())).kind).toBe('auth');
    } finally {
      await wrong.close();
    }
  });

  it('maps a malformed contact address to invalid, and an unreachable org to transient', async () => {
    expect((await rejection(okta.createAccount(spec({ contactEmail: 'not an address' })))).kind).toBe(
      'invalid',
    );
    const gone = await startOktaFake();
    await gone.close();
    const unreachable = newProvider(gone);
    try {
      const err = await rejection(
        unreachable.disableAccount({ username: 'x', externalId: 'x', displayName: 'x' }),
      );
      expect(err.kind).toBe('transient');
      expect(err.message).toMatch(/unreachable/);
    } finally {
      await unreachable.close();
    }
  });

  it('is configured by its arguments alone, not by OKTA_CLIENT_* variables or an okta.yaml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'okta-yaml-'));
    const cwd = process.cwd();
    const names = ['OKTA_CLIENT_ORGURL', 'OKTA_CLIENT_TOKEN', 'HTTPS_PROXY'];
    const saved = names.map((name) => process.env[name]);
    try {
      await writeFile(
        join(dir, 'okta.yaml'),
        'okta:\n  client:\n    orgUrl: http://127.0.0.1:9\n    token: yaml-token\n    authorizationMode: PrivateKey\n',
      );
      process.chdir(dir);
      process.env.OKTA_CLIENT_ORGURL = 'http://127.0.0.1:9';
      process.env.OKTA_CLIENT_TOKEN = 'env-token';
      process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
      const isolated = newProvider(fake);
      const since = fake.requests.length;
      expect(await isolated.findAccount('sup-isolated')).toBeNull();
      expect(fake.requests.slice(since).map((r) => r.status)).toEqual([404]);
      await isolated.close();
    } finally {
      process.chdir(cwd);
      names.forEach((name, i) => {
        if (saved[i] === undefined) delete process.env[name];
        else process.env[name] = saved[i];
      });
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('okta provider configuration', () => {
  const base = { orgUrl: 'https://acme.okta.com/', apiToken: 'config-secret-token', loginDomain: DOMAIN };

  it('fills in the documented defaults', () => {
    expect(resolveOktaConfig(base)).toEqual({
      ...base,
      orgUrl: 'https://acme.okta.com',
      groups: [],
      expiryAttribute: 'supplierAccessExpiresAt',
      grantAttribute: 'supplierAccessGrantId',
      rateLimit: { requestsPerMinute: 600, maxConcurrent: 20, windowMs: 60_000 },
    });
  });

  it.each([
    ['orgUrl', { orgUrl: 'ftp://acme.okta.com' }],
    ['loginDomain', { loginDomain: 'not a domain' }],
    ['expiryAttribute', { expiryAttribute: '1st-expiry' }],
    ['grantAttribute', { grantAttribute: 'supplierAccessExpiresAt' }],
    ['rateLimit', { rateLimit: { requestsPerMinute: 0 } }],
  ])('refuses a bad %s without repeating the token', (field, change) => {
    const err: unknown = (() => {
      try {
        resolveOktaConfig({ ...base, ...change });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ZodError);
    expect((err as ZodError).issues[0]?.path[0]).toBe(field);
    expect(String(err)).not.toContain('config-secret-token');
  });

  it('keeps logins within 100 characters: a long login domain shortens the account name', async () => {
    const long = `${'a'.repeat(60)}.example.test`;
    const [longDomain, usual] = [
      createOktaProvider({ ...base, loginDomain: long }),
      createOktaProvider(base),
    ];
    expect(longDomain.maxUsernameLength).toBe(100 - 1 - long.length);
    expect(usual.maxUsernameLength).toBe(64);
    // The API derives account names from the declared limit, without building a provider: the same numbers.
    expect(oktaModule.usernameLimit({ loginDomain: long })).toBe(longDomain.maxUsernameLength);
    expect(oktaModule.usernameLimit(base)).toBe(usual.maxUsernameLength);
    await Promise.all([longDomain.close(), usual.close()]);
  });
});

describe('okta error mapping', () => {
  const failure = (
    status: number,
    body: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => Object.assign(new Error('Okta HTTP'), { status, headers: new Headers(headers), ...body });

  it.each([
    [401, 'E0000011', 'auth'],
    [403, 'E0000006', 'auth'],
    [403, 'E0000038', 'invalid'],
    [404, 'E0000007', 'not-found'],
    [400, 'E0000001', 'invalid'],
    [405, 'E0000022', 'invalid'],
    [500, 'E0000009', 'transient'],
    [503, 'E0000010', 'transient'],
  ])('%i %s is %s', (status, errorCode, kind) => {
    expect(toProviderError(failure(status, { errorCode, errorSummary: 'x' }), 'op').kind).toBe(kind);
  });

  it('a duplicate login is a conflict', () => {
    const err = failure(400, {
      errorCode: 'E0000001',
      errorSummary: 'Api validation failed: login',
      errorCauses: [
        { errorSummary: 'login: An object with this field already exists in the current organization' },
      ],
    });
    expect(toProviderError(err, 'createAccount').kind).toBe('conflict');
  });

  it('the wait after a 429 follows the server clock, not ours', () => {
    const headers = new Headers({
      'x-rate-limit-reset': '1000000042',
      date: new Date(1_000_000_030_000).toUTCString(),
    });
    expect(retryAfterMs(headers)).toBe(12_000);
    const err = toProviderError(failure(429, { errorCode: 'E0000047' }, Object.fromEntries(headers)), 'op');
    expect(err).toMatchObject({ kind: 'transient', details: { retryAfterMs: 12_000 } });
  });

  it('network failures are transient, programming errors invalid', () => {
    const fetchError = Object.assign(new Error('request failed'), { name: 'FetchError', code: 'ECONNRESET' });
    expect(toProviderError(fetchError, 'op')).toMatchObject({
      kind: 'transient',
      message: 'op: Okta unreachable (ECONNRESET)',
    });
    expect(toProviderError(new TypeError('bad'), 'op').kind).toBe('invalid');
  });

  it("classifies requests into Okta's rate-limit buckets", () => {
    const url = (path: string) => `https://acme.okta.com${path}`;
    expect(oktaBucket('POST', url('/api/v1/users?activate=true'))).toBe('users');
    expect(oktaBucket('GET', url('/api/v1/users?search=x'))).toBe('users');
    expect(oktaBucket('GET', url('/api/v1/users/00u1'))).toBe('user-get');
    expect(oktaBucket('POST', url('/api/v1/users/00u1'))).toBe('user-other');
    expect(oktaBucket('DELETE', url('/api/v1/users/00u1/sessions'))).toBe('user-other');
    expect(oktaBucket('GET', url('/api/v1/users/00u1/groups'))).toBe('user-other');
    expect(oktaBucket('DELETE', url('/api/v1/groups/00g1/users/00u1'))).toBe('groups');
    expect(oktaBucket('GET', url('/api/v1/meta/schemas/user/default'))).toBe('meta');
  });
});

describe('okta provider under a rate limit', () => {
  /** The most requests any bucket took in one of the fake's fixed windows. */
  function busiestWindow(requests: RecordedRequest[], windowMs: number): number {
    const counts = new Map<string, number>();
    for (const r of requests) {
      const key = `${r.bucket} ${Math.floor(r.at / windowMs)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return Math.max(0, ...counts.values());
  }

  /** The most requests the fake had in flight at once. */
  function peakConcurrency(requests: RecordedRequest[]): number {
    const events = requests.flatMap((r) => [
      [r.at, 1],
      [r.at + r.durationMs, -1],
    ]);
    events.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
    let now = 0;
    let peak = 0;
    for (const [, delta] of events) peak = Math.max(peak, (now += delta!));
    return peak;
  }

  it('keeps a burst under the budget and the concurrency limit, with no 429', async () => {
    const limited = await startOktaFake({ rateLimit: { limit: 20, windowMs: 1000 }, latencyMs: 5 });
    const okta = newProvider(limited, {
      rateLimit: { requestsPerMinute: 20, windowMs: 1000, maxConcurrent: 4 },
    });
    try {
      const started = Date.now();
      await Promise.all(Array.from({ length: 50 }, (_, i) => okta.findAccount(`sup-burst-${i}`)));
      expect(limited.count429()).toBe(0);
      expect(limited.requests.length).toBe(50);
      expect(busiestWindow(limited.requests, 1000)).toBeLessThanOrEqual(20);
      expect(peakConcurrency(limited.requests)).toBeLessThanOrEqual(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    } finally {
      await okta.close();
      await limited.close();
    }
  });

  it('adapts to a smaller budget announced by X-Rate-Limit-Limit', async () => {
    const limited = await startOktaFake({ rateLimit: { limit: 8, windowMs: 1000 } });
    const okta = newProvider(limited, {
      rateLimit: { requestsPerMinute: 100, windowMs: 1000, maxConcurrent: 2 },
    });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => okta.findAccount(`sup-adapt-${i}`)));
      expect(limited.count429()).toBe(0);
      expect(busiestWindow(limited.requests, 1000)).toBeLessThanOrEqual(8);
    } finally {
      await okta.close();
      await limited.close();
    }
  });

  it('after a 429, holds the rest of that bucket until the reset, not the other buckets', async () => {
    const limited = await startOktaFake({ rateLimit: { limit: 1000, windowMs: 2000 } });
    const okta = newProvider(limited, {
      rateLimit: { requestsPerMinute: 1000, windowMs: 2000, maxConcurrent: 4 },
    });
    try {
      // Start early in a window, so the calls below cannot straddle its end by chance.
      await sleep(2000 - (Date.now() % 2000) + 20);
      limited.failNext(1, 429);
      const failed = await rejection(okta.findAccount('sup-first'));
      expect(failed.kind).toBe('transient');
      const reset = (Math.floor(limited.requests[0]!.at / 2000) + 1) * 2000;
      await okta.listAccounts('sup-other-');
      await okta.findAccount('sup-second');
      const [, list, second] = limited.requests;
      expect(list?.path).toBe('/api/v1/users');
      expect(list!.at).toBeLessThan(reset);
      expect(second?.status).toBe(404);
      expect(second!.at).toBeGreaterThanOrEqual(reset);
    } finally {
      await okta.close();
      await limited.close();
    }
  });
});
