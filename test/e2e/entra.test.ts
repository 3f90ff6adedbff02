import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFake, type GraphFake } from '../fakes/graph/index.js';
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

const UPN_DOMAIN = 'contoso.test';
let graph: GraphFake;
let stack: TestStack;

beforeAll(async () => {
  graph = await startGraphFake();
  stack = await TestStack.start({
    GRAPH_TENANT_ID: graph.tenantId,
    GRAPH_CLIENT_ID: graph.clientId,
    GRAPH_CLIENT_SECRET: graph.clientSecret,
    GRAPH_UPN_DOMAIN: UPN_DOMAIN,
    GRAPH_BASE_URL: graph.graphUrl,
    GRAPH_AUTHORITY_URL: graph.authorityUrl,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await graph?.close();
});

function userWhere(match: (u: { userPrincipalName: string; mail: string | null }) => boolean) {
  return [...graph.users.values()].find(match);
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return Date.now();
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('an Entra grant through the HTTP API behaves like an LDAP grant', () => {
  it('member account: one-time password, must change it, disabled with sessions revoked at expiry', async () => {
    const expiresAt = new Date(Date.now() + 4000).toISOString();
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'entra',
      supplier: { organisation: 'Électricité Gagnon' },
      account: 'member',
      expiresAt,
      reason: 'panel replacement',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.account.username).toBe('sup-electricite-gagnon');
    expect(created.body.credential.password).toBeTruthy();
    const user = userWhere((u) => u.userPrincipalName === `sup-electricite-gagnon@${UPN_DOMAIN}`);
    expect(user?.accountEnabled).toBe(true);
    expect(user?.displayName).toBe('Électricité Gagnon (supplier)');
    expect(user?.forceChangePasswordNextSignIn).toBe(true);

    const disabledAt = await until(
      () => graph.users.get(user!.id)?.accountEnabled === false && Boolean(graph.sessionsRevokedAt(user!.id)),
      15_000,
      'the member account to be disabled',
    );
    console.log(
      `entra expiry lag: member disabled ${disabledAt - Date.parse(expiresAt)} ms after its expiry`,
    );
    await until(
      () => graph.users.get(user!.id)?.password !== created.body.credential.password,
      10_000,
      'the password to be rotated',
    );
  });

  it('guest account: invited by e-mail, no password through us, revoked on demand', async () => {
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'entra',
      supplier: { organisation: 'Guest Partners LLC', contactEmail: 'ops@guest-partners.example' },
      durationDays: 10,
      reason: 'shared project',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.credential).toBeUndefined();
    expect(graph.invitationEmails.some((e) => JSON.stringify(e).includes('ops@guest-partners.example'))).toBe(
      true,
    );
    const guest = userWhere((u) => u.mail === 'ops@guest-partners.example');
    expect(guest?.accountEnabled).toBe(true);

    const revoked = await stack.request('POST', `/v1/grants/${created.body.id}/revoke`, TOKENS.admin, {
      reason: 'project over',
    });
    expect(revoked.status).toBe(200);
    expect(graph.users.get(guest!.id)?.accountEnabled).toBe(false);
    expect(graph.sessionsRevokedAt(guest!.id)).toBeTruthy();
  });

  it('refuses a guest account without a contact e-mail, before anything reaches Graph', async () => {
    const before = graph.requests.length;
    const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'entra',
      supplier: { organisation: 'No Address Co' },
      account: 'guest',
      durationDays: 3,
      reason: 'x',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('supplier.contactEmail');
    expect(graph.requests.length).toBe(before);
  });
  it('reviews Entra too: a member re-enabled by hand is closed again, a hand-made one is reported', async () => {
    // A tenant admin re-enables the expired supplier member and creates a supplier-looking user by hand.
    const token = (await (
      await fetch(`${graph.authorityUrl}/${graph.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: graph.clientId,
          client_secret: graph.clientSecret,
          scope: 'https://graph.microsoft.com/.default',
        }),
      })
    ).json()) as { access_token: string };
    const asAdmin = (method: string, path: string, body: unknown) =>
      fetch(`${graph.graphUrl}/v1.0${path}`, {
        method,
        headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const member = userWhere((u) => u.userPrincipalName === `sup-electricite-gagnon@${UPN_DOMAIN}`);
    expect((await asAdmin('PATCH', `/users/${member!.id}`, { accountEnabled: true })).status).toBe(204);
    const handmade = await asAdmin('POST', '/users', {
      accountEnabled: true,
      displayName: 'Shadow Vendor',
      mailNickname: 'sup-shadow-vendor',
      userPrincipalName: `sup-shadow-vendor@${UPN_DOMAIN}`,
      passwordProfile: { password: 'Sh4dow-Vendor-Passw0rd!', forceChangePasswordNextSignIn: false },
    });
    expect(handmade.status).toBe(201);

    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    const found = Object.fromEntries(
      (review.body.accounts as { provider: string; username: string; finding: string; action: string }[])
        .filter((a) => a.provider === 'entra')
        .map((a) => [a.username, [a.finding, a.action]]),
    );
    expect(found).toMatchObject({
      'sup-electricite-gagnon': ['drift', 'disabled-and-rotated'],
      'sup-shadow-vendor': ['orphan', 'reported'],
    });
    expect(graph.users.get(member!.id)?.accountEnabled).toBe(false);
    expect(userWhere((u) => u.userPrincipalName === `sup-shadow-vendor@${UPN_DOMAIN}`)?.accountEnabled).toBe(
      true,
    );
  });
});

/** A request to Graph as the tenant's admin, outside the provider. */
async function asGraphAdmin(method: string, path: string, body: unknown): Promise<Response> {
  const token = (await (
    await fetch(`${graph.authorityUrl}/${graph.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: graph.clientId,
        client_secret: graph.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    })
  ).json()) as { access_token: string };
  return fetch(`${graph.graphUrl}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('an Entra member lent to a supplier', () => {
  it('rotates its password before the hand-over and at the return; the custodian takes the new one once', async () => {
    const upn = `webmaster@${UPN_DOMAIN}`;
    const original = 'Webmaster-original-2026!';
    const made = await asGraphAdmin('POST', '/users', {
      accountEnabled: true,
      displayName: 'Webmaster',
      mailNickname: 'webmaster',
      userPrincipalName: upn,
      passwordProfile: { password: original, forceChangePasswordNextSignIn: false },
    });
    expect(made.status).toBe(201);
    const userId = ((await made.json()) as { id: string }).id;
    expect(await signsIn({ kind: 'entra', graph }, upn, original)).toBe(true);
    const { id } = await registerSharedAccount(stack, 'entra', upn);

    // Entra's policy refuses the first password tried: the next attempt makes a new one, and only the password
    // Entra took is handed out.
    graph.refusePasswords(1);
    const lent = await lendNow(
      stack,
      id,
      'Agence Web Bouchard',
      new Date(Date.now() + 3600_000).toISOString(),
    );
    const supplierPassword = lent.credential.password;
    expect(await signsIn({ kind: 'entra', graph }, upn, original)).toBe(false);
    expect(await signsIn({ kind: 'entra', graph }, upn, supplierPassword)).toBe(true);

    const returned = await stack.request('POST', `/v1/shared-accounts/${id}/return`, TOKENS.requester, {
      reason: 'site updated',
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(await signsIn({ kind: 'entra', graph }, upn, supplierPassword)).toBe(false);
    expect(graph.sessionsRevokedAt(userId)).toBeTruthy();
    await lendWhen(stack, lent.id, rotatedBack, 30_000);
    const custodianPassword = await claimPassword(stack, id);
    expect(await signsIn({ kind: 'entra', graph }, upn, custodianPassword)).toBe(true);
    expect((await claim(stack, id)).status).toBe(404);
    // Still the custodian's account, as it was: enabled, nothing to change at the next sign-in.
    expect(graph.users.get(userId)).toMatchObject({
      accountEnabled: true,
      forceChangePasswordNextSignIn: false,
    });
    expect(stack.workerOutput).not.toContain(custodianPassword);
  });
});
