/**
 * The Microsoft Graph fake, exercised through the real clients a provider uses — @azure/identity's
 * ClientSecretCredential against the fake token endpoint and @microsoft/microsoft-graph-client 3 with its default
 * middleware (auth, retry, telemetry) — and through plain HTTPS requests where the raw answer matters.
 *
 * TLS: the fake's certificate is signed by the committed TEST-ONLY CA (test/fakes/graph/tls/test-ca.crt). When the
 * test process was started with NODE_EXTRA_CA_CERTS pointing at it (vitest `test.env`), nothing else is needed;
 * otherwise `ensureTrusted` installs the in-process fallback. The child-process tests below check the
 * NODE_EXTRA_CA_CERTS route itself.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { Client, GraphError, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ALL_PERMISSIONS,
  ensureTrusted,
  GRAPH_FAKE_CA_FILE,
  isTrustedByDefault,
  startGraphFake,
  type GraphFake,
} from './graph/index.js';

const run = promisify(execFile);

const GOOD_PASSWORD = 'Xq7!supplier-Pass';

let graph: GraphFake;
let untrust: () => void;
/** Whether the process trusted the fake before any fallback (true when started with the recommended setting). */
let trustedAtStart: boolean;
let credential: ClientSecretCredential;
let client: Client;

function credentialFor(fake: GraphFake, secret = fake.clientSecret): ClientSecretCredential {
  return new ClientSecretCredential(fake.tenantId, fake.clientId, secret, {
    authorityHost: fake.authorityUrl,
    // MSAL otherwise asks https://login.microsoftonline.com/common/discovery/instance about the unknown host.
    disableInstanceDiscovery: true,
  });
}

function clientFor(fake: GraphFake, cred: ClientSecretCredential): Client {
  return Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(cred, { scopes: [fake.scope] }),
    baseUrl: fake.graphUrl,
    customHosts: new Set([fake.host]),
  });
}

async function bearer(fake: GraphFake = graph, cred: ClientSecretCredential = credential): Promise<string> {
  return (await cred.getToken(fake.scope)).token;
}

interface Raw {
  status: number;
  headers: Headers;
  body: any;
}

/** A plain request to the fake (global fetch), JSON in and out. */
async function raw(
  method: string,
  path: string,
  opts: {
    body?: unknown;
    token?: string | null;
    headers?: Record<string, string>;
    form?: Record<string, string>;
  } = {},
): Promise<Raw> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? await bearer() : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${graph.origin}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const newUser = (name: string, extra: Record<string, unknown> = {}) => ({
  accountEnabled: true,
  displayName: `${name} (supplier)`,
  mailNickname: name.toLowerCase(),
  userPrincipalName: `${name.toLowerCase()}@contoso.test`,
  passwordProfile: { password: GOOD_PASSWORD, forceChangePasswordNextSignIn: true },
  ...extra,
});

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GraphError) return err;
    throw err;
  }
  throw new Error('expected a GraphError');
}

beforeAll(async () => {
  graph = await startGraphFake();
  trustedAtStart = await isTrustedByDefault(graph.origin);
  untrust = await ensureTrusted(graph);
  credential = credentialFor(graph);
  client = clientFor(graph, credential);
});

afterAll(async () => {
  await graph.close();
  untrust();
});

beforeEach(() => {
  graph.reset();
});

