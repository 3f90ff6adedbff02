/**
 * The Entra ID provider against the Microsoft Graph fake (HTTPS, test-only CA trusted through NODE_EXTRA_CA_CERTS
 * set by vitest.config.ts), through the real @azure/identity credential and Graph client.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { GRAPH_BUCKET, graphLimiterOptions } from '../../providers/entra/client.js';
import { resolveEntraConfig } from '../../providers/entra/config.js';
import { retryAfterMs } from '../../providers/entra/errors.js';
import { createEntraProvider, type EntraConfig } from '../../providers/entra/index.js';
import { isProviderError, type ProviderError } from '../../providers/errors.js';
import { RateLimiter, type Release } from '../../providers/rate-limiter.js';
import type { AccountSpec, IdentityProvider } from '../../providers/types.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { ALL_PERMISSIONS, startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { providerContract } from './contract.js';
import { serviceCredentialContract } from './service-credential-contract.js';
import { serviceSignsIn, signIn, signsIn } from '../helpers/sign-in.js';
import { accountSpec, inDays, token } from './specs.js';

const UPN_DOMAIN = 'contoso.test';
/** High enough that functional tests never wait for the limiter; the limiter has tests of its own. */
const UNLIMITED = { requestsPerSecond: 100_000, maxConcurrent: 16 };

let graph: GraphFake;

beforeAll(async () => {
  graph = await startGraphFake({ verifiedDomains: [UPN_DOMAIN] });
});
afterAll(async () => {
  await graph?.close();
});

function settings(overrides: Partial<EntraConfig> = {}): EntraConfig {
  return {
    tenantId: graph.tenantId,
    clientId: graph.clientId,
    clientSecret: graph.clientSecret,
    upnDomain: UPN_DOMAIN,
    baseUrl: graph.graphUrl,
    authorityUrl: graph.authorityUrl,
    rateLimit: UNLIMITED,
    ...overrides,
  };
}

type EntraProvider = ReturnType<typeof createEntraProvider>;
const providers: EntraProvider[] = [];
/** A provider closed after the test file. */
function entra(overrides: Partial<EntraConfig> = {}): EntraProvider {
  const provider = createEntraProvider(settings(overrides));
  providers.push(provider);
  return provider;
}
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

const spec = (overrides: Partial<AccountSpec> = {}) => accountSpec('Entra Test', 'sup-en-', overrides);

/**
 * Entra ID's own sign-in with a password (the resource owner password grant on the fake's token endpoint): the
 * password is the member's when it signs in, or when Entra asks for it to be changed first (a grant's one-time
 * password, `forceChangePasswordNextSignIn`).
 */
async function canSignIn(credential: Credential): Promise<boolean> {
  return (await signIn({ kind: 'entra', graph }, credential.username, credential.password)) !== 'refused';
}

/** The contract's checks of `resetPassword` and `lookupAccount` on Entra. */
function sharedAccountHarness() {
  return {
    signsInAsIs: (credential: Credential) =>
      signsIn({ kind: 'entra', graph }, credential.username, credential.password),
    lookupRefs: async (account: AccountRef) => ({
      id: account.externalId,
      userPrincipalName: graph.users.get(account.externalId)?.userPrincipalName ?? '',
    }),
    unknownRefs: { id: randomUUID(), userPrincipalName: `sup-none-${token()}@${UPN_DOMAIN}` },
  };
}

/** Refresh tokens the guests of the suite signed in with, and how many revocations their user had then. */
const guestSessions = new Map<string, { userId: string; revocations: number }>();

/**
 * A guest redeems its invitation and signs in with its own identity: it holds a refresh token (kept here as the
 * credential's password), which works until its sessions are revoked or its user is disabled.
 */
async function guestSignsIn(account: AccountRef): Promise<Credential> {
  graph.redeemInvitation(account.externalId);
  const user = graph.users.get(account.externalId);
  const token = `refresh-${randomUUID()}`;
  guestSessions.set(token, { userId: account.externalId, revocations: user?.sessionRevocations ?? 0 });
  return { username: user?.userPrincipalName ?? account.username, password: token };
}

