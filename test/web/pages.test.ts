import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import { IncidentService } from '../../src/api/incident-service.js';
import { EncryptionCodec, generateKeySpec, parseEncryptionKeys } from '../../src/codec.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { PAGE_CSP } from '../../src/web/index.js';
import { addGrant, provision } from '../registry/grants.js';

/**
 * The page in memory, over a SQLite registry: what a browser is told (headers, cookies, language), what it may
 * post, and that whatever a supplier's name holds is shown as text. The walk itself is in test/browser.
 */
const RITA = 'rita-token-0123456789abc';
const ADA = 'ada-token-0123456789abcde';
const HOSTILE = '<img src=x onerror=alert(1)>Acme';
const GRANT_ID = '0b6f1f43-3c55-4c1e-9d9a-00000000000a';
const SUPPLIER_ID = '6f1c2d3e-4a5b-4c6d-8e7f-000000000001';
/** A supplier of its own for the incident: its block must not change what the other tests see. */
const BREACHED_ID = '6f1c2d3e-4a5b-4c6d-8e7f-000000000002';
const BREACHED_GRANT_ID = '0b6f1f43-3c55-4c1e-9d9a-00000000000b';

let app: FastifyInstance;
let registry: RegistryStore;
let dataDir: string;
/** Changes the API was asked to make: none may come from a form that is not ours. */
const changes: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'web-pages-'));
  registry = await openRegistry({ dataDir });
  await registry.insertSupplier({
    id: SUPPLIER_ID,
    legalName: HOSTILE,
    key: 'acme',
    contactEmails: ['desk@acme.example'],
    sponsor: { name: 'Sam Sponsor' },
    createdBy: 'rita',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const grant = await addGrant(registry, {
    id: GRANT_ID,
    supplierId: SUPPLIER_ID,
    organisation: HOSTILE,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2099-01-01T00:00:00.000Z',
  });
  await provision(registry, grant, grant.createdAt);
  await registry.insertSupplier({
    id: BREACHED_ID,
    legalName: 'Toitures Nord inc.',
    key: 'toitures-nord',
    contactEmails: ['it@toitures.example'],
    sponsor: { name: 'Sam Sponsor' },
    createdBy: 'ada',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const breached = await addGrant(registry, {
    id: BREACHED_GRANT_ID,
    supplierId: BREACHED_ID,
    organisation: 'Toitures Nord inc.',
    username: 'sup-toitures-nord-inc',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2099-01-01T00:00:00.000Z',
  });
  await provision(registry, breached, breached.createdAt);
  const recording = (name: string) => async () => {
    changes.push(name);
    return null;
  };
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'rita', roles: ['requester'], token: RITA },
      { name: 'ada', roles: ['admin'], token: ADA },
    ]),
    service: { revoke: recording('revoke'), create: recording('create') } as unknown as GrantService,
    registry,
    policy: { providers: ['ldap'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    web: { codec: new EncryptionCodec(parseEncryptionKeys(generateKeySpec('web'))) },
    // No worker here: the incident's workflow is only recorded as started, so its door stays pending.
    incidents: new IncidentService({
      registry,
      client: { workflow: { start: recording('incident') } } as unknown as Client,
      taskQueue: 'web-pages',
      answerWithinMs: 300,
    }),
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await registry?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Signs in through the form; the session cookie as a browser would send it back. */
async function signIn(token: string): Promise<string> {
  const answer = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: FORM,
    payload: form({ token }),
  });
  expect(answer.statusCode).toBe(303);
  const cookie = [answer.headers['set-cookie']].flat()[0] ?? '';
  return cookie.split(';')[0]!;
}

/** The session's CSRF token, as the page's forms carry it. */
async function csrfOf(cookie: string): Promise<string> {
  const page = await app.inject({ url: '/grants/new', headers: { cookie } });
  return /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
}

describe('the pages', () => {
  it('send a stranger to the sign-in page, with the strict policy, no caching and a hashed style sheet', async () => {
    const home = await app.inject({ url: '/' });
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/sign-in');
    const page = await app.inject({ url: '/sign-in' });
    expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).not.toMatch(/<script|style=/);
    const sheet = /href="(\/assets\/style-[0-9a-f]{12}\.css)"/.exec(page.body)?.[1];
    const css = await app.inject({ url: sheet! });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('refuse a token the API refuses, and keep a good one only sealed, in an HttpOnly SameSite=Strict cookie', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { ...FORM, 'accept-language': 'fr-CA' },
      payload: form({ token: 'not-a-token-0123456789' }),
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain("Le jeton n'a pas été accepté");
    expect(refused.headers['set-cookie']).toBeUndefined();

    const answer = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: FORM,
      payload: form({ token: RITA }),
    });
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^sa_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(RITA);
    expect(decodeURIComponent(cookie)).not.toContain(RITA);
    const home = await app.inject({ url: '/', headers: { cookie: cookie.split(';')[0]! } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('rita');
  });

  it('sign nobody in from another site, and mark the cookie Secure when the public address is https', async () => {
    const forged = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { ...FORM, origin: 'https://evil.example' },
      payload: form({ token: RITA }),
    });
    expect(forged.headers['set-cookie']).toBeUndefined();

    const behindProxy = await buildApp({
      authenticator: new TokenAuthenticator([{ name: 'rita', roles: ['requester'], token: RITA }]),
      service: {} as GrantService,
      registry,
      policy: { providers: ['ldap'], maxGrantDays: 90 },
      logger: createLogger('silent'),
      web: {
        codec: new EncryptionCodec(parseEncryptionKeys(generateKeySpec('web'))),
        publicUrl: 'https://access.client.example',
      },
    });
    try {
      const answer = await behindProxy.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { ...FORM, origin: 'https://localhost:80' },
        payload: form({ token: RITA }),
      });
      expect(String(answer.headers['set-cookie'])).toMatch(/; Secure(;|$)/);
    } finally {
      await behindProxy.close();
    }
  });

  it('take an altered or forged session for none', async () => {
    const cookie = await signIn(RITA);
    const [name, value] = cookie.split('=') as [string, string];
    const bytes = Buffer.from(decodeURIComponent(value), 'base64');
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1;
    const altered = await app.inject({
      url: '/',
      headers: { cookie: `${name}=${bytes.toString('base64')}` },
    });
    expect(altered.headers.location).toBe('/sign-in');
    const forged = await app.inject({
      url: '/',
      headers: { cookie: `${name}=${Buffer.from(RITA).toString('base64')}` },
    });
    expect(forged.headers.location).toBe('/sign-in');
  });

  it('act on a form only with the session’s CSRF token and from this site', async () => {
    const cookie = await signIn(ADA);
    const csrf = await csrfOf(cookie);
    const revoke = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: `/grants/${GRANT_ID}/revoke`,
        headers: { ...FORM, cookie, ...headers },
        payload: form(fields),
      });
    const without = await revoke({ reason: 'forged' });
    expect(without.statusCode).toBe(403);
    expect(without.body).toContain('did not come from this site');
    expect((await revoke({ reason: 'forged', csrf: 'x'.repeat(csrf.length) })).statusCode).toBe(403);
    expect((await revoke({ reason: 'forged', csrf }, { origin: 'https://evil.example' })).statusCode).toBe(
      403,
    );
    expect(changes).toEqual([]);
    // The genuine form reaches the API, then goes back to the grant's page (the stub's revoke is still queued).
    const genuine = await revoke({ reason: 'work done', csrf }, { origin: 'http://localhost:80' });
    expect(changes).toEqual(['revoke']);
    expect(genuine.statusCode).toBe(303);
    expect(genuine.headers.location).toBe(`/grants/${GRANT_ID}?done=revokeQueued`);
  });

  it("show a supplier's name as text, never as markup", async () => {
    const cookie = await signIn(RITA);
    const page = await app.inject({ url: `/grants/${GRANT_ID}`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)>Acme');
  });

  it('explain a refused form in the person’s language, naming each field by its label, and keep what was typed', async () => {
    const cookie = await signIn(RITA);
    const csrf = await csrfOf(cookie);
    const answer = await app.inject({
      method: 'POST',
      url: '/grants',
      headers: { ...FORM, cookie, 'accept-language': 'fr-CA,fr' },
      payload: form({
        csrf,
        provider: 'ldap',
        organisation: 'Plomberie Côté',
        durationDays: '7',
        reason: '',
      }),
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('Certains champs sont refusés');
    expect(answer.body).toContain('Motif : ne doit pas être vide');
    expect(answer.body).toContain('value="Plomberie Côté"');
    expect(changes).not.toContain('create');
  });
  it('explains in French every rule the API can give the new-grant form, never in its English words', async () => {
    const cookie = await signIn(RITA);
    const csrf = await csrfOf(cookie);
    const long = 'x'.repeat(600);
    const cases: Record<string, string>[] = [
      { provider: 'ldap', organisation: '', durationDays: '7', reason: 'audit' },
      { provider: 'ldap', organisation: long, durationDays: '7', reason: long, ticket: long },
      {
        provider: 'ldap',
        organisation: 'Acme',
        contactEmail: 'not-an-address',
        durationDays: '7',
        reason: 'audit',
      },
      { provider: 'ldap', organisation: 'Acme', durationDays: '0', reason: 'audit' },
      { provider: 'ldap', organisation: 'Acme', durationDays: '1.5', reason: 'audit' },
      { provider: 'ldap', organisation: 'Acme', durationDays: 'soon', reason: 'audit' },
      { provider: 'ldap', organisation: 'Acme', durationDays: '9999', reason: 'audit' },
      { provider: 'ldap', organisation: 'Acme', reason: 'audit' },
      { provider: 'okta', organisation: 'Acme', durationDays: '7', reason: 'audit' },
    ];
    for (const fields of cases) {
      // What the API itself says of this body, in English: the page must say each rule in French.
      const body = {
        provider: fields.provider,
        supplier: { organisation: fields.organisation, contactEmail: fields.contactEmail },
        durationDays: /^\d+$/.test(fields.durationDays ?? '')
          ? Number(fields.durationDays)
          : fields.durationDays,
        reason: fields.reason,
        ticket: fields.ticket,
      };
      const api = await app.inject({
        method: 'POST',
        url: '/v1/grants',
        headers: { authorization: `Bearer ${RITA}` },
        payload: body,
      });
      expect(api.statusCode, JSON.stringify(fields)).toBe(400);
      const rules = api.json<{ errors: { rule: string }[] }>().errors.map((e) => e.rule);
      expect(rules.length).toBeGreaterThan(0);
      const page = await app.inject({
        method: 'POST',
        url: '/grants',
        headers: { ...FORM, cookie, 'accept-language': 'fr-CA,fr' },
        payload: form({ csrf, ...fields }),
      });
      expect(page.statusCode).toBe(400);
      // The API's own answer is shown beside, as it wrote it; the explanation is the list of fields.
      const fieldList = /Certains champs sont refusés[^]*?<\/ul>/.exec(page.body)?.[0] ?? '';
      const text = fieldList.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');
      for (const rule of rules) expect.soft(text, `${JSON.stringify(fields)}: ${rule}`).not.toContain(rule);
    }
    expect(changes).not.toContain('create');
  });
});

describe('the reading pages', () => {
  it("list the open doors by supplier, filtered as the registry's answer is, a bad filter explained", async () => {
    const cookie = await signIn(RITA);
    const now = await app.inject({ url: '/', headers: { cookie } });
    expect(now.body).toContain('1 open door');
    expect(now.body).toContain(`href="/grants/${GRANT_ID}"`);
    expect(now.body).toContain(`href="/suppliers/${SUPPLIER_ID}"`);
    const before = await app.inject({ url: '/?activeAt=2001-01-01T00:00', headers: { cookie } });
    expect(before.body).toContain('No door is open at that instant.');
    expect(before.body).toContain('value="2001-01-01T00:00"');
    const bad = await app.inject({ url: '/?supplierId=nope', headers: { cookie, 'accept-language': 'fr' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Identifiant du fournisseur');
  });

  it('show a supplier with its contacts, sponsor and grants, and a missing one as not found', async () => {
    const cookie = await signIn(RITA);
    const page = await app.inject({ url: `/suppliers/${SUPPLIER_ID}`, headers: { cookie } });
    expect(page.statusCode, page.body.slice(-600)).toBe(200);
    expect(page.body).toContain('desk@acme.example');
    expect(page.body).toContain('Sam Sponsor');
    expect(page.body).toContain(`href="/grants/${GRANT_ID}"`);
    const missing = await app.inject({
      url: '/suppliers/6f1c2d3e-4a5b-4c6d-8e7f-0000000000ff',
      headers: { cookie, 'accept-language': 'fr' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Introuvable');
  });
});

describe('the language', () => {
  it('follows the browser, then a choice made with ?lang= and remembered in a cookie', async () => {
    const french = await app.inject({ url: '/sign-in', headers: { 'accept-language': 'fr-CA,fr;q=0.9' } });
    expect(french.body).toContain('<html lang="fr">');
    expect(french.body).toContain('href="/sign-in?lang=en"');
    const chosen = await app.inject({ url: '/sign-in?lang=en', headers: { 'accept-language': 'fr-CA' } });
    expect(chosen.body).toContain('<html lang="en">');
    expect(String(chosen.headers['set-cookie'])).toMatch(/^sa_lang=en;/);
    const remembered = await app.inject({
      url: '/sign-in',
      headers: { 'accept-language': 'fr-CA', cookie: 'sa_lang=en' },
    });
    expect(remembered.body).toContain('<html lang="en">');
  });
});

/** `2026-12-03T17:30`, as a `datetime-local` field holds it, in UTC. */
const minuteOf = (at: number) => new Date(at).toISOString().slice(0, 16);

describe('a breach reported from the page', () => {
  const report = async (cookie: string, fields: Record<string, string>, language = 'en') =>
    app.inject({
      method: 'POST',
      url: `/suppliers/${BREACHED_ID}/incident`,
      headers: { ...FORM, cookie, 'accept-language': language },
      payload: form(fields),
    });

  it("is offered to admins only, on a supplier's page, through a confirmation that says what will happen", async () => {
    const rita = await signIn(RITA);
    const asRita = await app.inject({ url: `/suppliers/${BREACHED_ID}`, headers: { cookie: rita } });
    expect(asRita.body).not.toContain(`action="/suppliers/${BREACHED_ID}/incident"`);
    const confirmRita = await app.inject({
      url: `/suppliers/${BREACHED_ID}/incident`,
      headers: { cookie: rita },
    });
    expect(confirmRita.statusCode).toBe(403);
    expect(confirmRita.body).toContain('Your role does not allow this.');

    const ada = await signIn(ADA);
    const asAda = await app.inject({ url: `/suppliers/${BREACHED_ID}`, headers: { cookie: ada } });
    expect(asAda.body).toContain(`action="/suppliers/${BREACHED_ID}/incident"`);
    expect(asAda.body).toContain('Report a breach');
    const before = Date.now();
    const confirm = await app.inject({ url: `/suppliers/${BREACHED_ID}/incident`, headers: { cookie: ada } });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Every door of Toitures Nord inc. is closed now');
    expect(confirm.body).toContain('sup-toitures-nord-inc');
    expect(confirm.body).toContain('until an admin lifts it');
    expect(confirm.body).toContain('register');
    expect(confirm.body).toMatch(/<label for="incidentReason">/);
    const shown = /id="discoveredAt" name="discoveredAt" type="datetime-local" value="([^"]+)"/.exec(
      confirm.body,
    );
    expect([minuteOf(before), minuteOf(Date.now())]).toContain(shown?.[1]);
    const french = await app.inject({
      url: `/suppliers/${BREACHED_ID}/incident`,
      headers: { cookie: ada, 'accept-language': 'fr-CA' },
    });
    expect(french.body).toContain('Toutes les portes de Toitures Nord inc. sont fermées maintenant');
  });

  it('refuses a forged form, explains a refused field in both languages, then shows the doors closed and pending', async () => {
    const cookie = await signIn(ADA);
    const csrf = await csrfOf(cookie);
    const forged = await report(cookie, { reason: 'ransomware', discoveredAt: minuteOf(Date.now()) });
    expect(forged.statusCode).toBe(403);
    expect(changes).not.toContain('incident');

    // A requester's form reaches the API, which refuses the role: explained, and nothing is opened.
    const rita = await signIn(RITA);
    const asRita = await app.inject({
      method: 'POST',
      url: `/suppliers/${BREACHED_ID}/incident`,
      headers: { ...FORM, cookie: rita },
      payload: form({ csrf: await csrfOf(rita), reason: 'x', discoveredAt: minuteOf(Date.now()) }),
    });
    expect(asRita.statusCode).toBe(403);
    expect(asRita.body).toContain('Your role does not allow this.');
    expect(changes).not.toContain('incident');

    const future = minuteOf(Date.now() + 86_400_000);
    const french = await report(cookie, { csrf, reason: 'rançongiciel', discoveredAt: future }, 'fr-CA');
    expect(french.statusCode).toBe(400);
    expect(french.body).toContain('Découvert le (UTC) : ne doit pas être dans le futur');
    expect(french.body).toContain(`value="${future}"`);
    const english = await report(cookie, { csrf, reason: ' ', discoveredAt: minuteOf(Date.now()) });
    expect(english.statusCode).toBe(400);
    expect(english.body).toContain('Reason: must not be empty');
    expect(changes).not.toContain('incident');

    const opened = await report(cookie, {
      csrf,
      reason: 'Supplier reports ransomware',
      discoveredAt: minuteOf(Date.now()),
    });
    expect(opened.statusCode).toBe(200);
    expect(changes).toContain('incident');
    expect(opened.body).toContain('0 doors closed, 1 still closing');
    expect(opened.body).toContain('sup-toitures-nord-inc');
    expect(opened.body).toMatch(/href="\/incidents\/[0-9a-f-]{36}"/);
  });

  it('shows the block on the supplier’s page, explains a second report, and opens the entry to those who may read it', async () => {
    const cookie = await signIn(ADA);
    const csrf = await csrfOf(cookie);
    const supplier = await app.inject({ url: `/suppliers/${BREACHED_ID}`, headers: { cookie } });
    const entry = /href="(\/incidents\/[0-9a-f-]{36})"/.exec(supplier.body)?.[1];
    expect(entry).toBeDefined();
    expect(supplier.body).toContain('Blocked by an incident');
    expect(supplier.body).toContain(`action="/suppliers/${BREACHED_ID}/block"`);
    expect(supplier.body).not.toContain(`action="/suppliers/${BREACHED_ID}/incident"`);

    const again = await report(cookie, { csrf, reason: 'again', discoveredAt: minuteOf(Date.now()) });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already blocked by an incident');
    expect(again.body).toContain(`href="${entry}"`);
    const encore = await report(cookie, { csrf, reason: 'encore', discoveredAt: minuteOf(Date.now()) }, 'fr');
    expect(encore.body).toContain('déjà bloqué par un incident');

    const page = await app.inject({ url: entry!, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Supplier reports ransomware');
    expect(page.body).toContain('Personal information concerned');
    expect(page.body).toContain('sup-toitures-nord-inc');
    expect(page.body).toContain('still closing');
    expect(page.body).toContain('supplier blocked');
    const rita = await app.inject({ url: entry!, headers: { cookie: await signIn(RITA) } });
    expect(rita.statusCode).toBe(403);
  });

  it('lifts the block through its own confirmation, and explains a lift with nothing to lift', async () => {
    const cookie = await signIn(ADA);
    const csrf = await csrfOf(cookie);
    const confirm = await app.inject({ url: `/suppliers/${BREACHED_ID}/block`, headers: { cookie } });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('may have new doors again');
    const lift = (language: string) =>
      app.inject({
        method: 'POST',
        url: `/suppliers/${BREACHED_ID}/block`,
        headers: { ...FORM, cookie, 'accept-language': language },
        payload: form({ csrf, reason: 'new laptops, audit passed' }),
      });
    const lifted = await lift('en');
    expect(lifted.statusCode).toBe(303);
    expect(lifted.headers.location).toBe(`/suppliers/${BREACHED_ID}?done=unblocked`);
    const page = await app.inject({ url: lifted.headers.location!, headers: { cookie } });
    expect(page.body).toContain('The block is lifted');
    expect(page.body).not.toContain('Blocked by an incident');
    const twice = await lift('fr');
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain("Ce fournisseur n'est pas bloqué");
  });
});
