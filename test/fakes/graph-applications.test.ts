/**
 * The Microsoft Graph fake's application registrations, service principals, secrets and owners, and an
 * application's own client-credentials sign-in, through plain HTTPS requests (the raw answers matter here).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, ensureTrusted, startGraphFake, type GraphFake } from './graph/index.js';

let graph: GraphFake;
let untrust: () => void;

beforeAll(async () => {
  graph = await startGraphFake();
  untrust = await ensureTrusted(graph);
});
afterAll(async () => {
  await graph.close();
  untrust();
});
beforeEach(() => {
  graph.reset();
  graph.setPermissions(ALL_PERMISSIONS);
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A token for the fake's own client, with the permissions granted now. */
async function bearer(): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: graph.clientId,
    client_secret: graph.clientSecret,
    scope: graph.scope,
  });
  const res = await fetch(graph.tokenUrl, { method: 'POST', body: form });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${graph.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token ?? (await bearer())}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** An application's client-credentials sign-in, as the raw answer of the token endpoint. */
async function signIn(clientId: string, secret: string): Promise<Answer> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope: 'https://graph.microsoft.com/.default',
  });
  const res = await fetch(graph.tokenUrl, { method: 'POST', body: form });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const aadsts = (answer: Answer) => (answer.body as { error_codes?: number[] }).error_codes?.[0];

async function newApp(displayName = 'svc-acme', extra: Record<string, unknown> = {}) {
  const made = await call('POST', '/applications', { displayName, ...extra });
  expect(made.status).toBe(201);
  return made.body as { id: string; appId: string };
}

async function addPassword(id: string, passwordCredential: Record<string, unknown> = {}) {
  const added = await call('POST', `/applications/${id}/addPassword`, { passwordCredential });
  expect(added.status).toBe(200);
  return added.body as { keyId: string; secretText: string; endDateTime: string; hint: string };
}