describe('TLS', () => {
  it('serves a certificate for 127.0.0.1 and localhost signed by the committed test-only CA', () => {
    expect(graph.caFile).toBe(GRAPH_FAKE_CA_FILE);
    expect(readFileSync(GRAPH_FAKE_CA_FILE, 'utf8')).toBe(graph.caCertPem);
    const ca = new X509Certificate(graph.caCertPem);
    const leaf = new X509Certificate(readFileSync(new URL('./graph/tls/server.crt', import.meta.url)));
    expect(ca.ca).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(leaf.subjectAltName).toContain('DNS:localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    // Long-lived, so that a committed copy keeps working.
    expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(15 * 365 * 24 * 3600 * 1000);
    expect(graph.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it.runIf(process.env.NODE_EXTRA_CA_CERTS === GRAPH_FAKE_CA_FILE)(
    'the runner’s NODE_EXTRA_CA_CERTS setting makes the process trust the fake without the fallback',
    () => {
      expect(trustedAtStart).toBe(true);
    },
  );

  const childScript = `
    import { ClientSecretCredential } from '@azure/identity';
    import { Client } from '@microsoft/microsoft-graph-client';
    import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
    const e = process.env;
    const credential = new ClientSecretCredential(e.GF_TENANT, e.GF_CLIENT, e.GF_SECRET, {
      authorityHost: e.GF_ORIGIN, disableInstanceDiscovery: true });
    const client = Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
      baseUrl: e.GF_ORIGIN, customHosts: new Set(['127.0.0.1']) });
    const page = await client.api('/users').filter("userPrincipalName eq 'child@contoso.test'").get();
    console.log(JSON.stringify({ found: page.value.length }));
  `;

  it('a process started with NODE_EXTRA_CA_CERTS=<caFile> trusts it with no code change (real clients)', async () => {
    await client.api('/users').post(newUser('Child'));
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', childScript], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: graph.caFile,
        GF_ORIGIN: graph.origin,
        GF_TENANT: graph.tenantId,
        GF_CLIENT: graph.clientId,
        GF_SECRET: graph.clientSecret,
      },
    });
    expect(JSON.parse(stdout.trim())).toEqual({ found: 1 });
    expect(
      graph.requests.map((r) => `${r.method} ${r.path.replace(graph.tenantId, '{tenant}')} ${r.status}`),
    ).toEqual(
      expect.arrayContaining([
        'GET /{tenant}/v2.0/.well-known/openid-configuration 200',
        'POST /{tenant}/oauth2/v2.0/token 200',
        'GET /v1.0/users 200',
      ]),
    );
  });

  it('a process without it rejects the certificate', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const script = `fetch(${JSON.stringify(graph.baseUrl + '/users')})
      .then((r) => console.log('status ' + r.status), (e) => console.log(String(e.cause?.code)));`;
    const { stdout } = await run(process.execPath, ['-e', script], { env });
    expect(stdout.trim()).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  it.skipIf(!['/usr/bin/openssl', '/bin/openssl', '/usr/local/bin/openssl'].some((p) => existsSync(p)))(
    "tls: 'generated' makes a fresh CA with openssl, trusted by clients given caCertPem",
    async () => {
      const fresh = await startGraphFake({ tls: 'generated' });
      try {
        expect(fresh.caCertPem).not.toBe(graph.caCertPem);
        expect(existsSync(fresh.caFile)).toBe(true);
        const status = await new Promise<number | string>((resolve) => {
          httpsRequest(`${fresh.baseUrl}/users`, { ca: fresh.caCertPem }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', (e) => resolve(e.message))
            .end();
        });
        expect(status).toBe(401);
      } finally {
        await fresh.close();
      }
      expect(existsSync(fresh.caFile)).toBe(false);
    },
  );
});

describe('token endpoint', () => {
  it('issues a bearer token to the real ClientSecretCredential (client credentials, secret redacted in the log)', async () => {
    const fresh = credentialFor(graph);
    const token = await fresh.getToken(graph.scope);
    expect(token.token.split('.')).toHaveLength(3);
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(3000 * 1000);
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      any
    >;
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      tid: graph.tenantId,
      appid: graph.clientId,
    });
    expect(claims.roles).toContain('User.ReadWrite.All');
    const tokenRequest = graph.requests.find((r) => r.path.endsWith('/oauth2/v2.0/token'));
    expect(tokenRequest).toMatchObject({ service: 'identity', method: 'POST', status: 200 });
    expect(tokenRequest?.body).toMatchObject({
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: '[REDACTED]',
      scope: expect.stringContaining('https://graph.microsoft.com/.default'),
    });
    expect(JSON.stringify(graph.requests)).not.toContain(graph.clientSecret);
  });

  it('refuses a wrong secret with AADSTS7000215 (credential and raw body)', async () => {
    await expect(credentialFor(graph, 'wrong-secret').getToken(graph.scope)).rejects.toThrow(/AADSTS7000215/);
    const res = await raw('POST', `/${graph.tenantId}/oauth2/v2.0/token`, {
      token: null,
      form: {
        grant_type: 'client_credentials',
        client_id: graph.clientId,
        client_secret: 'wrong-secret',
        scope: graph.scope,
      },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/^AADSTS7000215: Invalid client secret provided\./),
      error_codes: [7000215],
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
    });
  });

  it('refuses an unknown tenant, an unknown client and a scope without /.default', async () => {
    const form = {
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: graph.clientSecret,
    };
    const tenant = await raw('POST', '/not-a-tenant/oauth2/v2.0/token', {
      token: null,
      form: { ...form, scope: graph.scope },
    });
    expect(tenant).toMatchObject({ status: 400, body: { error: 'invalid_request', error_codes: [90002] } });
    const app = await raw('POST', `/${graph.tenantId}/oauth2/v2.0/token`, {
      token: null,
      form: { ...form, client_id: '11111111-1111-1111-1111-111111111111', scope: graph.scope },
    });
    expect(app).toMatchObject({ status: 400, body: { error: 'unauthorized_client', error_codes: [700016] } });
    const scope = await raw('POST', `/${graph.tenantId}/oauth2/v2.0/token`, {
      token: null,
      form: { ...form, scope: 'https://graph.microsoft.com/User.ReadWrite.All' },
    });
    expect(scope).toMatchObject({ status: 400, body: { error: 'invalid_scope', error_codes: [1002012] } });
  });
});

