import { setTimeout as sleep } from 'node:timers/promises';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { token } from '../helpers/kit.js';
import { readEntry } from '../helpers/ldap.js';
import { serviceSignIn, serviceSignsIn, signIn } from '../helpers/sign-in.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

/** A grant as the API answers it, with the members these tests read. */
interface ServiceGrant {
  id: string;
  door: string;
  status: string;
  expiresAt: string;
  closedAt?: string;
  account: { username: string; externalId: string };
  credential?: { username: string; password: string };
  events?: { type: string }[];
}

/** An instant `s` seconds from now, to the whole second: Graph keeps a secret's end to the second. */
function inSeconds(s: number): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000 + s * 1000).toISOString();
}

/** Polls the grant until `done` holds. */
async function grantWhen(
  stack: TestStack,
  id: string,
  done: (grant: ServiceGrant) => boolean,
  timeoutMs = 30_000,
): Promise<ServiceGrant> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
    const grant = body as ServiceGrant;
    if (done(grant)) return grant;
    if (Date.now() > deadline) throw new Error(`grant ${id} stayed ${JSON.stringify(grant)}`);
    await sleep(200);
  }
}

const closed = (grant: ServiceGrant) => grant.closedAt !== undefined;

describe('a service credential for a supplier integration on OpenLDAP', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function createService(organisation: string, expiresAt: string, extra: Record<string, unknown> = {}) {
    return stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      kind: 'service',
      supplier: { organisation },
      expiresAt,
      reason: 'nightly export of the invoices',
      ...extra,
    });
  }

  it('makes a service account whose password binds without a change, and locks it at its expiry', async () => {
    const organisation = `Export Robots ${token()}`;
    const created = await createService(organisation, inSeconds(6));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const grant = created.body as ServiceGrant;
    expect(grant.door).toBe('service');
    expect(grant.account.username).toMatch(/^sup-export-robots-[0-9a-f]+-svc$/);
    const credential = grant.credential as { username: string; password: string };
    expect(credential.password.length).toBeGreaterThanOrEqual(48);
    const directory = { kind: 'openldap', slapd: stack.slapd } as const;
    expect(await signIn(directory, grant.account.externalId, credential.password)).toBe('ok');

    // The password is handed out once: not in the grant's view, not claimable again.
    const shown = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    expect(JSON.stringify(shown.body)).not.toContain(credential.password);
    const again = await stack.request('POST', `/v1/grants/${grant.id}/credential`, TOKENS.requester);
    expect(again.status).toBe(409);

    // The supplier's own account is another door: its name is not the integration's.
    const account = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplier: { organisation },
      durationDays: 1,
      reason: 'a person of the supplier',
    });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    expect((account.body as ServiceGrant).account.username).not.toBe(grant.account.username);

    const ended = await grantWhen(stack, grant.id, closed);
    expect(ended.status).toBe('expired');
    expect(ended.events?.map((e) => e.type)).toEqual(
      expect.arrayContaining(['expired', 'disabled', 'credentials-rotated']),
    );
    expect(await signIn(directory, grant.account.externalId, credential.password)).toBe('refused');
    const entry = await readEntry(stack.slapd, grant.account.externalId);
    expect(entry?.pwdAccountLockedTime).toEqual(['000001010000Z']);
  });

  it('refuses a second live service credential of the same supplier, and what a service credential cannot have', async () => {
    const organisation = `Twice Integrations ${token()}`;
    const first = await createService(organisation, inSeconds(3600));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await createService(organisation, inSeconds(3600));
    expect(second.status).toBe(409);
    expect(second.body.liveGrantId).toBe((first.body as ServiceGrant).id);

    for (const [extra, field] of [
      [{ account: 'member' }, 'account'],
      [{ groups: ['cn=staff'] }, 'groups'],
      [{ kind: 'robot' }, 'kind'],
    ] as const) {
      const refused = await createService(organisation, inSeconds(3600), extra);
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }

    const revoked = await stack.request('POST', `/v1/grants/${first.body.id}/revoke`, TOKENS.admin, {
      reason: 'integration retired',
    });
    expect(revoked.status).toBe(200);
    const ended = await grantWhen(stack, first.body.id, closed);
    expect(ended.status).toBe('revoked');
  });

  it('is closed again by the review when unlocked by hand after its end, and is never called an orphan', async () => {
    const live = (await createService(`Live Feeds ${token()}`, inSeconds(3600))).body as ServiceGrant;
    const created = await createService(`Unlocked Uploads ${token()}`, inSeconds(4));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const grant = await grantWhen(stack, created.body.id, closed);
    const client = new Client({ url: stack.slapd.url });
    try {
      await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
      // Someone lets the integration back in: the lock and the expiry removed, a known password set.
      await client.modify(grant.account.externalId, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime' }) }),
        new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdEndTime' }) }),
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'userPassword', values: ['back-door-password'] }),
        }),
      ]);
    } finally {
      await client.unbind();
    }
    const directory = { kind: 'openldap', slapd: stack.slapd } as const;
    expect(await signIn(directory, grant.account.externalId, 'back-door-password')).not.toBe('refused');

    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    const rows = review.body.accounts as { username: string; finding: string; action: string }[];
    expect(rows.filter((row) => row.finding === 'orphan').map((row) => row.username)).not.toEqual(
      expect.arrayContaining([live.account.username]),
    );
    expect(rows.find((row) => row.username === grant.account.username)).toMatchObject({
      finding: 'drift',
      action: 'disabled-and-rotated',
    });
    expect(await signIn(directory, grant.account.externalId, 'back-door-password')).toBe('refused');
    const trail = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    expect((trail.body.events as { type: string }[]).map((e) => e.type)).toContain('drift-corrected');
  });
});