describe('applications', () => {
  it('POST creates one with an object id and a client id; GET filters on displayName and appId', async () => {
    const made = await call('POST', '/applications', {
      displayName: 'svc-acme',
      notes: 'Acme integration',
      tags: ['supplier-access:grant:g-1'],
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      displayName: 'svc-acme',
      notes: 'Acme integration',
      tags: ['supplier-access:grant:g-1'],
      passwordCredentials: [],
      keyCredentials: [],
      signInAudience: 'AzureADMyOrg',
    });
    expect(made.body.id).not.toBe(made.body.appId);
    await newApp('svc-other');

    const byName = await call(
      'GET',
      `/applications?$filter=${encodeURIComponent("displayName eq 'SVC-ACME'")}`,
    );
    expect(byName.body.value.map((a: { id: string }) => a.id)).toEqual([made.body.id]);
    const byAppId = await call(
      'GET',
      `/applications?$filter=${encodeURIComponent(`appId eq '${made.body.appId}'`)}&$select=id,tags`,
    );
    expect(byAppId.body.value).toEqual([{ id: made.body.id, tags: ['supplier-access:grant:g-1'] }]);
  });

  it('refuses a missing displayName and unknown or read-only properties with Graph’s 400', async () => {
    expect((await call('POST', '/applications', {})).body.error).toMatchObject({
      code: 'Request_BadRequest',
      message: "Invalid value specified for property 'displayName' of resource 'Application'.",
    });
    expect((await call('POST', '/applications', { displayName: 'x', colour: 'red' })).status).toBe(400);
    const readOnly = await call('POST', '/applications', { displayName: 'x', appId: 'mine' });
    expect(readOnly.body.error.details).toEqual([{ code: 'PropertyNotUpdatable', target: 'appId' }]);
  });

  it('pages with $top and @odata.nextLink', async () => {
    for (let i = 0; i < 5; i++) await newApp(`svc-page-${i}`);
    const first = await call('GET', '/applications?$top=2&$select=displayName');
    expect(first.body.value).toHaveLength(2);
    const names = first.body.value.map((a: { displayName: string }) => a.displayName);
    let next: string | undefined = first.body['@odata.nextLink'];
    while (next) {
      const page = await call('GET', next.slice(graph.baseUrl.length));
      names.push(...page.body.value.map((a: { displayName: string }) => a.displayName));
      next = page.body['@odata.nextLink'];
    }
    expect(names.sort()).toEqual(['svc-page-0', 'svc-page-1', 'svc-page-2', 'svc-page-3', 'svc-page-4']);
  });

  it('PATCH changes tags and notes (204); DELETE removes it and its service principal (then 404)', async () => {
    const app = await newApp();
    expect((await call('PATCH', `/applications/${app.id}`, { tags: ['a'], notes: 'n' })).status).toBe(204);
    expect((await call('GET', `/applications/${app.id}?$select=tags,notes`)).body).toMatchObject({
      tags: ['a'],
      notes: 'n',
    });
    await call('POST', '/servicePrincipals', { appId: app.appId });
    expect((await call('DELETE', `/applications/${app.id}`)).status).toBe(204);
    const gone = await call('GET', `/applications/${app.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('Request_ResourceNotFound');
    expect(graph.servicePrincipalByAppId(app.appId)).toBeUndefined();
  });
});

describe('secrets (addPassword / removePassword)', () => {
  it('addPassword answers secretText once, with keyId, hint and the endDateTime asked for', async () => {
    const app = await newApp();
    const added = await addPassword(app.id, {
      displayName: 'grant g-1',
      endDateTime: '2031-01-31T00:00:00Z',
    });
    expect(added).toMatchObject({ displayName: 'grant g-1', endDateTime: '2031-01-31T00:00:00Z' });
    expect(added.secretText).toMatch(/^.{3}8Q~.{34}$/);
    expect(added.hint).toBe(added.secretText.slice(0, 3));
    const read = await call('GET', `/applications/${app.id}?$select=passwordCredentials`);
    expect(read.body.passwordCredentials).toEqual([
      expect.objectContaining({ keyId: added.keyId, secretText: null, hint: added.hint }),
    ]);
    expect(JSON.stringify(read.body)).not.toContain(added.secretText);
  });

  it('addPassword without an end makes a two-year secret; an end before the start is a 400', async () => {
    const app = await newApp();
    const added = await addPassword(app.id);
    const years = (Date.parse(added.endDateTime) - Date.now()) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(1.99);
    expect(years).toBeLessThan(2.01);
    const past = await call('POST', `/applications/${app.id}/addPassword`, {
      passwordCredential: { endDateTime: '2001-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
  });

  it('removePassword removes the secret (204; it no longer signs in); an unknown keyId is a 400 with Graph’s body', async () => {
    const app = await newApp();
    await call('POST', '/servicePrincipals', { appId: app.appId });
    const added = await addPassword(app.id);
    expect((await signIn(app.appId, added.secretText)).status).toBe(200);
    expect(
      (await call('POST', `/applications/${app.id}/removePassword`, { keyId: added.keyId })).status,
    ).toBe(204);
    expect(aadsts(await signIn(app.appId, added.secretText))).toBe(7000215);
    const again = await call('POST', `/applications/${app.id}/removePassword`, { keyId: added.keyId });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({
      code: 'Request_BadRequest',
      details: [{ code: 'InvalidValue', target: 'keyId' }],
      innerError: { 'request-id': expect.any(String), date: expect.any(String) },
    });
  });
});

describe('owners', () => {
  it('adds a user owner ($ref), refuses adding it twice, lists and removes it', async () => {
    const app = await newApp();
    const user = await call('POST', '/users', {
      accountEnabled: true,
      displayName: 'Owner',
      mailNickname: 'owner',
      userPrincipalName: 'owner@contoso.test',
      passwordProfile: { password: 'Xq7!owner-Pass' },
    });
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.body.id}` };
    expect((await call('POST', `/applications/${app.id}/owners/$ref`, ref)).status).toBe(204);
    const twice = await call('POST', `/applications/${app.id}/owners/$ref`, ref);
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toMatch(/references already exist/);
    expect((await call('GET', `/applications/${app.id}/owners`)).body.value).toEqual([
      {
        '@odata.type': '#microsoft.graph.user',
        id: user.body.id,
        displayName: 'Owner',
        userPrincipalName: 'owner@contoso.test',
      },
    ]);
    expect((await call('DELETE', `/applications/${app.id}/owners/${user.body.id}/$ref`)).status).toBe(204);
    expect((await call('GET', `/applications/${app.id}/owners`)).body.value).toEqual([]);
  });

  it('Application.ReadWrite.OwnedBy: the caller owns what it creates and may not touch other applications', async () => {
    const others = await newApp('svc-someone-else'); // made with Application.ReadWrite.All: no owner
    graph.setPermissions(['Application.ReadWrite.OwnedBy']);
    const token = await bearer();
    const mine = (await call('POST', '/applications', { displayName: 'svc-mine' }, token)).body;
    expect([...(graph.applications.get(mine.id)?.owners ?? [])]).toEqual([graph.selfServicePrincipalId]);
    expect((await call('POST', `/applications/${mine.id}/addPassword`, {}, token)).status).toBe(200);
    expect((await call('POST', '/servicePrincipals', { appId: mine.appId }, token)).status).toBe(201);
    const denied = await call('POST', `/applications/${others.id}/addPassword`, {}, token);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('Authorization_RequestDenied');
    expect((await call('PATCH', `/applications/${others.id}`, { notes: 'x' }, token)).status).toBe(403);
    graph.setPermissions(['User.Read.All']);
    expect((await call('GET', '/applications', undefined, await bearer())).status).toBe(403);
  });
});

