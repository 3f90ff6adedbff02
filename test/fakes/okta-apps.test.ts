import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOktaFake, type OktaFake } from './okta/index.js';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

const SERVICE_APP = {
  name: 'oidc_client',
  label: 'sup-acme-integration',
  signOnMode: 'OPENID_CONNECT',
  credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
  settings: {
    oauthClient: {
      application_type: 'service',
      grant_types: ['client_credentials'],
      response_types: ['token'],
    },
  },
  profile: { supplierAccessGrant: 'grant-1' },
};

function expectOktaError(a: Answer, status: number, code: string, summary?: string) {
  expect(a.status).toBe(status);
  expect(a.body.errorCode).toBe(code);
  expect(a.body.errorId).toMatch(/^oae/);
  if (summary) expect(a.body.errorSummary).toBe(summary);
}

function nextLink(headers: Headers): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(headers.get('link') ?? '')?.[1];
}

describe('Okta fake: service apps, client secrets, the token endpoint and API tokens', () => {
  let fake: OktaFake;

  async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
    const url = path.startsWith('http') ? path : `${fake.url}${path}`;
    const res = await fetch(url, {
      method,
      headers: {
        Accept: 'application/json',
        Authorization: `SSWS ${token ?? fake.apiToken}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** The client-credentials grant, authenticated by HTTP Basic as a service app is by default. */
  async function clientToken(clientId: string, secret: string, scope = 'okta.users.read'): Promise<Answer> {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString(
      'base64',
    );
    const res = await fetch(fake.tokenUrl, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  beforeAll(async () => {
    fake = await startOktaFake();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('creates a service app ACTIVE and answers its client id and first secret once; the secret gets a token', async () => {
    const made = await call('POST', '/api/v1/apps', SERVICE_APP);
    expect(made.status).toBe(200);
    expect(made.body.id).toMatch(/^0oa[A-Za-z0-9]{17}$/);
    expect(made.body.status).toBe('ACTIVE');
    expect(made.body.settings.oauthClient).toMatchObject({
      application_type: 'service',
      grant_types: ['client_credentials'],
    });
    expect(made.body.profile).toEqual({ supplierAccessGrant: 'grant-1' });
    const { client_id: clientId, client_secret: secret } = made.body.credentials.oauthClient;
    expect(clientId).toBe(made.body.id);
    expect(secret).toMatch(/^[A-Za-z0-9]{40,}$/);

    const read = await call('GET', `/api/v1/apps/${made.body.id}`);
    expect(read.body.credentials.oauthClient.client_secret).toBeUndefined();
    const secrets = await call('GET', `/api/v1/apps/${made.body.id}/credentials/secrets`);
    expect(secrets.body).toEqual([
      expect.objectContaining({ status: 'ACTIVE', secret_hash: expect.any(String) }),
    ]);
    expect(JSON.stringify(secrets.body)).not.toContain(secret);

    const token = await clientToken(clientId, secret);
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'okta.users.read' });
    expect((await clientToken(clientId, `${secret}x`)).body.error).toBe('invalid_client');
  });

  it('refuses what Okta refuses when an app is made: no label, a service app with another grant', async () => {
    expectOktaError(await call('POST', '/api/v1/apps', { ...SERVICE_APP, label: '' }), 400, 'E0000001');
    const implicit = {
      ...SERVICE_APP,
      settings: { oauthClient: { application_type: 'service', grant_types: ['implicit'] } },
    };
    const refused = await call('POST', '/api/v1/apps', implicit);
    expectOktaError(refused, 400, 'E0000001', 'Api validation failed: grant_types');
    expect(fake.apps.size).toBe(0);
  });

  it('a deactivated app gets no token; an active app cannot be deleted, an inactive one can', async () => {
    const { app, secret } = fake.plantServiceApp('legacy-sync');
    expectOktaError(
      await call('DELETE', `/api/v1/apps/${app.id}`),
      403,
      'E0000056',
      'Delete application forbidden.',
    );
    expect((await call('POST', `/api/v1/apps/${app.id}/lifecycle/deactivate`)).status).toBe(200);
    const refused = await clientToken(app.id, secret);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
    expect((await call('POST', `/api/v1/apps/${app.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/apps/${app.id}`)).status).toBe(204);
    expectOktaError(await call('GET', `/api/v1/apps/${app.id}`), 404, 'E0000007');
    expect((await clientToken(app.id, secret)).status).toBe(401);
  });

  it('holds two secrets at most; an active secret cannot be deleted; a deactivated or removed one gets no token', async () => {
    const { app, secret: first } = fake.plantServiceApp('two-secrets');
    const second = await call('POST', `/api/v1/apps/${app.id}/credentials/secrets`, {});
    expect(second.body).toMatchObject({ status: 'ACTIVE', client_secret: expect.any(String) });
    expect((await clientToken(app.id, second.body.client_secret)).status).toBe(200);
    expect((await clientToken(app.id, first)).status).toBe(200);
    expectOktaError(await call('POST', `/api/v1/apps/${app.id}/credentials/secrets`, {}), 400, 'E0000001');

    const firstId = app.secrets[0]!.id;
    const path = `/api/v1/apps/${app.id}/credentials/secrets/${firstId}`;
    expectOktaError(await call('DELETE', path), 400, 'E0000001', 'Api validation failed: client_secret');
    const deactivated = await call('POST', `${path}/lifecycle/deactivate`);
    expect(deactivated.body.status).toBe('INACTIVE');
    expect((await clientToken(app.id, first)).body.error).toBe('invalid_client');
    expect((await call('DELETE', path)).status).toBe(204);
    expectOktaError(await call('GET', path), 404, 'E0000007');
    expect((await clientToken(app.id, first)).status).toBe(401);
    expect((await clientToken(app.id, second.body.client_secret)).status).toBe(200);
  });

  it("the token endpoint wants the client credentials grant, a scope, and the app's own auth method", async () => {
    const { app, secret } = fake.plantServiceApp('grant-check');
    const post = (form: Record<string, string>) =>
      fetch(fake.tokenUrl, { method: 'POST', body: new URLSearchParams(form) }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    expect((await clientToken(app.id, secret, '')).body.error).toBe('invalid_scope');
    const bodyAuth = await post({
      grant_type: 'client_credentials',
      client_id: app.id,
      client_secret: secret,
      scope: 'okta.users.read',
    });
    expect(bodyAuth).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const wrongGrant = await fetch(fake.tokenUrl, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${app.id}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'password', username: 'x', password: 'y' }),
    });
    expect(wrongGrant.status).toBe(400);
    expect(((await wrongGrant.json()) as { error?: string }).error).toBe('unsupported_grant_type');
  });

  it('lists apps by q and filter, page by page through the Link header', async () => {
    for (let i = 0; i < 5; i++) fake.plantServiceApp(`sup-page-${i}`);
    fake.plantServiceApp('other-integration');
    const inactive = fake.plantServiceApp('sup-page-inactive').app;
    await call('POST', `/api/v1/apps/${inactive.id}/lifecycle/deactivate`);

    const labels: string[] = [];
    let next: string | undefined = `/api/v1/apps?q=sup-page&limit=2`;
    let pages = 0;
    while (next) {
      const page = await call('GET', next);
      expect(page.body.length).toBeLessThanOrEqual(2);
      labels.push(...page.body.map((a: { label: string }) => a.label));
      next = nextLink(page.headers);
      pages++;
    }
    expect(pages).toBe(3);
    expect(labels).toEqual([...[0, 1, 2, 3, 4].map((i) => `sup-page-${i}`), 'sup-page-inactive']);

    const active = await call('GET', `/api/v1/apps?filter=${encodeURIComponent('status eq "INACTIVE"')}`);
    expect(active.body.map((a: { label: string }) => a.label)).toEqual(['sup-page-inactive']);
    expectOktaError(
      await call('GET', `/api/v1/apps?filter=${encodeURIComponent('label sw "sup"')}`),
      400,
      'E0000031',
    );
  });

  it('lists API tokens with owner, window and expiry; a revoked token no longer authenticates', async () => {
    const lastUsed = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const planted = fake.plantApiToken({ name: 'old-zapier', userId: '00uSomeAdmin0000001', lastUsed });
    const list = await call('GET', '/api/v1/api-tokens');
    expect(list.status).toBe(200);
    const row = list.body.find((t: any) => t.id === planted.id);
    expect(Object.keys(row).sort()).toEqual(
      [
        '_link',
        'clientName',
        'created',
        'expiresAt',
        'id',
        'lastUpdated',
        'name',
        'network',
        'tokenWindow',
        'userId',
      ].sort(),
    );
    expect(row).toMatchObject({ name: 'old-zapier', userId: '00uSomeAdmin0000001', tokenWindow: 'P30D' });
    expect(Date.parse(row.expiresAt) - Date.parse(lastUsed)).toBe(30 * 86_400_000);
    expect(list.body.map((t: { name: string }) => t.name)).toContain('supplier-access');
    expect(JSON.stringify(list.body)).not.toContain(planted.value);

    expect((await call('GET', '/api/v1/users', undefined, planted.value)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/api-tokens/${planted.id}`)).status).toBe(204);
    expectOktaError(await call('GET', '/api/v1/users', undefined, planted.value), 401, 'E0000011');
    expectOktaError(await call('DELETE', `/api/v1/api-tokens/${planted.id}`), 404, 'E0000007');
  });

  it('rate-limits the apps bucket with 429 E0000047 and X-Rate-Limit-* headers', async () => {
    fake.setRateLimit(2, 60_000);
    expect((await call('GET', '/api/v1/apps')).status).toBe(200);
    const second = await call('GET', '/api/v1/apps');
    expect(second.headers.get('x-rate-limit-remaining')).toBe('0');
    const limited = await call('POST', '/api/v1/apps', SERVICE_APP);
    expectOktaError(limited, 429, 'E0000047');
    expect(limited.headers.get('x-rate-limit-limit')).toBe('2');
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(fake.apps.size).toBe(0);
    // Another bucket still answers.
    expect((await call('GET', '/api/v1/users')).status).toBe(200);
  });
});
