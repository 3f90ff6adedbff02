/**
 * Entra ID service credentials against the Microsoft Graph fake, beyond the shared contract (which entra.test.ts
 * runs): Entra enforcing the secret's end itself, extensions as new secrets, closing, the permissions it needs, the
 * request limiter, and the inventory of applications nobody owns.
 */
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { createEntraProvider, type EntraConfig } from '../../providers/entra/index.js';
import { isProviderError, type ProviderError } from '../../providers/errors.js';
import type { ServiceSpec } from '../../providers/service-types.js';
import { ALL_PERMISSIONS, startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { serviceSignIn } from '../helpers/sign-in.js';
import { inDays, token } from './specs.js';

let graph: GraphFake;
const providers: ReturnType<typeof createEntraProvider>[] = [];

beforeAll(async () => {
  graph = await startGraphFake();
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await graph?.close();
});
afterEach(() => {
  graph.setPermissions(ALL_PERMISSIONS);
  graph.setThrottle(10_000, 60_000);
});

function entra(overrides: Partial<EntraConfig> = {}) {
  const provider = createEntraProvider({
    tenantId: graph.tenantId,
    clientId: graph.clientId,
    clientSecret: graph.clientSecret,
    baseUrl: graph.graphUrl,
    authorityUrl: graph.authorityUrl,
    rateLimit: { requestsPerSecond: 100_000, maxConcurrent: 16 },
    ...overrides,
  });
  providers.push(provider);
  return provider;
}

const spec = (overrides: Partial<ServiceSpec> = {}): ServiceSpec => ({
  username: `svc-en-${token()}`,
  organisation: 'Acme Inc.',
  displayName: 'Acme Inc. (supplier integration)',
  grantId: `grant-${token()}`,
  expiresAt: inDays(30),
  ...overrides,
});

const signIn = (username: string, secret: string) =>
  serviceSignIn({ kind: 'entra', graph }, username, secret);

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isProviderError(err), `expected a ProviderError, got ${String(err)}`).toBe(true);
  return err as ProviderError;
}