describe('a user signing in with a password (resource owner password grant)', () => {
  const signIn = (username: string, password: string, extra: Record<string, string> = {}) =>
    raw('POST', `/${graph.tenantId}/oauth2/v2.0/token`, {
      token: null,
      form: {
        grant_type: 'password',
        client_id: graph.clientId,
        scope: 'openid profile',
        username,
        password,
        ...extra,
      },
    });

  it('answers a token for the current password, and invalid_grant AADSTS50126 for any other', async () => {
    const { id } = await client
      .api('/users')
      .post(newUser('Omega', { passwordProfile: { password: GOOD_PASSWORD } }));
    const ok = await signIn('omega@contoso.test', GOOD_PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      token_type: 'Bearer',
      scope: 'openid profile',
      access_token: expect.any(String),
    });
    // A user's token is not the app's: Graph refuses it.
    expect((await raw('GET', '/v1.0/users', { token: ok.body.access_token })).status).toBe(401);

    const wrong = await signIn('omega@contoso.test', 'Xq7!not-the-password');
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_codes: [50126] } });
    expect(wrong.body.error_description).toMatch(/^AADSTS50126: Error validating credentials/);
    const nobody = await signIn('nobody@contoso.test', GOOD_PASSWORD);
    expect(nobody).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_codes: [50034] } });
    expect(graph.requests.at(-1)?.body).toMatchObject({ password: '[REDACTED]' });

    // A reset replaces the password: the old one is refused, the new one signs in.
    await client
      .api(`/users/${id}`)
      .patch({ passwordProfile: { password: 'Xq7!fresh-Pass', forceChangePasswordNextSignIn: false } });
    expect((await signIn('omega@contoso.test', GOOD_PASSWORD)).body.error_codes).toEqual([50126]);
    expect((await signIn('omega@contoso.test', 'Xq7!fresh-Pass')).status).toBe(200);
  });

  it('answers AADSTS50057 for a disabled account and AADSTS50055 for a password to change first', async () => {
    const { id } = await client.api('/users').post(newUser('Sigma'));
    const mustChange = await signIn('sigma@contoso.test', GOOD_PASSWORD);
    expect(mustChange).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_codes: [50055] } });
    await client
      .api(`/users/${id}`)
      .patch({ passwordProfile: { password: GOOD_PASSWORD + '2', forceChangePasswordNextSignIn: false } });
    expect((await signIn('sigma@contoso.test', GOOD_PASSWORD + '2')).status).toBe(200);
    await client.api(`/users/${id}`).patch({ accountEnabled: false });
    const disabled = await signIn('sigma@contoso.test', GOOD_PASSWORD + '2');
    expect(disabled).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_codes: [50057] } });
    // A wrong password says nothing about the account's state.
    expect((await signIn('sigma@contoso.test', 'Xq7!wrong-Pass')).body.error_codes).toEqual([50126]);
  });

  it('refuses the passwords refusePasswords names with Graph’s complexity answer, then takes them again', async () => {
    const { id } = await client.api('/users').post(newUser('Tau'));
    graph.refusePasswords(1);
    const refused = await graphError(
      client.api(`/users/${id}`).patch({ passwordProfile: { password: 'Xq7!fresh-Pass' } }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.message).toMatch(/does not comply with password complexity requirements/);
    expect(graph.users.get(id)?.password).toBe(GOOD_PASSWORD);
    await client.api(`/users/${id}`).patch({ passwordProfile: { password: 'Xq7!fresh-Pass' } });
    expect(graph.users.get(id)?.password).toBe('Xq7!fresh-Pass');
  });
});

describe('bearer token', () => {
  it('is required on every Graph request: 401 InvalidAuthenticationToken with Graph’s error body', async () => {
    const none = await raw('GET', '/v1.0/users', { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: {
        code: 'InvalidAuthenticationToken',
        message: 'Access token is empty.',
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
          'request-id': expect.any(String),
          'client-request-id': expect.any(String),
        },
      },
    });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const forged = await raw('GET', '/v1.0/users', { token: 'eyJ.forged.token' });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('InvalidAuthenticationToken');
    const ok = await raw('GET', '/v1.0/users');
    expect(ok.status).toBe(200);
  });

  it('is attached by the Graph client for the custom host (customHosts takes the host name, without port)', async () => {
    await client.api('/users').get();
    const last = graph.graphRequests().at(-1);
    expect(last).toMatchObject({ method: 'GET', path: '/v1.0/users', status: 200 });
    expect(last?.clientRequestId).toEqual(expect.any(String));
  });

  it('expires: an expired token answers 401 "Lifetime validation failed"', async () => {
    const other = await startGraphFake();
    try {
      const otherClient = clientFor(other, credentialFor(other));
      await otherClient.api('/users').get();
      other.expireTokens();
      const err = await graphError(otherClient.api('/users').get());
      expect(err.statusCode).toBe(401);
      expect(err.code).toBe('InvalidAuthenticationToken');
      expect(err.message).toBe('Lifetime validation failed, the token is expired.');
    } finally {
      await other.close();
    }
  });
});

