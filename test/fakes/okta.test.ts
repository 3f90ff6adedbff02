import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOktaFake, type OktaFake } from './okta/index.js';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

function client(fake: () => OktaFake) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<Answer> {
    const f = fake();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token !== null) headers.Authorization = `SSWS ${token ?? f.apiToken}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${f.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
}

const PASSWORD = 'Correct-Horse-9';

function newUser(login: string, extra: Record<string, unknown> = {}) {
  return {
    profile: {
      login,
      email: login,
      firstName: 'Acme',
      lastName: 'Supplier',
      displayName: 'Acme Ltd (supplier)',
      organization: 'Acme Ltd',
      ...extra,
    },
    credentials: { password: { value: PASSWORD } },
  };
}

function withoutPassword(login: string) {
  return { profile: newUser(login).profile };
}

/** Follows `Link: <…>; rel="next"` as an Okta client does. */
function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link') ?? '';
  const m = /<([^>]+)>;\s*rel="next"/.exec(link);
  return m?.[1];
}

function expectOktaError(a: Answer, status: number, code: string, summary?: string | RegExp) {
  expect(a.status).toBe(status);
  expect(Object.keys(a.body).sort()).toEqual([
    'errorCauses',
    'errorCode',
    'errorId',
    'errorLink',
    'errorSummary',
  ]);
  expect(a.body.errorCode).toBe(code);
  expect(a.body.errorLink).toBe(code);
  expect(a.body.errorId).toMatch(/^oae/);
  expect(Array.isArray(a.body.errorCauses)).toBe(true);
  if (typeof summary === 'string') expect(a.body.errorSummary).toBe(summary);
  else if (summary) expect(a.body.errorSummary).toMatch(summary);
}

describe('Okta fake: users, lifecycle, groups, schema', () => {
  let fake: OktaFake;
  const call = client(() => fake);

  beforeAll(async () => {
    fake = await startOktaFake();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('requires Authorization: SSWS <token> and answers 401 E0000011 otherwise', async () => {
    for (const token of [null, 'wrong-token']) {
      const a = await call('GET', '/api/v1/users', undefined, token);
      expectOktaError(a, 401, 'E0000011', 'Invalid token provided');
      expect(a.body.errorCauses).toEqual([]);
    }
    const bearer = await fetch(`${fake.url}/api/v1/users`, {
      headers: { Authorization: `Bearer ${fake.apiToken}` },
    });
    expect(bearer.status).toBe(401);
    expect((await call('GET', '/api/v1/users')).status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([401, 401, 401, 200]);
  });

  it('creates users ACTIVE, PROVISIONED or STAGED as activate and the password say', async () => {
    const active = await call('POST', '/api/v1/users?activate=true', newUser('sup-acme@example.com'));
    expect(active.status).toBe(200);
    expect(active.body.id).toMatch(/^00u[A-Za-z0-9]{17}$/);
    expect(active.body.status).toBe('ACTIVE');
    expect(active.body.activated).toBe(active.body.created);
    expect(active.body.passwordChanged).not.toBeNull();
    expect(active.body.credentials).toEqual({ password: {}, provider: { type: 'OKTA', name: 'OKTA' } });
    expect(JSON.stringify(active.body)).not.toContain(PASSWORD);
    expect(active.body.profile.organization).toBe('Acme Ltd');
    expect(active.body._links.self.href).toBe(`${fake.url}/api/v1/users/${active.body.id}`);
    expect(active.body._links.suspend.href).toContain('/lifecycle/suspend');
    expect(active.body.type.id).toMatch(/^oty/);
    expect(fake.users.get(active.body.id)?.password).toBe(PASSWORD);

    const provisioned = await call(
      'POST',
      '/api/v1/users?activate=true',
      withoutPassword('sup-beta@example.com'),
    );
    expect(provisioned.body.status).toBe('PROVISIONED');
    expect(provisioned.body.credentials).toEqual({ provider: { type: 'OKTA', name: 'OKTA' } });
    expect(fake.emails).toEqual([
      expect.objectContaining({
        kind: 'activation',
        userId: provisioned.body.id,
        to: 'sup-beta@example.com',
      }),
    ]);

    const staged = await call('POST', '/api/v1/users?activate=false', newUser('sup-gamma@example.com'));
    expect(staged.body.status).toBe('STAGED');
    expect(staged.body.activated).toBeNull();

    const expired = await call(
      'POST',
      '/api/v1/users?activate=true&nextLogin=changePassword',
      newUser('sup-delta@example.com'),
    );
    expect(expired.body.status).toBe('PASSWORD_EXPIRED');
  });

  it('validates profiles and passwords with E0000001', async () => {
    const dup1 = await call('POST', '/api/v1/users', newUser('sup-acme@example.com'));
    expect(dup1.status).toBe(200);
    const dup = await call('POST', '/api/v1/users', newUser('SUP-ACME@example.com'));
    expectOktaError(dup, 400, 'E0000001', 'Api validation failed: login');
    expect(dup.body.errorCauses).toEqual([
      { errorSummary: 'login: An object with this field already exists in the current organization' },
    ]);

    const missing = await call('POST', '/api/v1/users', {
      profile: { login: 'x1@example.com', email: 'x1@example.com' },
    });
    expectOktaError(missing, 400, 'E0000001', 'Api validation failed: firstName');
    expect(missing.body.errorCauses).toContainEqual({
      errorSummary: 'lastName: The field cannot be left blank',
    });

    const notEmail = await call('POST', '/api/v1/users', newUser('not-an-email'));
    expectOktaError(notEmail, 400, 'E0000001', 'Api validation failed: login');

    const weak = await call('POST', '/api/v1/users', {
      ...newUser('sup-weak@example.com'),
      credentials: { password: { value: 'short' } },
    });
    expectOktaError(weak, 400, 'E0000001', 'Api validation failed: password');
    expect(weak.body.errorCauses[0].errorSummary).toMatch(/^password: Password requirements were not met/);
    expect(fake.users.size).toBe(1);
  });

  it('reads a user by id, login or short name, and answers 404 E0000007 for an unknown one', async () => {
    const created = (await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).body;
    for (const key of [
      created.id,
      'sup-acme@example.com',
      encodeURIComponent('sup-acme@example.com'),
      'sup-acme',
    ]) {
      const a = await call('GET', `/api/v1/users/${key}`);
      expect(a.status).toBe(200);
      expect(a.body.id).toBe(created.id);
    }
    const missing = await call('GET', '/api/v1/users/00uNOPE');
    expectOktaError(missing, 404, 'E0000007', 'Not found: Resource not found: 00uNOPE (User)');
  });

  it('accepts long logins in the path and lifecycle POSTs with a JSON content type and no body', async () => {
    const login = `sup-${'a'.repeat(80)}@example.com`;
    const u = (await call('POST', '/api/v1/users', newUser(login))).body;
    expect((await call('GET', `/api/v1/users/${encodeURIComponent(login)}`)).body.id).toBe(u.id);
    const res = await fetch(`${fake.url}/api/v1/users/${u.id}/lifecycle/suspend`, {
      method: 'POST',
      headers: { Authorization: `SSWS ${fake.apiToken}`, 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const bad = await fetch(`${fake.url}/api/v1/users`, {
      method: 'POST',
      headers: { Authorization: `SSWS ${fake.apiToken}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expectOktaError({ status: bad.status, headers: bad.headers, body: await bad.json() }, 400, 'E0000003');
  });

  it('lists with search, filter and q, excluding DEPROVISIONED users where Okta does', async () => {
    const ids: Record<string, string> = {};
    for (const login of ['sup-acme@example.com', 'sup-beta@example.com', 'alice@example.com']) {
      ids[login] = (
        await call('POST', '/api/v1/users', newUser(login, { firstName: login.slice(0, 5) }))
      ).body.id;
    }
    await call('POST', `/api/v1/users/${ids['sup-beta@example.com']}/lifecycle/suspend`);
    const gone = (await call('POST', '/api/v1/users', newUser('sup-gone@example.com'))).body.id;
    await call('POST', `/api/v1/users/${gone}/lifecycle/deactivate`);

    const logins = (a: Answer): string[] =>
      (a.body as { profile: { login: string } }[]).map((u) => u.profile.login).sort();
    expect(logins(await call('GET', '/api/v1/users'))).toEqual([
      'alice@example.com',
      'sup-acme@example.com',
      'sup-beta@example.com',
    ]);
    const sw = await call('GET', `/api/v1/users?search=${encodeURIComponent('profile.login sw "sup-"')}`);
    expect(logins(sw)).toEqual(['sup-acme@example.com', 'sup-beta@example.com', 'sup-gone@example.com']);
    const swActive = await call(
      'GET',
      `/api/v1/users?search=${encodeURIComponent('profile.login sw "sup-" and status eq "ACTIVE"')}`,
    );
    expect(logins(swActive)).toEqual(['sup-acme@example.com']);
    const eq = await call(
      'GET',
      `/api/v1/users?search=${encodeURIComponent('profile.login eq "SUP-BETA@example.com"')}`,
    );
    expect(eq.body.map((u: { id: string }) => u.id)).toEqual([ids['sup-beta@example.com']]);
    const filtered = await call(
      'GET',
      `/api/v1/users?filter=${encodeURIComponent('status eq "DEPROVISIONED"')}`,
    );
    expect(filtered.body.map((u: { id: string }) => u.id)).toEqual([gone]);
    const byLogin = await call(
      'GET',
      `/api/v1/users?filter=${encodeURIComponent('profile.login eq "alice@example.com"')}`,
    );
    expect(logins(byLogin)).toEqual(['alice@example.com']);
    const q = await call('GET', '/api/v1/users?q=sup-');
    expect(logins(q)).toEqual(['sup-acme@example.com', 'sup-beta@example.com']);

    expectOktaError(
      await call('GET', `/api/v1/users?filter=${encodeURIComponent('profile.login sw "sup"')}`),
      400,
      'E0000031',
    );
    expectOktaError(
      await call('GET', `/api/v1/users?search=${encodeURIComponent('profile.login sw')}`),
      400,
      'E0000031',
    );
  });

  it('paginates with limit and after, and Link rel="next" headers', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await call('POST', '/api/v1/users', newUser(`sup-p${i}@example.com`))).body.id);
    const seen: string[] = [];
    let url: string | undefined =
      `/api/v1/users?search=${encodeURIComponent('profile.login sw "sup-p"')}&limit=2`;
    let pages = 0;
    while (url) {
      const a = await call('GET', url.replace(fake.url, ''));
      expect(a.status).toBe(200);
      expect(a.headers.get('link')).toContain('rel="self"');
      expect(a.body.length).toBeLessThanOrEqual(2);
      seen.push(...a.body.map((u: { id: string }) => u.id));
      url = nextLink(a.headers);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
    const all = await call('GET', '/api/v1/users');
    expect(nextLink(all.headers)).toBeUndefined();
  });

  it('follows the lifecycle, with Okta errors on invalid transitions', async () => {
    const u = (await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).body;
    const lc = (op: string, q = '') => call('POST', `/api/v1/users/${u.id}/lifecycle/${op}${q}`);
    const status = async (): Promise<string> =>
      (await call('GET', `/api/v1/users/${u.id}`)).body.status as string;

    expectOktaError(
      await lc('activate'),
      403,
      'E0000016',
      'Activation failed because the user is already active',
    );
    expectOktaError(await lc('unsuspend'), 400, 'E0000001');
    expect(await lc('suspend')).toMatchObject({ status: 200, body: {} });
    expect(await status()).toBe('SUSPENDED');
    const again = await lc('suspend');
    expectOktaError(again, 400, 'E0000001', 'Cannot suspend a user that is not active');
    expect((await lc('unsuspend')).status).toBe(200);
    expect(await status()).toBe('ACTIVE');

    const expired = await lc('expire_password');
    expect(expired.status).toBe(200);
    expect(expired.body.status).toBe('PASSWORD_EXPIRED');
    const reset = await lc('reset_password', '?sendEmail=false');
    expect(reset.body.resetPasswordUrl).toMatch(/\/reset_password\//);
    expect(await status()).toBe('RECOVERY');
    expect((await lc('reset_factors')).status).toBe(200);
    expect(fake.factorResets.map((r) => r.userId)).toEqual([u.id]);

    expect((await lc('deactivate')).status).toBe(200);
    expect(await status()).toBe('DEPROVISIONED');
    expectOktaError(await lc('deactivate'), 404, 'E0000007', `Not found: Resource not found: ${u.id} (User)`);
    expectOktaError(await lc('suspend'), 400, 'E0000001');
    // A deactivated user's profile cannot be updated.
    expectOktaError(
      await call('POST', `/api/v1/users/${u.id}`, { profile: { title: 'x' } }),
      404,
      'E0000007',
    );

    // Activating a STAGED user without a password: PROVISIONED, token returned when sendEmail=false.
    const staged = (
      await call('POST', '/api/v1/users?activate=false', withoutPassword('sup-staged@example.com'))
    ).body;
    const act = await call('POST', `/api/v1/users/${staged.id}/lifecycle/activate?sendEmail=false`);
    expect(act.status).toBe(200);
    expect(act.body.activationToken).toEqual(expect.any(String));
    expect(act.body.activationUrl).toContain(act.body.activationToken);
    expect((await call('GET', `/api/v1/users/${staged.id}`)).body.status).toBe('PROVISIONED');
    expectOktaError(await call('POST', `/api/v1/users/${staged.id}/lifecycle/activate`), 403, 'E0000016');
  });

  it('brings a deactivated user back through activate, without its old password; an admin password activates it', async () => {
    const u = (await call('POST', '/api/v1/users', newUser('sup-back@example.com'))).body;
    expect(u.status).toBe('ACTIVE');
    expect((await call('POST', `/api/v1/users/${u.id}/lifecycle/deactivate`)).status).toBe(200);
    const emails = fake.emails.length;

    const act = await call('POST', `/api/v1/users/${u.id}/lifecycle/activate?sendEmail=false`);
    expect(act.status).toBe(200);
    expect(act.body.activationToken).toEqual(expect.any(String));
    expect(fake.users.get(u.id)).toMatchObject({ status: 'PROVISIONED', password: null });
    expect(fake.emails.length).toBe(emails);
    expectOktaError(await call('POST', `/api/v1/users/${u.id}/lifecycle/expire_password`), 403, 'E0000038');

    // Once PROVISIONED its profile may change again, and reactivate e-mails a new activation link.
    const moved = await call('POST', `/api/v1/users/${u.id}`, { profile: { email: 'new@example.com' } });
    expect(moved.status).toBe(200);
    expect((await call('POST', `/api/v1/users/${u.id}/lifecycle/reactivate?sendEmail=true`)).status).toBe(
      200,
    );
    expect(fake.emails.slice(emails)).toEqual([
      expect.objectContaining({ kind: 'activation', userId: u.id, to: 'new@example.com' }),
    ]);

    const set = await call('POST', `/api/v1/users/${u.id}`, {
      credentials: { password: { value: 'Battery-Staple-7' } },
    });
    expect(set.body.status).toBe('ACTIVE');
    expect(fake.users.get(u.id)?.password).toBe('Battery-Staple-7');
    expect((await call('POST', `/api/v1/users/${u.id}/lifecycle/expire_password`)).body.status).toBe(
      'PASSWORD_EXPIRED',
    );
  });

  it('DELETE deactivates first, deletes second, then 404', async () => {
    const u = (await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).body;
    expect((await call('DELETE', `/api/v1/users/${u.id}`)).status).toBe(204);
    expect(fake.users.get(u.id)?.status).toBe('DEPROVISIONED');
    expect((await call('DELETE', `/api/v1/users/${u.id}`)).status).toBe(204);
    expect(fake.users.has(u.id)).toBe(false);
    expectOktaError(await call('DELETE', `/api/v1/users/${u.id}`), 404, 'E0000007');
    // The login is free again.
    expect((await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).status).toBe(200);
  });

  it('updates partially (POST) or wholly (PUT), passwords included', async () => {
    const u = (await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).body;
    const partial = await call('POST', `/api/v1/users/${u.id}`, {
      profile: { title: 'Contractor', displayName: null },
    });
    expect(partial.status).toBe(200);
    expect(partial.body.profile).toMatchObject({
      title: 'Contractor',
      firstName: 'Acme',
      organization: 'Acme Ltd',
    });
    expect(partial.body.profile).not.toHaveProperty('displayName');

    const blank = await call('POST', `/api/v1/users/${u.id}`, { profile: { lastName: '' } });
    expectOktaError(blank, 400, 'E0000001', 'Api validation failed: lastName');

    const put = await call('PUT', `/api/v1/users/${u.id}`, {
      profile: {
        login: 'sup-acme@example.com',
        email: 'sup-acme@example.com',
        firstName: 'A',
        lastName: 'B',
      },
    });
    expect(put.body.profile).toEqual({
      login: 'sup-acme@example.com',
      email: 'sup-acme@example.com',
      firstName: 'A',
      lastName: 'B',
    });
    expectOktaError(
      await call('PUT', `/api/v1/users/${u.id}`, { profile: { firstName: 'A' } }),
      400,
      'E0000001',
    );

    const before = fake.users.get(u.id)!.passwordChanged;
    await sleep(5);
    const rotated = await call('POST', `/api/v1/users/${u.id}`, {
      credentials: { password: { value: 'Rotated-Pass-42' } },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.passwordChanged).not.toBe(before);
    expect(fake.users.get(u.id)?.password).toBe('Rotated-Pass-42');
    const reused = await call('POST', `/api/v1/users/${u.id}`, {
      credentials: { password: { value: PASSWORD } },
    });
    expectOktaError(reused, 400, 'E0000001', 'Api validation failed: password');
  });

  it('refuses custom attributes until the user schema defines them', async () => {
    const schema = await call('GET', '/api/v1/meta/schemas/user/default');
    expect(schema.status).toBe(200);
    expect(Object.keys(schema.body.definitions.base.properties)).toEqual(
      expect.arrayContaining(['login', 'email', 'firstName', 'lastName', 'displayName', 'organization']),
    );
    expect(schema.body.definitions.base.required).toEqual(['login', 'firstName', 'lastName', 'email']);
    expect(schema.body.definitions.custom).toMatchObject({ id: '#custom', type: 'object', properties: {} });

    const early = await call(
      'POST',
      '/api/v1/users',
      newUser('sup-acme@example.com', { supplierAccessExpiresAt: '2030-01-01T00:00:00Z' }),
    );
    expectOktaError(early, 400, 'E0000001', 'Api validation failed: supplierAccessExpiresAt');
    expect(early.body.errorCauses).toEqual([
      { errorSummary: "Property name 'supplierAccessExpiresAt' is not defined in profile" },
    ]);

    const def = {
      definitions: {
        custom: {
          id: '#custom',
          type: 'object',
          properties: { supplierAccessExpiresAt: { title: 'Supplier access expires at', type: 'string' } },
        },
      },
    };
    for (let i = 0; i < 2; i++) {
      const added = await call('POST', '/api/v1/meta/schemas/user/default', def);
      expect(added.status).toBe(200);
      expect(Object.keys(added.body.definitions.custom.properties)).toEqual(['supplierAccessExpiresAt']);
    }
    const ok = await call(
      'POST',
      '/api/v1/users',
      newUser('sup-acme@example.com', { supplierAccessExpiresAt: '2030-01-01T00:00:00Z' }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body.profile.supplierAccessExpiresAt).toBe('2030-01-01T00:00:00Z');
    const later = await call(
      'GET',
      `/api/v1/users?search=${encodeURIComponent('profile.supplierAccessExpiresAt lt "2031-01-01T00:00:00Z"')}`,
    );
    expect((later.body as { id: string }[]).map((x) => x.id)).toEqual([ok.body.id]);
    const wrongType = await call('POST', `/api/v1/users/${ok.body.id}`, {
      profile: { supplierAccessExpiresAt: 42 },
    });
    expectOktaError(wrongType, 400, 'E0000001');

    const badName = await call('POST', '/api/v1/meta/schemas/user/default', {
      definitions: { custom: { properties: { '1bad-name': { title: 'x', type: 'string' } } } },
    });
    expectOktaError(badName, 400, 'E0000001', /invalid property name/);

    const removed = await call('POST', '/api/v1/meta/schemas/user/default', {
      definitions: { custom: { properties: { supplierAccessExpiresAt: null } } },
    });
    expect(removed.body.definitions.custom.properties).toEqual({});
    expect(fake.users.get(ok.body.id)?.profile).not.toHaveProperty('supplierAccessExpiresAt');
  });

  it('manages groups and idempotent memberships; everyone is in Everyone', async () => {
    const u = (await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).body;
    const g = await call('POST', '/api/v1/groups', {
      profile: { name: 'Suppliers', description: 'Outside firms' },
    });
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({
      type: 'OKTA_GROUP',
      objectClass: ['okta:user_group'],
      profile: { name: 'Suppliers' },
    });
    expect(g.body.id).toMatch(/^00g[A-Za-z0-9]{17}$/);
    expectOktaError(
      await call('POST', '/api/v1/groups', { profile: { name: 'suppliers' } }),
      400,
      'E0000001',
    );

    const found = await call('GET', '/api/v1/groups?q=Supp');
    expect(found.body.map((x: { id: string }) => x.id)).toEqual([g.body.id]);
    expect((await call('GET', `/api/v1/groups/${g.body.id}`)).body.profile.name).toBe('Suppliers');
    expectOktaError(
      await call('GET', '/api/v1/groups/00gNOPE'),
      404,
      'E0000007',
      'Not found: Resource not found: 00gNOPE (UserGroup)',
    );

    const member = `/api/v1/groups/${g.body.id}/users/${u.id}`;
    expect((await call('PUT', member)).status).toBe(204);
    expect((await call('PUT', member)).status).toBe(204);
    const names = async (): Promise<string[]> =>
      ((await call('GET', `/api/v1/users/${u.id}/groups`)).body as { profile: { name: string } }[]).map(
        (x) => x.profile.name,
      );
    expect(await names()).toEqual(['Everyone', 'Suppliers']);
    expect(
      (await call('GET', `/api/v1/groups/${g.body.id}/users`)).body.map((x: { id: string }) => x.id),
    ).toEqual([u.id]);
    expect((await call('DELETE', member)).status).toBe(204);
    expect((await call('DELETE', member)).status).toBe(204);
    expect(await names()).toEqual(['Everyone']);

    expectOktaError(await call('PUT', `/api/v1/groups/${g.body.id}/users/00uNOPE`), 404, 'E0000007');
    const everyone = (await call('GET', '/api/v1/groups?q=Everyone')).body[0];
    expect(everyone.type).toBe('BUILT_IN');
    expectOktaError(await call('DELETE', `/api/v1/groups/${everyone.id}/users/${u.id}`), 403, 'E0000006');

    await call('PUT', member);
    await call('DELETE', `/api/v1/users/${u.id}`);
    await call('DELETE', `/api/v1/users/${u.id}`);
    expect(fake.groups.get(g.body.id)?.members.size).toBe(0);
  });

  it('clears sessions, and accepts grant and token revocation', async () => {
    const u = (await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).body;
    fake.createSession(u.id);
    fake.createSession(u.id);
    expect(fake.sessionsOf(u.id)).toHaveLength(2);
    expect((await call('GET', `/api/v1/users/${u.id}`)).body.lastLogin).not.toBeNull();
    const del = await call('DELETE', `/api/v1/users/${u.id}/sessions?oauthTokens=true`);
    expect(del.status).toBe(204);
    expect(fake.sessionsOf(u.id)).toEqual([]);
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/api/v1/users/${u.id}/sessions`,
      query: { oauthTokens: 'true' },
      status: 204,
      bucket: '/api/v1/users/*',
    });
    expect((await call('DELETE', `/api/v1/users/${u.id}/grants`)).status).toBe(204);
    expect((await call('DELETE', `/api/v1/users/${u.id}/clients/0oa1/tokens`)).status).toBe(204);
    expectOktaError(await call('DELETE', '/api/v1/users/00uNOPE/sessions'), 404, 'E0000007');
  });

  it('signs a user in through POST /api/v1/authn, without an API token, only with its current password', async () => {
    const login = 'sup-acme@example.com';
    const u = (await call('POST', '/api/v1/users?activate=true', newUser(login))).body;
    const authn = (username: string, password: string) =>
      call('POST', '/api/v1/authn', { username, password }, null);

    const ok = await authn(login, PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'SUCCESS',
      _embedded: { user: { id: u.id, profile: { login } } },
    });
    expect(ok.body.sessionToken).toEqual(expect.any(String));
    expect(fake.sessionsOf(u.id)).toHaveLength(1);
    expect((await authn('sup-acme', PASSWORD)).body.status).toBe('SUCCESS');

    for (const [username, password] of [
      [login, 'Wrong-Horse-9'],
      ['nobody@example.com', PASSWORD],
      [login, ''],
    ] as const) {
      const refused = await authn(username, password);
      expectOktaError(refused, 401, 'E0000004', 'Authentication failed');
    }

    // An admin sets a new password: the old one stops signing in, the new one signs in as it is.
    await call('POST', `/api/v1/users/${u.id}`, { credentials: { password: { value: 'Fresh-Horse-10' } } });
    expectOktaError(await authn(login, PASSWORD), 401, 'E0000004');
    expect((await authn(login, 'Fresh-Horse-10')).body.status).toBe('SUCCESS');

    // Expired: right password, but it must be changed first. An admin's new password ends that.
    await call('POST', `/api/v1/users/${u.id}/lifecycle/expire_password`);
    const expired = await authn(login, 'Fresh-Horse-10');
    expect(expired.body).toMatchObject({ status: 'PASSWORD_EXPIRED', stateToken: expect.any(String) });
    await call('POST', `/api/v1/users/${u.id}`, { credentials: { password: { value: 'Fresh-Horse-11' } } });
    expect(fake.users.get(u.id)?.status).toBe('ACTIVE');
    expect((await authn(login, 'Fresh-Horse-11')).body.status).toBe('SUCCESS');

    // Suspended or deactivated users cannot sign in, even with their password.
    await call('POST', `/api/v1/users/${u.id}/lifecycle/suspend`);
    expectOktaError(await authn(login, 'Fresh-Horse-11'), 401, 'E0000004');
    await call('POST', `/api/v1/users/${u.id}/lifecycle/unsuspend`);
    expect((await authn(login, 'Fresh-Horse-11')).body.status).toBe('SUCCESS');
    await call('POST', `/api/v1/users/${u.id}/lifecycle/deactivate`);
    expectOktaError(await authn(login, 'Fresh-Horse-11'), 401, 'E0000004');
    expect(
      fake.requests.filter((r) => r.path === '/api/v1/authn').every((r) => r.bucket === '/api/v1/*'),
    ).toBe(true);
  });

  it('refuses the passwords refusePasswords names as its policy would, then takes them again', async () => {
    const u = (await call('POST', '/api/v1/users', newUser('sup-acme@example.com'))).body;
    fake.refusePasswords(1);
    const refused = await call('POST', `/api/v1/users/${u.id}`, {
      credentials: { password: { value: 'Fresh-Horse-10' } },
    });
    expectOktaError(refused, 400, 'E0000001', 'Api validation failed: password');
    expect(fake.users.get(u.id)?.password).toBe(PASSWORD);
    const taken = await call('POST', `/api/v1/users/${u.id}`, {
      credentials: { password: { value: 'Fresh-Horse-10' } },
    });
    expect(taken.status).toBe(200);
    expect(fake.users.get(u.id)?.password).toBe('Fresh-Horse-10');
  });

  it('injects failures with failNext', async () => {
    fake.failNext(2, 503);
    for (let i = 0; i < 2; i++) expectOktaError(await call('GET', '/api/v1/users'), 503, 'E0000010');
    fake.failNext(1, 500);
    expectOktaError(await call('GET', '/api/v1/users'), 500, 'E0000009');
    fake.failNext(1, 429);
    const limited = await call('GET', '/api/v1/users');
    expectOktaError(limited, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect((await call('GET', '/api/v1/users')).status).toBe(200);
    expect(fake.count429()).toBe(1);
  });

  it('reset() forgets everything but keeps Everyone', async () => {
    await call('POST', '/api/v1/users', newUser('sup-acme@example.com'));
    await call('POST', '/api/v1/groups', { profile: { name: 'Suppliers' } });
    fake.reset();
    expect(fake.users.size).toBe(0);
    expect([...fake.groups.values()].map((g) => g.profile.name)).toEqual(['Everyone']);
    expect(fake.requests).toEqual([]);
  });
});

describe('Okta fake: rate limits', () => {
  let fake: OktaFake;
  const call = client(() => fake);

  beforeAll(async () => {
    fake = await startOktaFake({ rateLimit: { limit: 5, windowMs: 1000 } });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('spends a bucket budget, answers 429 E0000047 with headers, and recovers after X-Rate-Limit-Reset', async () => {
    fake.reset();
    // Start at the beginning of a window (windows are aligned to whole seconds here).
    await sleep(1000 - (Date.now() % 1000) + 10);
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await call('GET', '/api/v1/users');
      expect(a.status).toBe(200);
      expect(a.headers.get('x-rate-limit-limit')).toBe('5');
      expect(a.headers.get('date')).toBeTruthy();
      remaining.push(a.headers.get('x-rate-limit-remaining')!);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    const limited = await call('GET', '/api/v1/users?q=x');
    expectOktaError(limited, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
    expect(limited.headers.get('x-rate-limit-limit')).toBe('5');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    const reset = Number(limited.headers.get('x-rate-limit-reset'));
    expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    expect(reset * 1000 - Date.now()).toBeLessThanOrEqual(1000);
    expect(limited.headers.get('date')).toBeTruthy();

    // Other buckets have their own budget.
    const other = await call('GET', '/api/v1/groups');
    expect(other.status).toBe(200);
    expect(other.headers.get('x-rate-limit-remaining')).toBe('4');

    await sleep(reset * 1000 - Date.now() + 20);
    const recovered = await call('GET', '/api/v1/users');
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get('x-rate-limit-remaining')).toBe('4');
    expect(fake.count429()).toBe(1);
    expect(fake.requests.filter((r) => r.status === 429)).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/v1/users',
        query: { q: 'x' },
        bucket: '/api/v1/users',
      }),
    ]);
  });

  it('setRateLimit changes the budget and starts fresh windows', async () => {
    fake.reset();
    fake.setRateLimit(1, 60_000);
    expect((await call('GET', '/api/v1/users')).status).toBe(200);
    expect((await call('GET', '/api/v1/users')).status).toBe(429);
    fake.setRateLimit(5, 1000);
    expect((await call('GET', '/api/v1/users')).status).toBe(200);
  });

  it('answers 429 beyond the concurrency limit', async () => {
    fake.reset();
    fake.setRateLimit(100, 60_000);
    fake.setConcurrencyLimit(2);
    fake.setLatency(150);
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => call('GET', '/api/v1/users')));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 200, 429, 429, 429]);
      const limited = answers.find((a) => a.status === 429)!;
      expectOktaError(limited, 429, 'E0000047');
      expect(limited.headers.get('x-rate-limit-limit')).toBe('2');
      expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
      expect(fake.inFlight()).toBe(0);
    } finally {
      fake.setLatency(0);
      fake.setConcurrencyLimit(75);
    }
  });
});