describe('service principals', () => {
  it('POST from an appId (enabled by default); a second one is a 409, an unknown appId a 400', async () => {
    const app = await newApp();
    const sp = await call('POST', '/servicePrincipals', { appId: app.appId, tags: ['t'] });
    expect(sp.status).toBe(201);
    expect(sp.body).toMatchObject({
      appId: app.appId,
      displayName: 'svc-acme',
      accountEnabled: true,
      tags: ['t'],
    });
    expect((await call('POST', '/servicePrincipals', { appId: app.appId })).status).toBe(409);
    const unknown = await call('POST', '/servicePrincipals', {
      appId: '00000000-0000-0000-0000-000000000001',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ code: 'InvalidValue', target: 'appId' }]);
  });

  it('GET filters on appId; PATCH accountEnabled: false disables it', async () => {
    const app = await newApp();
    const sp = (await call('POST', '/servicePrincipals', { appId: app.appId })).body;
    const found = await call(
      'GET',
      `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${app.appId}'`)}&$select=id,accountEnabled`,
    );
    expect(found.body.value).toEqual([{ id: sp.id, accountEnabled: true }]);
    expect((await call('PATCH', `/servicePrincipals/${sp.id}`, { accountEnabled: false })).status).toBe(204);
    expect((await call('GET', `/servicePrincipals/${sp.id}`)).body.accountEnabled).toBe(false);
  });
});

describe('an application signing in with its secret (client credentials)', () => {
  async function integration() {
    const app = await newApp();
    const sp = (await call('POST', '/servicePrincipals', { appId: app.appId })).body as { id: string };
    const secret = await addPassword(app.id);
    return { app, sp, secret };
  }

  it('answers a bearer token with no roles for a current secret', async () => {
    const { app, secret } = await integration();
    const answer = await signIn(app.appId, secret.secretText);
    expect(answer.status).toBe(200);
    const [, payload = ''] = (answer.body.access_token as string).split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      appid: app.appId,
      roles: [],
    });
    // The token is good for Graph, but the integration holds no permission there.
    expect((await call('GET', '/users', undefined, answer.body.access_token)).status).toBe(403);
  });

  it('refuses a wrong secret (7000215), an unknown client (700016) and an app with no service principal (7000229)', async () => {
    const { app } = await integration();
    const wrong = await signIn(app.appId, 'abc8Q~not-the-secret');
    expect({ status: wrong.status, error: wrong.body.error, code: aadsts(wrong) }).toEqual({
      status: 401,
      error: 'invalid_client',
      code: 7000215,
    });
    expect(aadsts(await signIn('00000000-0000-0000-0000-00000000000f', 'x'))).toBe(700016);
    const lonely = await newApp('svc-lonely');
    const lonelySecret = await addPassword(lonely.id);
    expect(aadsts(await signIn(lonely.appId, lonelySecret.secretText))).toBe(7000229);
  });

  it('refuses a secret past its endDateTime with AADSTS7000222', async () => {
    const { app } = await integration();
    const soon = await addPassword(app.id, { endDateTime: new Date(Date.now() + 1500).toISOString() });
    expect((await signIn(app.appId, soon.secretText)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await signIn(app.appId, soon.secretText);
    expect({ status: expired.status, error: expired.body.error, code: aadsts(expired) }).toEqual({
      status: 401,
      error: 'invalid_client',
      code: 7000222,
    });
    expect(expired.body.error_description).toMatch(/^AADSTS7000222: The provided client secret keys/);
  });

  it('refuses a disabled service principal with AADSTS7000112, and only for the right secret', async () => {
    const { app, sp, secret } = await integration();
    await call('PATCH', `/servicePrincipals/${sp.id}`, { accountEnabled: false });
    const disabled = await signIn(app.appId, secret.secretText);
    expect({ status: disabled.status, error: disabled.body.error, code: aadsts(disabled) }).toEqual({
      status: 400,
      error: 'unauthorized_client',
      code: 7000112,
    });
    expect(aadsts(await signIn(app.appId, 'abc8Q~wrong'))).toBe(7000215);
  });

  it('never logs the secret: the request log redacts client_secret', async () => {
    const { app, secret } = await integration();
    await signIn(app.appId, secret.secretText);
    expect(JSON.stringify(graph.requests)).not.toContain(secret.secretText);
  });
});

describe('planted applications and throttling', () => {
  it('plantApplication makes an ownerless app whose secret never expires, listed like any other', async () => {
    const planted = graph.plantApplication({ displayName: 'zapier-acme' });
    const read = await call('GET', `/applications/${planted.application.id}?$select=passwordCredentials`);
    expect(read.body.passwordCredentials).toEqual([
      expect.objectContaining({ endDateTime: null, secretText: null }),
    ]);
    expect((await call('GET', `/applications/${planted.application.id}/owners`)).body.value).toEqual([]);
    expect((await signIn(planted.application.appId, planted.secretText)).status).toBe(200);
  });

  it('applications count against the Graph budget: 429 with Retry-After', async () => {
    const token = await bearer();
    graph.setThrottle(1, 60_000);
    expect((await call('GET', '/applications', undefined, token)).status).toBe(200);
    const throttled = await call('POST', '/applications', { displayName: 'svc-x' }, token);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.body.error.code).toBe('TooManyRequests');
    graph.setThrottle(10_000, 60_000);
  });
});