describe('users', () => {
  it('POST /users creates a member: 201 with Graph’s default properties, the password kept for assertions', async () => {
    const created = await client.api('/users').post(newUser('Acme', { companyName: 'ACME Corp' }));
    expect(created).toEqual({
      '@odata.context': `${graph.baseUrl}/$metadata#users/$entity`,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      businessPhones: [],
      displayName: 'Acme (supplier)',
      givenName: null,
      jobTitle: null,
      mail: null,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: null,
      userPrincipalName: 'acme@contoso.test',
    });
    const stored = graph.users.get(created.id);
    expect(stored).toMatchObject({
      accountEnabled: true,
      userType: 'Member',
      companyName: 'ACME Corp',
      password: GOOD_PASSWORD,
      forceChangePasswordNextSignIn: true,
      passwordSets: 1,
    });
    expect(graph.userByPrincipalName('ACME@contoso.test')?.id).toBe(created.id);
    const logged = graph.graphRequests().find((r) => r.method === 'POST');
    expect(logged?.status).toBe(201);
    expect(logged?.body).toMatchObject({ passwordProfile: { password: '[REDACTED]' } });
    expect(JSON.stringify(graph.requests)).not.toContain(GOOD_PASSWORD);
  });

  it('GET /users/{id | userPrincipalName} with $select; passwordProfile reads as null', async () => {
    const created = await client
      .api('/users')
      .post(newUser('Beta', { employeeLeaveDateTime: '2031-01-31T00:00:00Z' }));
    const select = 'id,accountEnabled,userType,createdDateTime,employeeLeaveDateTime,passwordProfile';
    const byId = await client.api(`/users/${created.id}`).select(select).get();
    const byUpn = await client.api('/users/beta@contoso.test').select(select).get();
    expect(byUpn).toEqual(byId);
    expect(byId).toEqual({
      '@odata.context': `${graph.baseUrl}/$metadata#users(${select})/$entity`,
      id: created.id,
      accountEnabled: true,
      userType: 'Member',
      createdDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      employeeLeaveDateTime: '2031-01-31T00:00:00Z',
      passwordProfile: null,
    });
    const err = await graphError(client.api(`/users/${created.id}`).select('nope').get());
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe("Could not find a property named 'nope' on type 'microsoft.graph.user'.");
  });

  it('GET /users?$filter: eq (case-insensitive), startswith, and; advanced operators need ConsistencyLevel', async () => {
    for (const name of ['Acme', 'Acorn', 'Beta']) await client.api('/users').post(newUser(name));
    await client.api('/invitations').post({
      invitedUserEmailAddress: 'guest@partner.example',
      inviteRedirectUrl: 'https://myapps.microsoft.com',
    });
    const upns = (page: { value: { userPrincipalName: string }[] }) =>
      page.value.map((u) => u.userPrincipalName).sort();

    expect(upns(await client.api('/users').filter("userPrincipalName eq 'ACME@contoso.test'").get())).toEqual(
      ['acme@contoso.test'],
    );
    expect(upns(await client.api('/users').filter("startswith(userPrincipalName,'ac')").get())).toEqual([
      'acme@contoso.test',
      'acorn@contoso.test',
    ]);
    expect(
      upns(await client.api('/users').filter("startswith(displayName,'A') and userType eq 'Member'").get()),
    ).toEqual(['acme@contoso.test', 'acorn@contoso.test']);
    const guests = await client.api('/users').filter("userType eq 'Guest'").select('id,mail,userType').get();
    expect(guests.value).toEqual([
      { id: expect.any(String), mail: 'guest@partner.example', userType: 'Guest' },
    ]);
    expect(
      (await client.api('/users').filter("mail eq 'guest@partner.example'").get()).value.map(
        (u: { mail: string }) => u.mail,
      ),
    ).toEqual(['guest@partner.example']);

    await client.api('/users/acorn@contoso.test').patch({ employeeLeaveDateTime: '2030-01-31T00:00:00Z' });
    expect(
      upns(await client.api('/users').filter('employeeLeaveDateTime le 2030-02-01T00:00:00Z').get()),
    ).toEqual(['acorn@contoso.test']);

    const ne = await graphError(client.api('/users').filter("userType ne 'Guest'").get());
    expect(ne.statusCode).toBe(400);
    expect(ne.code).toBe('Request_UnsupportedQuery');
    const advanced = await client
      .api('/users')
      .header('ConsistencyLevel', 'eventual')
      .query({ $count: 'true' })
      .filter("userType ne 'Guest' and endswith(userPrincipalName,'@contoso.test')")
      .get();
    expect(advanced['@odata.count']).toBe(3);
    expect(graph.graphRequests().at(-1)?.consistencyLevel).toBe('eventual');

    const unsupported = await graphError(
      client.api('/users').filter("jobTitle eq 'x' or passwordPolicies eq 'y'").get(),
    );
    expect(unsupported.code).toBe('Request_UnsupportedQuery');
    expect(unsupported.message).toBe(
      "Unsupported or invalid query filter clause specified for property 'passwordPolicies' of resource 'User'.",
    );
    const syntax = await graphError(client.api('/users').filter('userPrincipalName eq').get());
    expect(syntax.statusCode).toBe(400);
    expect(syntax.message).toMatch(/^Invalid filter clause/);
  });

  it('pages with $top and @odata.nextLink (followed by the Graph client’s PageIterator)', async () => {
    for (let i = 1; i <= 5; i++) await client.api('/users').post(newUser(`Page${i}`));
    const first: PageCollection = await client.api('/users').top(2).select('id,userPrincipalName').get();
    expect(first.value).toHaveLength(2);
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${graph.baseUrl}/users\\?.*\\$skiptoken=`));
    const seen: string[] = [];
    await new PageIterator(client, first, (u: { userPrincipalName: string }) => {
      seen.push(u.userPrincipalName);
      return true;
    }).iterate();
    expect(seen).toEqual([1, 2, 3, 4, 5].map((i) => `page${i}@contoso.test`));
    const pages = graph.graphRequests().filter((r) => r.method === 'GET');
    expect(pages).toHaveLength(3);
    expect(pages[2]?.query).toMatchObject({
      $top: '2',
      $select: 'id,userPrincipalName',
      $skiptoken: expect.any(String),
    });
    const tooBig = await graphError(client.api('/users').top(1000).get());
    expect(tooBig.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  });

  it('PATCH /users/{id}: partial update, extension attributes merged, password reset → 204', async () => {
    const { id } = await client.api('/users').post(
      newUser('Gamma', {
        onPremisesExtensionAttributes: { extensionAttribute1: 'supplier', extensionAttribute2: 'x' },
      }),
    );
    const answer = await client.api(`/users/${id}`).patch({
      accountEnabled: false,
      displayName: 'Gamma (supplier, expired)',
      employeeLeaveDateTime: '2030-06-30T12:00:00+02:00',
      onPremisesExtensionAttributes: { extensionAttribute2: '2030-06-30T10:00:00Z' },
      passwordProfile: { password: 'Nobody-Keeps-This-1', forceChangePasswordNextSignIn: false },
    });
    expect(answer).toBeUndefined();
    expect(graph.graphRequests().at(-1)).toMatchObject({ method: 'PATCH', status: 204 });
    const user = await client
      .api(`/users/${id}`)
      .select('accountEnabled,displayName,employeeLeaveDateTime,onPremisesExtensionAttributes')
      .get();
    expect(user).toMatchObject({
      accountEnabled: false,
      displayName: 'Gamma (supplier, expired)',
      employeeLeaveDateTime: '2030-06-30T10:00:00Z',
      onPremisesExtensionAttributes: {
        extensionAttribute1: 'supplier',
        extensionAttribute2: '2030-06-30T10:00:00Z',
        extensionAttribute3: null,
      },
    });
    expect(graph.users.get(id)).toMatchObject({ password: 'Nobody-Keeps-This-1', passwordSets: 2 });

    const bad = await graphError(client.api(`/users/${id}`).patch({ accountEnabled: 'no' }));
    expect(bad.statusCode).toBe(400);
    const cleared = await graphError(client.api(`/users/${id}`).patch({ displayName: '' }));
    expect(cleared.message).toBe("Invalid value specified for property 'displayName' of resource 'User'.");
    const readOnly = await graphError(
      client.api(`/users/${id}`).patch({ createdDateTime: '2020-01-01T00:00:00Z' }),
    );
    expect(readOnly.statusCode).toBe(400);
  });

  it('DELETE /users/{id} → 204, then 404 with Graph’s body', async () => {
    const { id } = await client.api('/users').post(newUser('Delta'));
    await client.api(`/users/${id}`).delete();
    expect(graph.users.has(id)).toBe(false);
    const res = await raw('GET', `/v1.0/users/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        code: 'Request_ResourceNotFound',
        message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
        innerError: {
          date: expect.any(String),
          'request-id': res.headers.get('request-id'),
          'client-request-id': expect.any(String),
        },
      },
    });
    const again = await graphError(client.api(`/users/${id}`).delete());
    expect(again.statusCode).toBe(404);
    expect(again.code).toBe('Request_ResourceNotFound');
  });

  it('refuses a duplicate UPN, an unverified domain, a weak password, missing and unknown properties', async () => {
    await client.api('/users').post(newUser('Epsilon'));
    const dup = await graphError(client.api('/users').post(newUser('EPSILON')));
    expect(dup).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message: 'Another object with the same value for property userPrincipalName already exists.',
    });
    const domain = await graphError(
      client.api('/users').post(newUser('Zeta', { userPrincipalName: 'zeta@not-verified.example' })),
    );
    expect(domain).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message:
        'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
    });
    const weak = await graphError(
      client.api('/users').post(newUser('Eta', { passwordProfile: { password: 'password' } })),
    );
    expect(weak).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message:
        'The specified password does not comply with password complexity requirements. Please provide a different password.',
    });
    const noNickname: Record<string, unknown> = newUser('Theta');
    delete noNickname.mailNickname;
    const missing = await graphError(client.api('/users').post(noNickname));
    expect(missing).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message: "Invalid value specified for property 'mailNickname' of resource 'User'.",
    });
    expect(JSON.parse(missing.body as string).details).toEqual([
      { code: 'InvalidValue', message: missing.message, target: 'mailNickname' },
    ]);
    const unknown = await graphError(client.api('/users').post(newUser('Iota', { expiresAt: 'tomorrow' })));
    expect(unknown).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect(unknown.message).toMatch(/^Property 'expiresAt' does not exist on type 'microsoft.graph.user'/);
    expect([...graph.users.values()].map((u) => u.userPrincipalName)).toEqual(['epsilon@contoso.test']);
  });

  it('POST /users/{id}/revokeSignInSessions → 200 { value: true }, time recorded', async () => {
    const { id } = await client.api('/users').post(newUser('Kappa'));
    expect(graph.sessionsRevokedAt(id)).toBeUndefined();
    const before = Date.now();
    const answer = await client.api(`/users/${id}/revokeSignInSessions`).post(undefined);
    expect(answer).toEqual({ '@odata.context': `${graph.baseUrl}/$metadata#Edm.Boolean`, value: true });
    const at = graph.sessionsRevokedAt(id);
    expect(Date.parse(at ?? '')).toBeGreaterThanOrEqual(before);
    expect(graph.users.get(id)?.sessionRevocations).toBe(1);
    const missing = await graphError(
      client.api('/users/00000000-0000-0000-0000-000000000000/revokeSignInSessions').post(undefined),
    );
    expect(missing.statusCode).toBe(404);
  });
});