describe('a service credential on Entra: an application secret that Entra itself ends', () => {
  let graph: GraphFake;
  let stack: TestStack;
  const entra = () => ({ kind: 'entra', graph }) as const;

  beforeAll(async () => {
    graph = await startGraphFake();
    stack = await TestStack.start({
      GRAPH_TENANT_ID: graph.tenantId,
      GRAPH_CLIENT_ID: graph.clientId,
      GRAPH_CLIENT_SECRET: graph.clientSecret,
      GRAPH_UPN_DOMAIN: 'contoso.test',
      GRAPH_BASE_URL: graph.graphUrl,
      GRAPH_AUTHORITY_URL: graph.authorityUrl,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await graph?.close();
  });

  async function createService(organisation: string, expiresAt: string) {
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'entra',
      kind: 'service',
      supplier: { organisation },
      expiresAt,
      reason: 'the supplier syncs our calendar',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as ServiceGrant & { credential: { username: string; password: string } };
  }

  it('signs in with client credentials until revoked: then every secret is gone and the principal disabled', async () => {
    const grant = await createService(`Calendar Sync ${token()}`, inSeconds(3600));
    expect(grant.door).toBe('service');
    const application = graph.applications.get(grant.account.externalId);
    expect(application?.displayName).toBe(grant.account.username);
    expect(application?.passwordCredentials.map((c) => Date.parse(c.endDateTime ?? ''))).toEqual([
      Date.parse(grant.expiresAt),
    ]);
    expect(await serviceSignsIn(entra(), grant.credential.username, grant.credential.password)).toBe(true);

    const revoked = await stack.request('POST', `/v1/grants/${grant.id}/revoke`, TOKENS.admin, {
      reason: 'the integration is retired',
    });
    expect(revoked.status).toBe(200);
    expect(await serviceSignsIn(entra(), grant.credential.username, grant.credential.password)).toBe(false);
    expect(graph.applications.get(grant.account.externalId)?.passwordCredentials).toEqual([]);
    expect(graph.servicePrincipalByAppId(grant.credential.username)?.accountEnabled).toBe(false);
    expect((await grantWhen(stack, grant.id, closed)).status).toBe('revoked');
  });

  /** Calls Graph as the tenant's administrator would, by hand, outside supplier-access. */
  async function byHand(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: graph.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    const token = (await (await fetch(graph.tokenUrl, { method: 'POST', body: form })).json()) as {
      access_token: string;
    };
    const res = await fetch(`${graph.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
    return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
  }

  it('is closed again by the review when someone adds a secret and enables it by hand after its end', async () => {
    const grant = await createService(`Revived Webhooks ${token()}`, inSeconds(3600));
    const revoked = await stack.request('POST', `/v1/grants/${grant.id}/revoke`, TOKENS.admin, {
      reason: 'contract over',
    });
    expect(revoked.status).toBe(200);
    const principal = graph.servicePrincipalByAppId(grant.credential.username);
    await byHand('PATCH', `/servicePrincipals/${principal?.id}`, { accountEnabled: true });
    const added = await byHand('POST', `/applications/${grant.account.externalId}/addPassword`, {
      passwordCredential: { displayName: 'quick fix' },
    });
    const backDoor = String(added.secretText);
    expect(await serviceSignsIn(entra(), grant.credential.username, backDoor)).toBe(true);

    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    const row = (review.body.accounts as { username: string }[]).find(
      (r) => r.username === grant.account.username,
    );
    expect(row).toMatchObject({ finding: 'drift', action: 'disabled-and-rotated', grantId: grant.id });
    expect(await serviceSignsIn(entra(), grant.credential.username, backDoor)).toBe(false);
    expect(graph.applications.get(grant.account.externalId)?.passwordCredentials).toEqual([]);
    expect(graph.servicePrincipalByAppId(grant.credential.username)?.accountEnabled).toBe(false);
    const trail = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    expect((trail.body.events as { type: string }[]).map((e) => e.type)).toContain('drift-corrected');
  });

  it('is refused by Entra itself after its expiry, with no worker there to close it', async () => {
    const grant = await createService(`Night Batch ${token()}`, inSeconds(6));
    expect(await serviceSignsIn(entra(), grant.credential.username, grant.credential.password)).toBe(true);
    await stack.killWorker();
    await sleep(Date.parse(grant.expiresAt) - Date.now() + 1500);
    expect(await serviceSignIn(entra(), grant.credential.username, grant.credential.password)).toBe(
      'expired',
    );

    await stack.startWorker();
    const ended = await grantWhen(stack, grant.id, closed, 60_000);
    expect(ended.status).toBe('expired');
    expect(graph.servicePrincipalByAppId(grant.credential.username)?.accountEnabled).toBe(false);
  });

  it('an extension approved by a second person issues a new secret, claimed once, that signs in', async () => {
    const grant = await createService(`Ledger Bridge ${token()}`, inSeconds(3600));
    const later = inSeconds(7200);
    const asked = await stack.request('POST', `/v1/grants/${grant.id}/extensions`, TOKENS.requester, {
      expiresAt: later,
      reason: 'the migration runs longer',
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const approved = await stack.request(
      'POST',
      `/v1/grants/${grant.id}/extensions/approve`,
      TOKENS.approver,
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const claimed = await stack.request('POST', `/v1/grants/${grant.id}/credential`, TOKENS.requester);
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    const renewed = claimed.body.credential as { username: string; password: string };
    expect(renewed.username).toBe(grant.credential.username);
    expect(renewed.password).not.toBe(grant.credential.password);
    expect(await serviceSignsIn(entra(), renewed.username, renewed.password)).toBe(true);
    const ends = graph.applications
      .get(grant.account.externalId)
      ?.passwordCredentials.map((c) => Date.parse(c.endDateTime ?? ''));
    expect(ends).toContain(Date.parse(later));
    // Handed out once: the second claim finds nothing.
    const again = await stack.request('POST', `/v1/grants/${grant.id}/credential`, TOKENS.requester);
    expect(again.status).toBe(409);
  });
});

describe('a service credential on Okta: a service app deactivated at its end', () => {
  let okta: OktaFake;
  let stack: TestStack;

  beforeAll(async () => {
    okta = await startOktaFake();
    stack = await TestStack.start({
      OKTA_ORG_URL: okta.url,
      OKTA_API_TOKEN: okta.apiToken,
      OKTA_LOGIN_DOMAIN: 'suppliers.acme.test',
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await okta?.close();
  });

  it('issues a service app whose secret gets a token, refused once the app is deactivated at the expiry', async () => {
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'okta',
      kind: 'service',
      supplier: { organisation: `Stock Feed ${token()}` },
      expiresAt: inSeconds(6),
      reason: 'the supplier reads our stock levels',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const grant = created.body as ServiceGrant & { credential: { username: string; password: string } };
    const target = { kind: 'okta', okta } as const;
    expect(okta.apps.get(grant.account.externalId)?.status).toBe('ACTIVE');
    expect(await serviceSignsIn(target, grant.credential.username, grant.credential.password)).toBe(true);

    const ended = await grantWhen(stack, grant.id, closed);
    expect(ended.status).toBe('expired');
    expect(okta.apps.get(grant.account.externalId)?.status).toBe('INACTIVE');
    expect(await serviceSignsIn(target, grant.credential.username, grant.credential.password)).toBe(false);
  });
});