/** A guest's refresh token works while its user is enabled and no revocation came after the sign-in. */
async function guestCanSignIn(credential: Credential): Promise<boolean> {
  const session = guestSessions.get(credential.password);
  const user = session && graph.users.get(session.userId);
  return (
    user !== undefined &&
    user.accountEnabled &&
    user.externalUserState === 'Accepted' &&
    user.sessionRevocations === session?.revocations
  );
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isProviderError(err), `expected a ProviderError, got ${String(err)}`).toBe(true);
  return err as ProviderError;
}

let bearer: string | undefined;
/** A plain Graph call with the fake's client, outside the provider (setting up what a test needs). */
async function graphCall(method: string, path: string, body?: unknown): Promise<any> {
  if (bearer === undefined) {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: graph.clientSecret,
      scope: graph.scope,
    });
    const answer = await fetch(graph.tokenUrl, { method: 'POST', body: form });
    bearer = ((await answer.json()) as { access_token: string }).access_token;
  }
  const res = await fetch(`${graph.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** A member of a supplier's name that an administrator made by hand: enabled, with no grant on it. */
async function addByHand(username: string): Promise<void> {
  const made = await graphCall('POST', '/users', {
    accountEnabled: true,
    displayName: 'Made by hand',
    mailNickname: username,
    userPrincipalName: `${username}@${UPN_DOMAIN}`,
    passwordProfile: { password: 'Xq7!someone-else' },
  });
  expect(made.id).toBeTypeOf('string');
}

providerContract('entra (member accounts)', async () => ({
  provider: entra(),
  adaptSpec: (s) => ({ ...s, kind: 'member' }),
  signInName: (username) => `${username}@${UPN_DOMAIN}`,
  canSignIn,
  ...sharedAccountHarness(),
  groups: [graph.createGroup(`Contract members ${token()}`).id],
  missingGroup: randomUUID(),
  makeForeignAccount: addByHand,
}));

// Entra keeps one guest per address: each guest of the suite gets an address of its own.
providerContract('entra (guest accounts)', async () => ({
  provider: entra(),
  adaptSpec: (s) => ({ ...s, kind: 'guest', contactEmail: `${s.username}@partner.example` }),
  canSignIn: guestCanSignIn,
  supplierSignsIn: guestSignsIn,
  ...sharedAccountHarness(),
  passwordless: true,
  groups: [graph.createGroup(`Contract guests ${token()}`).id],
  missingGroup: randomUUID(),
  makeForeignAccount: addByHand,
}));

// Applications an administrator registered by hand carry no grant tag: ours must never take one over.
serviceCredentialContract('entra (application secrets)', async () => ({
  provider: entra(),
  maxNameLength: 64,
  signsIn: (credential) => serviceSignsIn({ kind: 'entra', graph }, credential.username, credential.password),
  missingRef: (name) => ({ username: name, externalId: randomUUID(), displayName: name }),
  makeForeign: async (name) => {
    graph.plantApplication({ displayName: name });
  },
  holdsExpiry: true,
  kind: 'application',
}));

describe('entra shared accounts (existing members)', () => {
  let provider: IdentityProvider;
  beforeAll(() => {
    provider = entra();
  });
  const target = () => ({ kind: 'entra' as const, graph });

  /** A member an administrator made by hand, signed in with its own password: an existing account to lend. */
  async function sharedMember(): Promise<{ id: string; upn: string; ref: AccountRef }> {
    const username = `site-admin-${token()}`;
    await addByHand(username);
    const upn = `${username}@${UPN_DOMAIN}`;
    const found = await provider.lookupAccount(upn);
    expect(found).toMatchObject({ username, enabled: true });
    expect(await signsIn(target(), upn, 'Xq7!someone-else')).toBe(true);
    return { id: found?.externalId ?? '', upn, ref: found as AccountRef };
  }

  it('resetPassword sets a password that signs in as it is, then revokes the sessions', async () => {
    const { id, upn, ref } = await sharedMember();
    const revocations = graph.users.get(id)?.sessionRevocations ?? 0;
    const since = graph.graphRequests().length;
    const reset = await provider.resetPassword(ref);
    expect(reset).toEqual({ username: upn, password: expect.any(String) });
    expect(graph.users.get(id)).toMatchObject({
      forceChangePasswordNextSignIn: false,
      sessionRevocations: revocations + 1,
    });
    expect(
      graph
        .graphRequests()
        .slice(since)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([
      `GET /v1.0/users/${id}`,
      `PATCH /v1.0/users/${id}`,
      `POST /v1.0/users/${id}/revokeSignInSessions`,
    ]);
    expect(await signsIn(target(), upn, reset.password)).toBe(true);
    expect(await signsIn(target(), upn, 'Xq7!someone-else')).toBe(false);
  });

  it('a password Entra refuses is transient and changes nothing; the next attempt makes a new one', async () => {
    const { upn, ref } = await sharedMember();
    graph.refusePasswords(1);
    const err = await rejection(provider.resetPassword(ref));
    expect({ kind: err.kind, operation: err.details.operation }).toEqual({
      kind: 'transient',
      operation: 'resetPassword',
    });
    expect(await signsIn(target(), upn, 'Xq7!someone-else')).toBe(true);
    const reset = await provider.resetPassword(ref);
    expect(await signsIn(target(), upn, reset.password)).toBe(true);
  });

  it('resetPassword leaves a disabled member disabled: its new password does not sign in', async () => {
    const { id, upn, ref } = await sharedMember();
    await graphCall('PATCH', `/users/${id}`, { accountEnabled: false });
    const reset = await provider.resetPassword(ref);
    expect(graph.users.get(id)?.accountEnabled).toBe(false);
    expect(await signsIn(target(), upn, reset.password)).toBe(false);
    expect((await provider.lookupAccount(id))?.enabled).toBe(false);
  });
});

describe('entra member accounts', () => {
  let provider: IdentityProvider;
  beforeAll(() => {
    provider = entra();
  });

  it('creates <username>@upnDomain named after the organisation, with a password to change at first sign-in', async () => {
    const s = spec({ organisation: 'Ünïcödé & Sons Ltd', contactEmail: 'ops@sons.example', kind: 'member' });
    const { account, credential } = await provider.createAccount(s);
    const user = graph.users.get(account.externalId);
    expect(user).toMatchObject({
      userPrincipalName: `${s.username}@${UPN_DOMAIN}`,
      mailNickname: s.username,
      displayName: 'Ünïcödé & Sons Ltd (supplier)',
      companyName: 'Ünïcödé & Sons Ltd',
      userType: 'Member',
      accountEnabled: true,
      otherMails: ['ops@sons.example'],
      forceChangePasswordNextSignIn: true,
    });
    expect(credential).toEqual({ username: `${s.username}@${UPN_DOMAIN}`, password: user?.password });
    expect(await canSignIn(credential as Credential)).toBe(true);
    // The fake's log redacts passwords; what matters is that the provider sent one only in passwordProfile.
    const post = graph.graphRequests().find((r) => r.method === 'POST' && r.path === '/v1.0/users');
    expect(post?.body).toMatchObject({ passwordProfile: { password: '[REDACTED]' } });
  });

  it('is the default kind without a contact e-mail, and needs upnDomain', async () => {
    const { credential } = await provider.createAccount(spec());
    expect(credential?.username.endsWith(`@${UPN_DOMAIN}`)).toBe(true);
    const guestsOnly = entra({ upnDomain: undefined });
    const err = await rejection(guestsOnly.createAccount(spec()));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/upnDomain/);
  });

  it('rotation sets a password nobody has (meeting the policy) and revokes the sessions; the account stays disabled', async () => {
    const { account, credential } = await provider.createAccount(spec());
    await provider.disableAccount(account);
    // The fake's users are live views: copy what is compared later.
    const { sessionRevocations: revocations, passwordSets } = { ...graph.users.get(account.externalId) };
    await provider.rotateCredentials(account);
    const after = graph.users.get(account.externalId);
    expect(after?.password).not.toBe(credential?.password);
    expect(after?.password?.length).toBe(64);
    expect(after?.forceChangePasswordNextSignIn).toBe(true);
    expect(after?.passwordSets).toBe((passwordSets ?? 0) + 1);
    expect(after?.sessionRevocations).toBe((revocations ?? 0) + 1);
    expect(after?.accountEnabled).toBe(false);
  });

  it('refuses a UPN held by an account nobody granted as a conflict', async () => {
    const username = `sup-en-${token()}`;
    await graphCall('POST', '/users', {
      accountEnabled: true,
      displayName: 'Someone else',
      mailNickname: username,
      userPrincipalName: `${username}@${UPN_DOMAIN}`,
      passwordProfile: { password: 'Xq7!someone-else' },
    });
    const err = await rejection(provider.createAccount(spec({ username })));
    expect(err.kind).toBe('conflict');
    expect(err.message).toMatch(/no supplier-access grant/);
    expect(graph.userByPrincipalName(`${username}@${UPN_DOMAIN}`)?.password).toBe('Xq7!someone-else');
  });
  it('refuses a UPN taken under another nickname, and an account of the other kind, as conflicts', async () => {
    const username = `sup-en-${token()}`;
    await graphCall('POST', '/users', {
      accountEnabled: true,
      displayName: 'Someone else',
      mailNickname: `someone-${token()}`,
      userPrincipalName: `${username}@${UPN_DOMAIN}`,
      passwordProfile: { password: 'Xq7!someone-else' },
    });
    expect((await rejection(provider.createAccount(spec({ username })))).kind).toBe('conflict');

    const guest = spec({ contactEmail: `${token()}@partner.example` });
    await provider.createAccount(guest);
    const err = await rejection(provider.createAccount({ ...guest, kind: 'member' }));
    expect(err.kind).toBe('conflict');
    expect(err.message).toMatch(/as a guest/);
  });
});

describe('entra guest accounts', () => {
  let provider: IdentityProvider;
  let group: string;
  beforeAll(() => {
    group = graph.createGroup(`Guests ${token()}`).id;
    provider = entra({ groups: [group] });
  });

  it('invites the contact address, records the account name on the guest, and hands out no credential', async () => {
    const address = `${token()}@partner.example`;
    const s = spec({ contactEmail: address });
    const { account, credential } = await provider.createAccount(s);
    expect(credential).toBeUndefined();
    expect(graph.invitationEmails.filter((e) => e.to === address)).toEqual([
      expect.objectContaining({ userId: account.externalId }),
    ]);
    expect(graph.users.get(account.externalId)).toMatchObject({
      userType: 'Guest',
      mail: address,
      mailNickname: s.username,
      displayName: s.displayName,
      companyName: s.organisation,
      password: undefined,
      onPremisesExtensionAttributes: expect.objectContaining({
        extensionAttribute14: s.grantId,
        extensionAttribute15: s.expiresAt,
      }),
    });
    expect(await provider.findAccount(s.username)).toMatchObject({
      username: s.username,
      externalId: account.externalId,
      enabled: true,
      grantId: s.grantId,
      organisation: s.organisation,
      groups: [group],
    });
    expect((await provider.listAccounts(s.username)).map((a) => a.externalId)).toEqual([account.externalId]);
  });

  it('disable blocks sign-in, revokes the sessions and leaves the groups; rotation only revokes again', async () => {
    const { account } = await provider.createAccount(spec({ contactEmail: `${token()}@partner.example` }));
    await provider.disableAccount(account);
    const user = graph.users.get(account.externalId);
    expect(user?.accountEnabled).toBe(false);
    expect(graph.sessionsRevokedAt(account.externalId)).toBeDefined();
    expect(graph.groups.get(group)?.members.has(account.externalId)).toBe(false);
    await provider.rotateCredentials(account);
    expect(graph.users.get(account.externalId)).toMatchObject({
      sessionRevocations: 2,
      passwordSets: 0,
      password: undefined,
      accountEnabled: false,
    });
  });

  it('needs a contact e-mail', async () => {
    const err = await rejection(provider.createAccount(spec({ kind: 'guest' })));
    expect(err.kind).toBe('invalid');
  });

  it('refuses an address that already has another grant’s account, without inviting it again', async () => {
    const address = `${token()}@partner.example`;
    await provider.createAccount(spec({ contactEmail: address }));
    const err = await rejection(provider.createAccount(spec({ contactEmail: address })));
    expect(err.kind).toBe('conflict');
    expect(err.message).not.toContain(address);
    expect(graph.invitationEmails.filter((e) => e.to === address)).toHaveLength(1);
  });

  it('refuses an address that belongs to a guest nobody granted', async () => {
    const address = `${token()}@partner.example`;
    await graphCall('POST', '/invitations', {
      invitedUserEmailAddress: address,
      invitedUserDisplayName: 'A Person',
      inviteRedirectUrl: 'https://myapps.microsoft.com',
    });
    const err = await rejection(provider.createAccount(spec({ contactEmail: address })));
    expect(err.kind).toBe('conflict');
  });

  it('finishes a create that stopped after the invitation, without a second invitation', async () => {
    const address = `${token()}@partner.example`;
    const s = spec({ contactEmail: address });
    // An earlier attempt: invited (e-mail sent), then the marking PATCH never happened.
    await graphCall('POST', '/invitations', {
      invitedUserEmailAddress: address,
      invitedUserDisplayName: s.displayName,
      inviteRedirectUrl: 'https://myapps.microsoft.com',
      sendInvitationMessage: true,
    });
    const { account } = await provider.createAccount(s);
    expect(graph.invitationEmails.filter((e) => e.to === address)).toHaveLength(1);
    expect((await provider.findAccount(s.username))?.externalId).toBe(account.externalId);
  });
});

describe('entra expiry and groups', () => {
  it('records the expiry in the extension attribute, and setExpiry moves it (and employeeLeaveDateTime when asked)', async () => {
    const provider = entra({
      extensionAttributes: { grantId: 3, expiresAt: 4 },
      mirrorExpiryToEmployeeLeaveDateTime: true,
    });
    const s = spec({ expiresAt: '2031-01-31T12:00:00Z' });
    const { account } = await provider.createAccount(s);
    const attributes = () => graph.users.get(account.externalId)?.onPremisesExtensionAttributes;
    expect(attributes()).toMatchObject({
      extensionAttribute3: s.grantId,
      extensionAttribute4: '2031-01-31T12:00:00.000Z',
    });
    expect(graph.users.get(account.externalId)?.employeeLeaveDateTime).toBe('2031-01-31T12:00:00Z');

    await provider.setExpiry(account, '2031-03-01T08:30:00.000Z');
    expect(attributes()?.extensionAttribute4).toBe('2031-03-01T08:30:00.000Z');
    expect(attributes()?.extensionAttribute3).toBe(s.grantId);
    expect(graph.users.get(account.externalId)?.employeeLeaveDateTime).toBe('2031-03-01T08:30:00Z');
    expect((await provider.findAccount(s.username))?.expiresAt).toBe('2031-03-01T08:30:00.000Z');

    const gone = { ...account, externalId: '9c9c9c9c-0000-4000-8000-000000000000' };
    expect((await rejection(provider.setExpiry(gone, s.expiresAt))).kind).toBe('not-found');
    expect((await rejection(provider.setExpiry(account, 'next tuesday'))).kind).toBe('invalid');
  });

  it('joins the configured and the requested groups, takes a repeated join (400) as done, and leaves them on disable', async () => {
    const configured = graph.createGroup(`All suppliers ${token()}`).id;
    const requested = graph.createGroup(`Project ${token()}`).id;
    const provider = entra({ groups: [configured] });
    const s = spec({ groups: [requested, configured] });
    const { account } = await provider.createAccount(s);
    expect((await provider.findAccount(s.username))?.groups.sort()).toEqual([configured, requested].sort());

    const logged = graph.requests.length;
    await provider.createAccount(s); // a retried create: both joins answer 400 "already exist"
    const joins = graph.requests.slice(logged).filter((r) => r.path.endsWith('/members/$ref'));
    expect(joins.map((r) => r.status)).toEqual([400, 400]);
    expect((await provider.findAccount(s.username))?.groups.sort()).toEqual([configured, requested].sort());

    // Two deprovisionings at once: both read the memberships, one of each removal answers 404, both succeed.
    const before = graph.requests.length;
    await Promise.all([provider.disableAccount(account), provider.disableAccount(account)]);
    const removals = graph.requests.slice(before).filter((r) => r.method === 'DELETE');
    expect(removals.map((r) => r.status).sort()).toEqual([204, 204, 404, 404]);
    expect(graph.groups.get(configured)?.members.size).toBe(0);
    expect(graph.groups.get(requested)?.members.size).toBe(0);
  });

  it('leaves dynamic groups to their rule when disabling', async () => {
    const provider = entra();
    const dynamic = await graphCall('POST', '/groups', {
      displayName: `Dynamic ${token()}`,
      mailNickname: `dyn-${token()}`,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: ['DynamicMembership'],
    });
    const { account } = await provider.createAccount(spec({ groups: [dynamic.id] }));
    await provider.disableAccount(account);
    expect((await provider.findAccount(account.username))?.groups).toEqual([dynamic.id]);
  });

  it('refuses a group that does not exist, or is not an object id, as invalid, creating nothing', async () => {
    const provider = entra();
    const missing = '9c9c9c9c-0000-4000-8000-00000000beef';
    const s = spec({ groups: [missing] });
    const logged = graph.graphRequests().length;
    expect(await rejection(provider.createAccount(s))).toMatchObject({
      kind: 'invalid',
      message: `createAccount: group ${missing} does not exist`,
      details: { field: 'groups' },
    });
    expect(await provider.findAccount(s.username)).toBeNull();
    const made = graph.graphRequests().slice(logged);
    expect(made.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const err = await rejection(provider.createAccount(spec({ groups: ['Suppliers/../x'] })));
    expect(err).toMatchObject({ kind: 'invalid', details: { field: 'groups' } });
  });

  it('refuses a configured group that does not exist as a setting to fix, not as the request’s fault', async () => {
    const provider = entra({ groups: [randomUUID()] });
    const s = spec({ groups: [graph.createGroup(`Requested ${token()}`).id] });
    const err = await rejection(provider.createAccount(s));
    expect(err).toMatchObject({ kind: 'invalid', message: expect.stringContaining('GRAPH_GROUP_IDS') });
    expect(err.details.field).toBeUndefined();
    expect(await provider.findAccount(s.username)).toBeNull();
  });
});

describe('entra listing', () => {
  it('lists more accounts than a Graph page holds (999), members and guests alike', async () => {
    const prefix = `sup-pg${token()}-`;
    const total = 1_010;
    for (let i = 0; i < total; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, total - i) }, (_, j) =>
          graphCall('POST', '/users', {
            accountEnabled: true,
            displayName: `Paged ${i + j}`,
            mailNickname: `${prefix}${i + j}`,
            userPrincipalName: `${prefix}${i + j}@${UPN_DOMAIN}`,
            passwordProfile: { password: 'Xq7!paged-user' },
          }),
        ),
      );
    }
    const provider = entra();
    await provider.createAccount(
      spec({ username: `${prefix}guest`, contactEmail: `${token()}@partner.example` }),
    );
    const listed = await provider.listAccounts(prefix);
    expect(listed).toHaveLength(total + 1);
    expect(new Set(listed.map((a) => a.username)).size).toBe(total + 1);
    const pages = graph
      .graphRequests()
      .filter((r) => r.path === '/v1.0/users' && r.query.$filter === `startswith(mailNickname,'${prefix}')`);
    expect(pages).toHaveLength(2);
  }, 60_000);
});

describe('entra failures', () => {
  afterEach(() => {
    graph.setPermissions(ALL_PERMISSIONS);
    graph.setThrottle(10_000, 60_000);
  });

  it('a 429 is transient with Graph’s Retry-After, sent once (no client retries), and pauses the next request', async () => {
    const provider = entra();
    await provider.findAccount('sup-warm-up'); // the token is fetched before the log is read
    const logged = graph.graphRequests().length;
    graph.failNext(1, 429, 1);
    const err = await rejection(provider.findAccount('sup-any'));
    expect(err).toMatchObject({ kind: 'transient', details: { provider: 'entra', retryAfterMs: 1000 } });
    expect(
      graph
        .graphRequests()
        .slice(logged)
        .map((r) => [r.status, r.retryAttempt]),
    ).toEqual([[429, undefined]]);

    expect(await provider.findAccount('sup-any')).toBeNull();
    const [throttled, next] = graph.graphRequests().slice(logged);
    expect((next?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('503, 504 and 500 are transient and sent once; a 503’s Retry-After is passed on', async () => {
    const provider = entra();
    await provider.findAccount('sup-warm-up');
    const logged = graph.graphRequests().length;
    graph.failNext(1, 504);
    expect(await rejection(provider.findAccount('sup-any'))).toMatchObject({ kind: 'transient' });
    graph.failNext(1, 500);
    expect(
      await rejection(provider.disableAccount({ username: 'x', externalId: 'x', displayName: 'x' })),
    ).toMatchObject({ kind: 'transient' });
    graph.failNext(1, 503, 0);
    const err = await rejection(
      provider.rotateCredentials({ username: 'x', externalId: 'x', displayName: 'x' }),
    );
    expect(err).toMatchObject({ kind: 'transient', details: { retryAfterMs: 0 } });
    expect(
      graph
        .graphRequests()
        .slice(logged)
        .map((r) => r.status),
    ).toEqual([504, 500, 503]);
  });

  it('a wrong client secret is auth, names the AADSTS error and never the secret', async () => {
    const secret = `wrong~${token()}~secret`;
    const provider = entra({ clientSecret: secret });
    const logged = graph.graphRequests().length;
    const err = await rejection(provider.createAccount(spec()));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/invalid_client.*AADSTS7000215/);
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err.details, (k, v: unknown) => (k === 'cause' ? undefined : v))).not.toContain(
      secret,
    );
    expect(graph.graphRequests().length).toBe(logged);
  });

  it('checks it is reachable with one Graph request, and a wrong secret makes the check fail as auth', async () => {
    const logged = graph.graphRequests().length;
    await entra().checkReachable();
    expect(graph.graphRequests().length - logged).toBe(1);
    const err = await rejection(entra({ clientSecret: `wrong~${token()}~secret` }).checkReachable());
    expect(err.kind).toBe('auth');
  });

  it('a missing Graph permission (403 Authorization_RequestDenied) is auth', async () => {
    graph.setPermissions(ALL_PERMISSIONS.filter((p) => !/^(GroupMember|Group|Directory)\./.test(p)));
    const provider = entra(); // a new provider: a new token, with the reduced roles
    const err = await rejection(provider.createAccount(spec({ groups: [graph.createGroup('G').id] })));
    expect(err).toMatchObject({ kind: 'auth' });
    expect(err.message).toMatch(/403 Authorization_RequestDenied/);
  });

  it('needs no more than User.ReadWrite.All and GroupMember.ReadWrite.All for either kind (the docs’ list)', async () => {
    graph.setPermissions(['User.ReadWrite.All', 'GroupMember.ReadWrite.All']);
    const group = graph.createGroup(`Least ${token()}`).id;
    const provider = entra({ groups: [group] });
    for (const s of [spec(), spec({ contactEmail: `${token()}@partner.example` })]) {
      const { account } = await provider.createAccount(s);
      await provider.setExpiry(account, inDays(60));
      expect(await provider.findAccount(s.username)).toMatchObject({ enabled: true, groups: [group] });
      await provider.disableAccount(account);
      await provider.rotateCredentials(account);
      expect(await provider.listAccounts(s.username)).toMatchObject([{ enabled: false, groups: [] }]);
    }
  });

  it('an unreachable Graph or authority is transient', async () => {
    const noGraph = entra({ baseUrl: 'https://127.0.0.1:1' });
    expect(await rejection(noGraph.findAccount('sup-x'))).toMatchObject({ kind: 'transient' });
    const noAuthority = entra({ authorityUrl: 'https://127.0.0.1:1' });
    const err = await rejection(noAuthority.findAccount('sup-x'));
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/no token/);
  });

  it('reads hostile names as names, never as filter syntax', async () => {
    const provider = entra();
    await provider.createAccount(spec());
    for (const name of ["x' or startswith(mailNickname,'sup", 'sup-*', 'a#b&c=d+e', "'", '']) {
      expect(await provider.findAccount(name)).toBeNull();
    }
    expect(await provider.listAccounts("'")).toEqual([]);
    expect(await provider.listAccounts('sup-en-%')).toEqual([]);
    expect((await rejection(provider.createAccount(spec({ username: "o'brien" })))).kind).toBe('invalid');
  });

  it('keeps a burst under Graph’s throttle: zero 429s, where an unlimited client meets them', async () => {
    const limited = entra({ rateLimit: { requestsPerSecond: 10, maxConcurrent: 4 } });
    await limited.findAccount('sup-warm-up'); // the token first: its request is not Graph's
    const earlier429s = graph.count429();
    graph.setThrottle(10, 1000);
    const started = Date.now();
    await Promise.all(Array.from({ length: 35 }, (_, i) => limited.findAccount(`sup-burst-${i}`)));
    expect(graph.count429() - earlier429s).toBe(0);
    // 35 requests at 10 per (1 s + margin): the last ones start in the fourth window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);

    const unlimited = entra();
    await unlimited.findAccount('sup-warm-up');
    graph.setThrottle(10, 1000);
    const results = await Promise.allSettled(
      Array.from({ length: 35 }, (_, i) => unlimited.findAccount(`sup-burst-${i}`)),
    );
    const throttled = graph.count429() - earlier429s;
    expect(throttled).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 'rejected').length).toBe(throttled);
  }, 20_000);
});

describe('entra request limiter', () => {
  let clock: number;
  /** The shared limiter as the provider sets it up for Graph, on a clock of our own and without margin. */
  const limiter = (rateLimit: Partial<Parameters<typeof graphLimiterOptions>[0]> = {}, maxPauseMs?: number) =>
    new RateLimiter({
      ...graphLimiterOptions({ requestsPerSecond: 3, maxConcurrent: 10, ...rateLimit }),
      marginMs: 0,
      now: () => clock,
      ...(maxPauseMs === undefined ? {} : { maxPauseMs }),
    });
  /** Grants, in order, as they happen. */
  async function take(l: RateLimiter, count: number): Promise<{ granted: number[]; releases: Release[] }> {
    const granted: number[] = [];
    const releases: Release[] = [];
    for (let i = 0; i < count; i++) {
      l.acquire(GRAPH_BUCKET).then(
        (release) => {
          granted.push(i);
          releases.push(release);
        },
        () => undefined, // refused at close
      );
    }
    await flush();
    return { granted, releases };
  }
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** Moves the fake clock and fires the limiter's timer by hand (it reads `now` from us). */
  async function advance(l: RateLimiter, ms: number): Promise<void> {
    clock += ms;
    l.pauseFor(GRAPH_BUCKET, 0); // pumps: the same as its timer firing at this instant
    await flush();
  }

  beforeAll(() => {
    clock = 1_000_000;
  });

  it('budgets requestsPerSecond over one-second windows with a 50 ms margin, and obeys a Retry-After for at most 5 min', () => {
    expect(graphLimiterOptions({ requestsPerSecond: 20, maxConcurrent: 8 })).toEqual({
      limit: 20,
      windowMs: 1000,
      maxConcurrent: 8,
      marginMs: 50,
      maxPauseMs: 300_000,
    });
  });

  it('starts at most requestsPerSecond within any window, the rest as the window slides', async () => {
    const l = limiter();
    const { granted } = await take(l, 7);
    expect(granted).toEqual([0, 1, 2]);
    await advance(l, 999);
    expect(granted).toEqual([0, 1, 2]);
    await advance(l, 1);
    expect(granted).toEqual([0, 1, 2, 3, 4, 5]);
    await advance(l, 1000);
    expect(granted).toEqual([0, 1, 2, 3, 4, 5, 6]);
    l.close();
  });

  it('caps a pause at maxPauseMs and lets a rate below one per window through once a window', async () => {
    const l = limiter({ requestsPerSecond: 0.1 }, 60_000);
    l.pauseFor(GRAPH_BUCKET, 3_600_000);
    const { granted } = await take(l, 2);
    await advance(l, 60_000);
    expect(granted).toEqual([0]);
    await advance(l, 1000);
    expect(granted).toEqual([0, 1]);
    l.close();
  });
});

describe('entra settings and helpers', () => {
  it('fills in the defaults', () => {
    const cfg = resolveEntraConfig({ tenantId: 't', clientId: 'c', clientSecret: 's' });
    expect(cfg).toMatchObject({
      baseUrl: 'https://graph.microsoft.com',
      authorityUrl: 'https://login.microsoftonline.com',
      groups: [],
      inviteRedirectUrl: 'https://myapplications.microsoft.com',
      extensionAttributes: { grantId: 14, expiresAt: 15 },
      mirrorExpiryToEmployeeLeaveDateTime: false,
      rateLimit: { requestsPerSecond: 20, maxConcurrent: 8 },
    });
    expect(createEntraProvider({ tenantId: 't', clientId: 'c', clientSecret: 's' }).maxUsernameLength).toBe(
      64,
    );
  });

  it('refuses settings that cannot work, naming the field and never the secret', () => {
    const base = { tenantId: 't', clientId: 'c', clientSecret: 'top-secret-value' };
    const bad: Partial<EntraConfig>[] = [
      { baseUrl: 'http://graph.microsoft.com' },
      { baseUrl: 'https://graph.microsoft.com/v1.0' },
      { upnDomain: 'not a domain' },
      { groups: ['Suppliers'] },
      { extensionAttributes: { grantId: 15 } },
      { extensionAttributes: { grantId: 16 } },
      { clientSecret: '' },
    ];
    for (const overrides of bad) {
      let err: unknown;
      try {
        resolveEntraConfig({ ...base, ...overrides });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(overrides)).toBeInstanceOf(ZodError);
      expect(String(err)).not.toContain('top-secret-value');
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('2015-10-21T07:28:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