describe('entra service credentials', () => {
  it('makes an application named after the supplier, marked with the grant, and a secret ending at the expiry', async () => {
    const s = spec({ expiresAt: '2031-01-31T12:00:00Z' });
    const { account, credential } = await entra().createServiceCredential(s);
    const app = graph.applications.get(account.externalId);
    expect(app).toMatchObject({
      displayName: s.username,
      description: s.displayName,
      tags: [`supplier-access:grant:${s.grantId}`],
    });
    expect(app?.notes).toContain('Acme Inc.');
    expect(credential?.username).toBe(app?.appId);
    expect(app?.passwordCredentials.map((c) => c.endDateTime)).toEqual(['2031-01-31T12:00:00Z']);
    expect(graph.servicePrincipalByAppId(app?.appId ?? '')).toMatchObject({ accountEnabled: true });
  });

  it('Entra refuses the secret by itself once its expiry passes (AADSTS7000222)', async () => {
    const s = spec({ expiresAt: new Date(Date.now() + 2500).toISOString() });
    const { credential } = await entra().createServiceCredential(s);
    expect(await signIn(credential?.username ?? '', credential?.password ?? '')).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await signIn(credential?.username ?? '', credential?.password ?? '')).toBe('expired');
  });

  it('an extension adds a new secret with the new end; the old one keeps working until its own end', async () => {
    const provider = entra();
    const s = spec({ expiresAt: '2031-01-31T12:00:00Z' });
    const { account, credential } = await provider.createServiceCredential(s);
    const extended = await provider.setServiceExpiry(account, '2031-03-31T12:00:00Z');
    expect(extended?.username).toBe(credential?.username);
    expect(extended?.password).not.toBe(credential?.password);
    expect(await signIn(extended?.username ?? '', extended?.password ?? '')).toBe('ok');
    expect(await signIn(credential?.username ?? '', credential?.password ?? '')).toBe('ok');
    const ends = graph.applications.get(account.externalId)?.passwordCredentials.map((c) => c.endDateTime);
    expect(ends).toEqual(['2031-01-31T12:00:00Z', '2031-03-31T12:00:00Z']);

    // A retried extension (its answer lost) leaves one secret for that end, the one it answers last.
    const retried = await provider.setServiceExpiry(account, '2031-03-31T12:00:00Z');
    expect(await signIn(extended?.username ?? '', extended?.password ?? '')).toBe('refused');
    expect(await signIn(retried?.username ?? '', retried?.password ?? '')).toBe('ok');
    expect(graph.applications.get(account.externalId)?.passwordCredentials).toHaveLength(2);
  });

  it('a shortened grant removes the secrets that would outlive the new end', async () => {
    const provider = entra();
    const { account, credential } = await provider.createServiceCredential(
      spec({ expiresAt: '2031-03-31T12:00:00Z' }),
    );
    const shorter = await provider.setServiceExpiry(account, '2031-01-31T12:00:00Z');
    expect(await signIn(credential?.username ?? '', credential?.password ?? '')).toBe('refused');
    expect(await signIn(shorter?.username ?? '', shorter?.password ?? '')).toBe('ok');
    const ends = graph.applications.get(account.externalId)?.passwordCredentials.map((c) => c.endDateTime);
    expect(ends).toEqual(['2031-01-31T12:00:00Z']);
  });

  it('closing removes every secret (removePassword) and disables the service principal', async () => {
    const provider = entra();
    const { account, credential } = await provider.createServiceCredential(spec());
    const extended = await provider.setServiceExpiry(account, inDays(60));
    const app = graph.applications.get(account.externalId);
    const logged = graph.graphRequests().length;
    await provider.closeServiceCredential(account);
    const writes = graph
      .graphRequests()
      .slice(logged)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, '{id}')}`);
    expect(writes).toEqual([
      'POST /v1.0/applications/{id}/removePassword',
      'POST /v1.0/applications/{id}/removePassword',
      'PATCH /v1.0/servicePrincipals/{id}',
    ]);
    expect(app?.passwordCredentials).toEqual([]);
    expect(graph.servicePrincipalByAppId(app?.appId ?? '')?.accountEnabled).toBe(false);
    for (const c of [credential, extended])
      expect(await signIn(c?.username ?? '', c?.password ?? '')).toBe('refused');
  });

  it('a create retried after closing brings it back for the same grant: enabled, with a fresh secret only', async () => {
    const provider = entra();
    const s = spec();
    const { account, credential } = await provider.createServiceCredential(s);
    await provider.closeServiceCredential(account);
    const again = await provider.createServiceCredential(s);
    expect(again.account.externalId).toBe(account.externalId);
    expect(await signIn(again.credential?.username ?? '', again.credential?.password ?? '')).toBe('ok');
    expect(await signIn(credential?.username ?? '', credential?.password ?? '')).toBe('refused');
  });

  it('setServiceExpiry on an application that is gone is not-found; a bad name or expiry is invalid', async () => {
    const provider = entra();
    const { account } = await provider.createServiceCredential(spec());
    await provider.closeServiceCredential(account);
    const gone = { ...account, externalId: '9c9c9c9c-0000-4000-8000-000000000000' };
    expect((await rejection(provider.setServiceExpiry(gone, inDays(40)))).kind).toBe('not-found');
    await provider.closeServiceCredential(gone);
    expect(await rejection(provider.createServiceCredential(spec({ username: "o'brien" })))).toMatchObject({
      kind: 'invalid',
      details: { field: 'username' },
    });
    expect((await rejection(provider.createServiceCredential(spec({ expiresAt: 'soon' })))).kind).toBe(
      'invalid',
    );
    const past = spec({ expiresAt: new Date(Date.now() - 60_000).toISOString() });
    expect(await rejection(provider.createServiceCredential(past))).toMatchObject({
      kind: 'invalid',
      details: { field: 'expiresAt' },
    });
    expect([...graph.applications.values()].some((a) => a.displayName === past.username)).toBe(false);
  });

  it('a name that an application made by hand holds is a conflict', async () => {
    const planted = graph.plantApplication({ displayName: `svc-en-${token()}` });
    const err = await rejection(
      entra().createServiceCredential(spec({ username: planted.application.displayName })),
    );
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain('no supplier-access grant');
  });
});

describe('entra service credentials: permissions, limits and errors', () => {
  it('needs no more than Application.ReadWrite.OwnedBy: it owns what it makes (the docs’ list)', async () => {
    graph.setPermissions(['Application.ReadWrite.OwnedBy']);
    const provider = entra();
    const s = spec();
    const { account, credential } = await provider.createServiceCredential(s);
    expect([...(graph.applications.get(account.externalId)?.owners ?? [])]).toEqual([
      graph.selfServicePrincipalId,
    ]);
    const extended = await provider.setServiceExpiry(account, inDays(60));
    await provider.createServiceCredential(s); // a retry
    await provider.closeServiceCredential(account);
    for (const c of [credential, extended])
      expect(await signIn(c?.username ?? '', c?.password ?? '')).toBe('refused');
    const listed = (await provider.listServiceCredentials()).find((c) => c.id === account.externalId);
    expect(listed).toMatchObject({
      owners: ['supplier-access (graph fake)'],
      grantId: s.grantId,
      enabled: false,
    });
  });

  it('without an Application permission it is auth (403 Authorization_RequestDenied)', async () => {
    graph.setPermissions(['User.ReadWrite.All']);
    const err = await rejection(entra().createServiceCredential(spec()));
    expect(err).toMatchObject({ kind: 'auth', details: { operation: 'createServiceCredential' } });
    expect(err.message).toMatch(/403 Authorization_RequestDenied/);
  });

  it('a 429 is transient with Graph’s Retry-After; the retry makes one application, not two', async () => {
    const provider = entra();
    await provider.listServiceCredentials(); // the token first
    const s = spec();
    graph.failNext(1, 429, 2);
    const err = await rejection(provider.createServiceCredential(s));
    expect(err).toMatchObject({ kind: 'transient', details: { provider: 'entra', retryAfterMs: 2000 } });
    const { credential } = await provider.createServiceCredential(s);
    expect([...graph.applications.values()].filter((a) => a.displayName === s.username)).toHaveLength(1);
    expect(await signIn(credential?.username ?? '', credential?.password ?? '')).toBe('ok');
  });

  it('never puts the secret in an error or the request log', async () => {
    const provider = entra();
    const { account, credential } = await provider.createServiceCredential(spec());
    graph.failNext(1, 500);
    const err = await rejection(provider.setServiceExpiry(account, inDays(45)));
    const secret = credential?.password ?? 'none';
    expect(
      `${err.message} ${JSON.stringify(err.details, (k, v: unknown) => (k === 'cause' ? undefined : v))}`,
    ).not.toContain(secret);
    expect(JSON.stringify(graph.requests)).not.toContain(secret);
  });
});

describe('entra service credentials: inventory', () => {
  it('lists an ownerless application whose secret never expires, with no grant, beside ours', async () => {
    const provider = entra();
    const planted = graph.plantApplication({
      displayName: `zapier-acme-${token()}`,
      createdDateTime: '2021-05-04T10:00:00Z',
    });
    const ours = spec();
    const { account } = await provider.createServiceCredential(ours);
    const listed = await provider.listServiceCredentials();
    expect(listed.find((c) => c.id === planted.application.id)).toEqual({
      kind: 'application',
      id: planted.application.id,
      name: planted.application.displayName,
      owners: [],
      enabled: true,
      createdAt: '2021-05-04T10:00:00Z',
      credentials: [
        {
          id: planted.application.passwordCredentials[0]?.keyId,
          type: 'password',
          createdAt: '2021-05-04T10:00:00Z',
          expiresAt: undefined,
        },
      ],
      grantId: undefined,
    });
    expect(listed.find((c) => c.id === account.externalId)).toMatchObject({
      kind: 'application',
      name: ours.username,
      grantId: ours.grantId,
      credentials: [{ type: 'password', expiresAt: expect.any(String) }],
    });
    expect(JSON.stringify(listed)).not.toContain(planted.secretText);
  });

  it('lists more applications than a Graph page holds, and an application’s owners by name', async () => {
    const owner = await createOwner();
    for (let i = 0; i < 1002; i++)
      graph.plantApplication({ displayName: `bulk-${i}`, servicePrincipal: false });
    graph.plantApplication({ displayName: 'owned-one', owners: [owner.id] });
    const listed = await entra().listServiceCredentials();
    expect(listed.filter((c) => c.name.startsWith('bulk-'))).toHaveLength(1002);
    expect(listed.filter((c) => c.name.startsWith('bulk-')).every((c) => !c.enabled)).toBe(true);
    expect(listed.find((c) => c.name === 'owned-one')?.owners).toEqual([owner.upn]);
  }, 60_000);
});

/** A user in the directory, to own an application. */
async function createOwner(): Promise<{ id: string; upn: string }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: graph.clientId,
    client_secret: graph.clientSecret,
    scope: graph.scope,
  });
  const { access_token } = (await (await fetch(graph.tokenUrl, { method: 'POST', body: form })).json()) as {
    access_token: string;
  };
  const upn = `owner-${token()}@contoso.test`;
  const res = await fetch(`${graph.baseUrl}/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      accountEnabled: true,
      displayName: 'App owner',
      mailNickname: upn.split('@')[0],
      userPrincipalName: upn,
      passwordProfile: { password: 'Xq7!owner-Pass' },
    }),
  });
  return { id: ((await res.json()) as { id: string }).id, upn };
}