describe('invitations (B2B guests)', () => {
  it('creates a guest user; inviting the same address again re-invites the same user', async () => {
    const body = {
      invitedUserEmailAddress: 'Alice@Partner.example',
      invitedUserDisplayName: 'ACME Corp (supplier)',
      inviteRedirectUrl: 'https://myapps.microsoft.com',
      sendInvitationMessage: true,
      invitedUserMessageInfo: { customizedMessageBody: 'Your supplier access' },
    };
    const first = await client.api('/invitations').post(body);
    expect(first).toMatchObject({
      '@odata.context': `${graph.baseUrl}/$metadata#invitations/$entity`,
      id: expect.any(String),
      inviteRedeemUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/redeem\?/),
      invitedUserDisplayName: 'ACME Corp (supplier)',
      invitedUserEmailAddress: 'Alice@Partner.example',
      invitedUserType: 'Guest',
      sendInvitationMessage: true,
      status: 'PendingAcceptance',
      invitedUser: { id: expect.any(String) },
    });
    const guestId: string = first.invitedUser.id;
    const guest = await client
      .api(`/users/${guestId}`)
      .select('userPrincipalName,userType,mail,externalUserState,creationType,displayName')
      .get();
    expect(guest).toMatchObject({
      userPrincipalName: `Alice_Partner.example#EXT#@${graph.initialDomain}`,
      userType: 'Guest',
      mail: 'Alice@Partner.example',
      externalUserState: 'PendingAcceptance',
      creationType: 'Invitation',
      displayName: 'ACME Corp (supplier)',
    });
    // #EXT# UPNs work as a path segment once percent-encoded.
    const byUpn = await client.api(`/users/${encodeURIComponent(guest.userPrincipalName)}`).get();
    expect(byUpn.id).toBe(guestId);
    expect(graph.users.get(guestId)?.password).toBeUndefined();
    expect(graph.invitationEmails).toEqual([
      expect.objectContaining({
        to: 'Alice@Partner.example',
        userId: guestId,
        customizedMessageBody: 'Your supplier access',
      }),
    ]);

    const again = await client
      .api('/invitations')
      .post({ ...body, invitedUserEmailAddress: 'alice@partner.example' });
    expect(again.invitedUser.id).toBe(guestId);
    expect(again.id).not.toBe(first.id);
    expect([...graph.users.values()].filter((u) => u.userType === 'Guest')).toHaveLength(1);
    expect(graph.invitations.size).toBe(2);
    expect(graph.invitationEmails).toHaveLength(2);
  });

  it('following inviteRedeemUrl accepts the invitation; later invitations report Completed', async () => {
    const inv = await client.api('/invitations').post({
      invitedUserEmailAddress: 'bob@partner.example',
      inviteRedirectUrl: 'https://myapps.microsoft.com/?tenant=x',
    });
    const res = await fetch(inv.inviteRedeemUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://myapps.microsoft.com/?tenant=x');
    expect(graph.users.get(inv.invitedUser.id)?.externalUserState).toBe('Accepted');
    const again = await client.api('/invitations').post({
      invitedUserEmailAddress: 'bob@partner.example',
      inviteRedirectUrl: 'https://myapps.microsoft.com',
    });
    expect(again.status).toBe('Completed');
  });

  it('refuses a missing or invalid address', async () => {
    const missing = await graphError(
      client.api('/invitations').post({ inviteRedirectUrl: 'https://x.example' }),
    );
    expect(missing).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    const invalid = await graphError(
      client
        .api('/invitations')
        .post({ invitedUserEmailAddress: 'nope', inviteRedirectUrl: 'https://x.example' }),
    );
    expect(invalid.statusCode).toBe(400);
    expect(graph.users.size).toBe(0);
  });
});

