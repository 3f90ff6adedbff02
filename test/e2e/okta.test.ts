import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
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

const LOGIN_DOMAIN = 'suppliers.acme.test';
let okta: OktaFake;
let stack: TestStack;

beforeAll(async () => {
  okta = await startOktaFake();
  stack = await TestStack.start({
    OKTA_ORG_URL: okta.url,
    OKTA_API_TOKEN: okta.apiToken,
    OKTA_LOGIN_DOMAIN: LOGIN_DOMAIN,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await okta?.close();
});

async function waitForStatus(login: string, status: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (okta.userByLogin(login)?.status === status) return Date.now();
    await sleep(50);
  }
  throw new Error(`${login} did not become ${status}; it is ${okta.userByLogin(login)?.status}`);
}

describe('an Okta grant through the HTTP API behaves like an LDAP grant', () => {
  it('creates a user named after the organisation, then deprovisions it at expiry', async () => {
    const expiresAt = new Date(Date.now() + 4000).toISOString();
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'okta',
      supplier: { organisation: 'Réseaux Tremblay Ltée' },
      expiresAt,
      reason: 'network audit',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.account.username).toBe('sup-reseaux-tremblay-ltee');
    expect(created.body.credential.password).toBeTruthy();
    const login = `sup-reseaux-tremblay-ltee@${LOGIN_DOMAIN}`;
    const user = okta.userByLogin(login);
    // PASSWORD_EXPIRED: the password works once, to set a new one at first sign-in.
    expect(user?.status).toBe('PASSWORD_EXPIRED');
    expect(JSON.stringify(user?.profile)).not.toMatch(/firstName":"(Rita|Ada)/);
    okta.createSession(user!.id);

    const deprovisionedAt = await waitForStatus(login, 'DEPROVISIONED', 15_000);
    console.log(
      `okta expiry lag: user DEPROVISIONED ${deprovisionedAt - Date.parse(expiresAt)} ms after its expiry`,
    );
    expect(okta.sessionsOf(user!.id)).toEqual([]);

    const shown = await stack.request('GET', `/v1/grants/${created.body.id}`, TOKENS.auditor);
    const deadline = Date.now() + 10_000;
    let body = shown.body;
    // The status turns 'expired' when the expiry is recorded; the rotation is recorded a moment later.
    const rotated = (b: typeof body) =>
      (b.events as { type: string }[]).some((e) => e.type === 'credentials-rotated');
    while ((body.status !== 'expired' || !rotated(body)) && Date.now() < deadline) {
      await sleep(100);
      body = (await stack.request('GET', `/v1/grants/${created.body.id}`, TOKENS.auditor)).body;
    }
    expect(body.status).toBe('expired');
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['created', 'provisioned', 'expired', 'disabled', 'credentials-rotated']),
    );
  });

  it('with a contact e-mail, lets Okta send the activation and hands out no password', async () => {
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'okta',
      supplier: { organisation: 'Activation Only Inc', contactEmail: 'it@activation.example' },
      durationDays: 5,
      reason: 'support contract',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.credential).toBeUndefined();
    expect(okta.emails.some((e) => e.kind === 'activation')).toBe(true);

    const revoked = await stack.request('POST', `/v1/grants/${created.body.id}/revoke`, TOKENS.admin, {
      reason: 'no longer needed',
    });
    expect(revoked.status).toBe(200);
    expect(okta.userByLogin(`sup-activation-only-inc@${LOGIN_DOMAIN}`)?.status).toBe('DEPROVISIONED');
  });

  it('reviews Okta too: a user reactivated by hand is closed again, a hand-made one is reported', async () => {
    // An Okta admin reactivates the revoked supplier and creates another supplier-looking user by hand.
    const okta_ = (path: string, body?: unknown) =>
      fetch(`${okta.url}${path}`, {
        method: 'POST',
        headers: { authorization: `SSWS ${okta.apiToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const revived = okta.userByLogin(`sup-activation-only-inc@${LOGIN_DOMAIN}`);
    expect((await okta_(`/api/v1/users/${revived!.id}/lifecycle/activate?sendEmail=false`)).status).toBe(200);
    expect(okta.userByLogin(`sup-activation-only-inc@${LOGIN_DOMAIN}`)?.status).not.toBe('DEPROVISIONED');
    const handmade = await okta_('/api/v1/users?activate=true', {
      profile: {
        login: `sup-shadow-vendor@${LOGIN_DOMAIN}`,
        email: `sup-shadow-vendor@${LOGIN_DOMAIN}`,
        firstName: 'Shadow',
        lastName: 'Vendor',
      },
    });
    expect(handmade.status).toBe(200);

    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    const found = Object.fromEntries(
      (review.body.accounts as { provider: string; username: string; finding: string; action: string }[])
        .filter((a) => a.provider === 'okta')
        .map((a) => [a.username, [a.finding, a.action]]),
    );
    expect(found).toMatchObject({
      'sup-reseaux-tremblay-ltee': ['closed', 'none'],
      'sup-activation-only-inc': ['drift', 'disabled-and-rotated'],
      'sup-shadow-vendor': ['orphan', 'reported'],
    });
    expect(okta.userByLogin(`sup-activation-only-inc@${LOGIN_DOMAIN}`)?.status).toBe('DEPROVISIONED');
    // Reported, not touched (REVIEW_DISABLE_ORPHANS is off): still as its maker left it.
    expect(okta.userByLogin(`sup-shadow-vendor@${LOGIN_DOMAIN}`)?.status).toBe('PROVISIONED');
  });
});

describe('readiness with Okta configured', () => {
  it('reports Okta beside the directory, and 503 naming it when Okta fails', async () => {
    const up = await stack.request('GET', '/readyz', null);
    expect(up.status).toBe(200);
    expect(up.body.checks).toEqual({ temporal: 'ok', ldap: 'ok', okta: 'ok' });
    okta.failNext(1, 503);
    const down = await stack.request('GET', '/readyz', null);
    expect(down.status).toBe(503);
    expect(down.body.checks).toMatchObject({ ldap: 'ok', okta: expect.stringMatching(/^down: /) });
  });
});

describe('an Okta user lent to a supplier', () => {
  it('rotates its password before the hand-over and at the return; the custodian takes the new one once', async () => {
    const login = `webmaster@${LOGIN_DOMAIN}`;
    const original = 'Shop-front-original-2026';
    const made = await fetch(`${okta.url}/api/v1/users?activate=true`, {
      method: 'POST',
      headers: { authorization: `SSWS ${okta.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        profile: { login, email: login, firstName: 'Web', lastName: 'Master' },
        credentials: { password: { value: original } },
      }),
    });
    expect(made.status).toBe(200);
    const userId = ((await made.json()) as { id: string }).id;
    expect(await signsIn({ kind: 'okta', okta }, login, original)).toBe(true);
    const { id } = await registerSharedAccount(stack, 'okta', login);

    // Okta's policy refuses the first password tried: the next attempt makes a new one, and only the password
    // Okta took is handed out.
    okta.refusePasswords(1);
    const lent = await lendNow(
      stack,
      id,
      'Agence Web Bouchard',
      new Date(Date.now() + 3600_000).toISOString(),
    );
    const supplierPassword = lent.credential.password;
    expect(await signsIn({ kind: 'okta', okta }, login, original)).toBe(false);
    expect(await signsIn({ kind: 'okta', okta }, login, supplierPassword)).toBe(true);
    okta.createSession(userId);

    const returned = await stack.request('POST', `/v1/shared-accounts/${id}/return`, TOKENS.requester, {
      reason: 'site updated',
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(await signsIn({ kind: 'okta', okta }, login, supplierPassword)).toBe(false);
    // The supplier's session ends with its password.
    expect(okta.sessionsOf(userId)).toEqual([]);
    await lendWhen(stack, lent.id, rotatedBack, 30_000);
    const custodianPassword = await claimPassword(stack, id);
    expect(await signsIn({ kind: 'okta', okta }, login, custodianPassword)).toBe(true);
    expect((await claim(stack, id)).status).toBe(404);
    // Still the custodian's account, as it was: active, nothing to change at the next sign-in.
    expect(okta.userByLogin(login)?.status).toBe('ACTIVE');
    expect(stack.workerOutput).not.toContain(custodianPassword);
  });
});