describe('groups', () => {
  it('adds a member ($ref), refuses adding it twice, lists memberOf/members, removes it, 404 when not a member', async () => {
    const group = await client.api('/groups').post({
      displayName: 'Suppliers',
      mailNickname: 'suppliers',
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(group).toMatchObject({ id: expect.any(String), displayName: 'Suppliers', securityEnabled: true });
    expect(await client.api(`/groups/${group.id}`).get()).toMatchObject({ id: group.id, groupTypes: [] });
    const { id: userId } = await client.api('/users').post(newUser('Lambda'));
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${userId}` };

    expect(await client.api(`/groups/${group.id}/members/$ref`).post(ref)).toBeUndefined();
    expect(graph.groups.get(group.id)?.members.has(userId)).toBe(true);
    const twice = await graphError(client.api(`/groups/${group.id}/members/$ref`).post(ref));
    expect(twice).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message:
        "One or more added object references already exist for the following modified properties: 'members'.",
    });

    const memberOf = await client.api(`/users/${userId}/memberOf`).get();
    expect(memberOf.value).toEqual([
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.group',
        id: group.id,
        displayName: 'Suppliers',
      }),
    ]);
    const members = await client.api(`/groups/${group.id}/members`).select('id,userPrincipalName').get();
    expect(members.value).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: userId, userPrincipalName: 'lambda@contoso.test' },
    ]);

    await client.api(`/groups/${group.id}/members/${userId}/$ref`).delete();
    expect(graph.groups.get(group.id)?.members.size).toBe(0);
    const notMember = await graphError(client.api(`/groups/${group.id}/members/${userId}/$ref`).delete());
    expect(notMember).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    expect((await client.api(`/users/${userId}/memberOf`).get()).value).toEqual([]);

    const ghost = await graphError(
      client.api(`/groups/${group.id}/members/$ref`).post({
        '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/9c9c9c9c-0000-4000-8000-000000000000',
      }),
    );
    expect(ghost).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    const noGroup = await graphError(client.api('/groups/9c9c9c9c-0000-4000-8000-000000000000').get());
    expect(noGroup.statusCode).toBe(404);
  });

  it('deleting a user removes it from its groups; createGroup() sets up without HTTP', async () => {
    const group = graph.createGroup('Partners');
    const { id } = await client.api('/users').post(newUser('Mu'));
    await client
      .api(`/groups/${group.id}/members/$ref`)
      .post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
    await client.api(`/users/${id}`).delete();
    expect(graph.groups.get(group.id)?.members.size).toBe(0);
  });
});

describe('permissions (token roles)', () => {
  afterEach(() => {
    graph.setPermissions(ALL_PERMISSIONS);
  });

  it('checks the documented application permissions, least privileged first', async () => {
    const { id } = await client.api('/users').post(newUser('Nu'));
    graph.setPermissions(['User.EnableDisableAccount.All', 'User.Read.All', 'User.RevokeSessions.All']);
    const limited = clientFor(graph, credentialFor(graph));
    await limited.api(`/users/${id}`).patch({ accountEnabled: false });
    await limited.api(`/users/${id}/revokeSignInSessions`).post(undefined);
    const denied = await graphError(
      limited.api(`/users/${id}`).patch({ employeeLeaveDateTime: '2031-01-01T00:00:00Z' }),
    );
    expect(denied).toMatchObject({
      statusCode: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    const noCreate = await graphError(limited.api('/users').post(newUser('Xi')));
    expect(noCreate.statusCode).toBe(403);
    // Tokens issued before keep their roles: the main client can still do everything.
    await client.api(`/users/${id}`).patch({ employeeLeaveDateTime: '2031-01-01T00:00:00Z' });
  });
});

describe('throttling and injected failures', () => {
  it('over the budget: 429 with Retry-After and Graph’s TooManyRequests body', async () => {
    graph.setThrottle(2, 60_000);
    const token = await bearer();
    expect((await raw('GET', '/v1.0/users', { token })).status).toBe(200);
    expect((await raw('GET', '/v1.0/users', { token })).status).toBe(200);
    const throttled = await raw('GET', '/v1.0/users', { token });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(throttled.body.error).toMatchObject({
      code: 'TooManyRequests',
      message: expect.stringMatching(/^Too many requests/),
      innerError: { date: expect.any(String), 'request-id': expect.any(String) },
    });
    expect(graph.count429()).toBe(1);
    graph.setThrottle(10_000, 60_000);
  });

  it('the Graph client’s RetryHandler retries 429 by itself, honouring Retry-After (seen in the log)', async () => {
    graph.setThrottle(1, 1000);
    await client.api('/users').get();
    const started = Date.now();
    await client.api('/users').get(); // 429 (Retry-After: 1) → the client sleeps → 200
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const log = graph.graphRequests().map((r) => [r.status, r.retryAttempt]);
    expect(log).toEqual([
      [200, undefined],
      [429, undefined],
      [200, 1],
    ]);
    graph.setThrottle(10_000, 60_000);
  });

  it('failNext: two 429s are absorbed by the client’s retries; four 503s exhaust its 3 retries', async () => {
    graph.failNext(2, 429, 0);
    const page = await client.api('/users').get();
    expect(page.value).toEqual([]);
    expect(graph.graphRequests().map((r) => [r.status, r.retryAttempt])).toEqual([
      [429, undefined],
      [429, 1],
      [200, 2],
    ]);

    graph.reset();
    graph.failNext(4, 503, 0);
    const err = await graphError(client.api('/users').get());
    expect(err.statusCode).toBe(503);
    expect(graph.graphRequests().map((r) => r.status)).toEqual([503, 503, 503, 503]);
    expect(graph.graphRequests().map((r) => r.retryAttempt)).toEqual([undefined, 1, 2, 3]);

    graph.reset();
    graph.failNext(1, 500);
    const fatal = await graphError(client.api('/users').get());
    expect(fatal.statusCode).toBe(500);
    expect(graph.graphRequests()).toHaveLength(1);
  });

  it('injected 503 carries Retry-After', async () => {
    graph.failNext(1, 503, 7);
    const res = await raw('GET', '/v1.0/users');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body.error.code).toBe('serviceNotAvailable');
  });
});

describe('request log and odds and ends', () => {
  it('records method, path, query, status, time and redacted bodies', async () => {
    const before = Date.now();
    await client.api('/users').filter("userPrincipalName eq 'x@contoso.test'").select('id').get();
    const entry = graph.graphRequests()[0];
    expect(entry).toMatchObject({
      service: 'graph',
      method: 'GET',
      path: '/v1.0/users',
      query: { $filter: "userPrincipalName eq 'x@contoso.test'", $select: 'id' },
      status: 200,
    });
    expect(entry?.at).toBeGreaterThanOrEqual(before);
  });

  it('unknown segments answer Graph’s 400; reset() forgets state but keeps issued tokens valid', async () => {
    const res = await raw('GET', '/v1.0/suppliers');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'BadRequest',
      message: "Resource not found for the segment 'suppliers'.",
    });
    await client.api('/users').post(newUser('Omicron'));
    graph.reset();
    expect(graph.users.size).toBe(0);
    expect(graph.requests).toHaveLength(0);
    expect((await client.api('/users').get()).value).toEqual([]);
  });
});
