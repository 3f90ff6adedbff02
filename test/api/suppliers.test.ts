import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierRecord } from '../../domain/supplier.js';
import { inDays } from '../helpers/kit.js';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import { GrantService } from '../../src/api/grant-service.js';
import { SUPPLIER_EXAMPLES } from '../../src/api/supplier-routes.js';
import { createSupplierSchema, patchSupplierSchema } from '../../src/api/supplier-schemas.js';
import { SupplierService } from '../../src/api/supplier-service.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { addGrant, end, provision } from '../registry/grants.js';

const TOKENS = {
  rita: 'rita-requester-token-0123',
  alice: 'alice-approver-token-0123',
  audrey: 'audrey-auditor-token-0123',
  ada: 'ada-admin-token-012345678',
};

let dataDir: string;
let registry: RegistryStore;
let app: FastifyInstance;
/** What the contract-end hook was told, in order. */
const moves: { supplier: SupplierRecord; previous: string | undefined }[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'suppliers-api-'));
  registry = await openRegistry({ dataDir });
  const suppliers = new SupplierService({
    registry,
    onContractEndMoved: async (supplier, previous) => {
      moves.push({ supplier, previous });
    },
  });
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'rita', roles: ['requester'], token: TOKENS.rita },
      { name: 'alice', roles: ['approver'], token: TOKENS.alice },
      { name: 'audrey', roles: ['auditor'], token: TOKENS.audrey },
      { name: 'ada', roles: ['admin'], token: TOKENS.ada },
    ]),
    // A lazy client that never connects: every grant below is refused before a workflow would start.
    service: new GrantService({
      client: new Client(),
      registry,
      suppliers,
      taskQueue: 'suppliers-api-test',
      accountPrefix: 'sup-',
      maxGrantDays: 90,
      usernameLimits: new Map([['ldap', 64]]),
    }),
    suppliers,
    registry,
    policy: { providers: ['ldap'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    rateLimitPerMinute: 0,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await registry?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(payload ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload ? { payload } : {}),
  });

const errorsOf = (response: { json(): unknown }) =>
  (response.json() as { errors: { field: string; rule: string }[] }).errors;

const sponsor = { name: 'Sam Sponsor', email: 'sam@corp.example' };

describe('the supplier resource', () => {
  it('registers a supplier with its canonical key; another spelling of the name is a 409 naming it', async () => {
    const created = await call('POST', '/v1/suppliers', TOKENS.rita, {
      legalName: 'Straße & Söhne',
      contactEmails: ['office@strasse.example'],
      sponsor,
      contractEnd: inDays(60),
      notes: 'heating',
    });
    expect(created.statusCode).toBe(201);
    const supplier = created.json();
    expect(supplier).toMatchObject({
      legalName: 'Straße & Söhne',
      key: 'strasse-and-sohne',
      contactEmails: ['office@strasse.example'],
      sponsor,
      notes: 'heating',
      createdBy: 'rita',
    });
    expect(created.headers.location).toBe(`/v1/suppliers/${supplier.id}`);
    const again = await call('POST', '/v1/suppliers', TOKENS.rita, { legalName: 'Strasse & Söhne', sponsor });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ supplierId: supplier.id });
    expect(again.json().detail).toContain(supplier.id);
    // "A&B" and "A+B" are two firms.
    const ab = await call('POST', '/v1/suppliers', TOKENS.ada, { legalName: 'A&B Plumbing', sponsor });
    const aPlusB = await call('POST', '/v1/suppliers', TOKENS.ada, { legalName: 'A+B Plumbing', sponsor });
    expect([ab.statusCode, aPlusB.statusCode]).toEqual([201, 201]);
  });

  it('names the field and the rule of a bad body', async () => {
    const cases: [object, string, RegExp][] = [
      [{ legalName: 'Acme' }, 'sponsor', /is required/],
      [{ sponsor }, 'legalName', /is required/],
      [{ legalName: '!!!', sponsor }, 'legalName', /letter or a digit/],
      [{ legalName: 'Acme', sponsor: { name: 'Sam', email: 'nope' } }, 'sponsor.email', /e-mail/],
      [{ legalName: 'Acme', sponsor, contractEnd: inDays(-1) }, 'contractEnd', /in the future/],
      [{ legalName: 'Acme', sponsor, contactEmails: ['x'] }, 'contactEmails.0', /e-mail/],
      [{ legalName: 'Acme', sponsor, owner: 'me' }, 'owner', /unknown field/],
    ];
    for (const [body, field, rule] of cases) {
      const answer = await call('POST', '/v1/suppliers', TOKENS.rita, body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorsOf(answer), JSON.stringify(body)).toContainEqual({
        field,
        rule: expect.stringMatching(rule),
      });
    }
  });

  it('lets requesters and admins write, every role read, and nobody without a token', async () => {
    const body = { legalName: 'Roles Check Ltd', sponsor };
    expect((await call('POST', '/v1/suppliers', TOKENS.alice, body)).statusCode).toBe(403);
    expect((await call('POST', '/v1/suppliers', TOKENS.audrey, body)).statusCode).toBe(403);
    const created = await call('POST', '/v1/suppliers', TOKENS.rita, body);
    const id = created.json().id as string;
    expect((await call('PATCH', `/v1/suppliers/${id}`, TOKENS.audrey, { notes: 'x' })).statusCode).toBe(403);
    const movesBefore = moves.length;
    expect((await call('PATCH', `/v1/suppliers/${id}`, TOKENS.ada, { notes: 'x' })).statusCode).toBe(200);
    // Only a contract end that moved is news to the grants.
    expect(moves.length).toBe(movesBefore);
    expect((await call('GET', `/v1/suppliers/${id}`, TOKENS.audrey)).statusCode).toBe(200);
    expect((await call('GET', '/v1/suppliers', TOKENS.alice)).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/suppliers' })).statusCode).toBe(401);
  });

  it('lists suppliers by part of the name and by contract end, page by page', async () => {
    for (const [legalName, days] of [
      ['Électricité Listing Nord', 10],
      ['Electricite Listing Sud', 40],
      ['Plomberie Listing', undefined],
    ] as const) {
      const contractEnd = days === undefined ? {} : { contractEnd: inDays(days) };
      expect(
        (await call('POST', '/v1/suppliers', TOKENS.rita, { legalName, sponsor, ...contractEnd })).statusCode,
      ).toBe(201);
    }
    const names = (answer: { json(): unknown }) =>
      (answer.json() as { suppliers: { legalName: string }[] }).suppliers.map((s) => s.legalName);
    const byName = await call('GET', '/v1/suppliers?name=electricite%20listing', TOKENS.audrey);
    expect(names(byName)).toEqual(['Electricite Listing Sud', 'Électricité Listing Nord']);
    const ending = await call(
      'GET',
      `/v1/suppliers?name=listing&contractEndsBefore=${encodeURIComponent(inDays(20))}`,
      TOKENS.audrey,
    );
    expect(names(ending)).toEqual(['Électricité Listing Nord']);
    const first = await call('GET', '/v1/suppliers?name=listing&limit=2', TOKENS.audrey);
    expect(names(first)).toEqual(['Plomberie Listing', 'Electricite Listing Sud']);
    const cursor = first.json().nextCursor as string;
    const second = await call('GET', `/v1/suppliers?name=listing&limit=2&cursor=${cursor}`, TOKENS.audrey);
    expect(names(second)).toEqual(['Électricité Listing Nord']);
    expect(second.json().nextCursor).toBeUndefined();
    const bad = await call('GET', '/v1/suppliers?contractEndsBefore=soon&cursor=x', TOKENS.audrey);
    expect(errorsOf(bad).map((e) => e.field)).toEqual(['contractEndsBefore']);
    expect(errorsOf(await call('GET', '/v1/suppliers?cursor=x', TOKENS.audrey))).toEqual([
      { field: 'cursor', rule: 'must be a nextCursor returned by this API' },
    ]);
  });

  it('shows a supplier with every grant it had, current and past, newest first; 404 for an unknown one', async () => {
    const supplier = (
      await call('POST', '/v1/suppliers', TOKENS.rita, { legalName: 'History Ltd', sponsor })
    ).json();
    const past = await addGrant(registry, {
      supplierId: supplier.id,
      id: crypto.randomUUID(),
      createdAt: inDays(-30),
    });
    await provision(registry, past, inDays(-30));
    await end(registry, past, inDays(-20), 'revoked');
    const current = await addGrant(registry, {
      supplierId: supplier.id,
      id: crypto.randomUUID(),
      createdAt: inDays(-1),
    });
    await addGrant(registry, { id: crypto.randomUUID(), createdAt: inDays(-2) });
    const shown = await call('GET', `/v1/suppliers/${supplier.id}`, TOKENS.audrey);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ id: supplier.id, legalName: 'History Ltd' });
    const grants = shown.json().grants as {
      id: string;
      status: string;
      ending?: string;
      supplierId: string;
    }[];
    expect(grants.map((g) => [g.id, g.status, g.ending])).toEqual([
      [current.id, 'provisioning', undefined],
      [past.id, 'revoked', 'revoked'],
    ]);
    expect(grants.every((g) => g.supplierId === supplier.id)).toBe(true);
    const filtered = await call('GET', `/v1/grants?supplierId=${supplier.id}`, TOKENS.audrey);
    expect(filtered.json().grants.map((g: { id: string }) => g.id)).toEqual([current.id, past.id]);
    const unknown = await call('GET', `/v1/suppliers/${crypto.randomUUID()}`, TOKENS.audrey);
    expect(unknown.statusCode).toBe(404);
    expect(errorsOf(await call('GET', '/v1/suppliers/not-a-uuid', TOKENS.audrey))).toEqual([
      { field: 'id', rule: 'must be a supplier id (a UUID)' },
    ]);
  });
});

describe('a PATCH of a supplier', () => {
  it('stores a new contract end, tells the hook, and new grants and extensions past it are refused', async () => {
    const created = await call('POST', '/v1/suppliers', TOKENS.rita, {
      legalName: 'Contract Moves Ltd',
      contactEmails: ['office@moves.example'],
      sponsor,
      contractEnd: inDays(60),
    });
    const id = created.json().id as string;
    const grant = (extra: object) =>
      call('POST', '/v1/grants', TOKENS.rita, { provider: 'ldap', reason: 'boiler', ...extra });

    const moved = await call('PATCH', `/v1/suppliers/${id}`, TOKENS.rita, { contractEnd: inDays(10) });
    expect(moved.statusCode).toBe(200);
    expect(Date.parse(moved.json().contractEnd)).toBeCloseTo(Date.parse(inDays(10)), -4);
    expect((await call('GET', `/v1/suppliers/${id}`, TOKENS.audrey)).json().contractEnd).toBe(
      moved.json().contractEnd,
    );
    expect(moves.at(-1)?.supplier.id).toBe(id);
    expect(Date.parse(moves.at(-1)?.previous ?? '')).toBeCloseTo(Date.parse(inDays(60)), -4);

    const byId = await grant({ supplierId: id, durationDays: 30 });
    expect(byId.statusCode).toBe(400);
    expect(errorsOf(byId)).toEqual([
      {
        field: 'durationDays',
        rule: expect.stringContaining("must not be after the supplier's contract end"),
      },
    ]);
    // By name, in another spelling: the same supplier, the same contract end.
    const byName = await grant({ supplier: { organisation: 'CONTRACT  MOVES LTD.' }, expiresAt: inDays(20) });
    expect(errorsOf(byName)).toEqual([{ field: 'expiresAt', rule: expect.stringContaining('contract end') }]);

    const existing = await addGrant(registry, { supplierId: id, id: crypto.randomUUID() });
    await provision(registry, existing, inDays(0));
    const extension = await call('POST', `/v1/grants/${existing.id}/extensions`, TOKENS.rita, {
      expiresAt: inDays(20),
      reason: 'overran',
    });
    expect(extension.statusCode).toBe(400);
    // An extension asked for before the contract end moved earlier is not approved past it.
    await registry.recordEvent({
      grantId: existing.id,
      seq: 3,
      type: 'extension-requested',
      at: inDays(0),
      actor: 'rob',
      patch: {
        status: 'extension-requested',
        pendingExtension: {
          expiresAt: inDays(20),
          reason: 'overran',
          requestedBy: 'rob',
          requestedAt: inDays(0),
        },
      },
    });
    const approval = await call('POST', `/v1/grants/${existing.id}/extensions/approve`, TOKENS.ada, {});
    expect(approval.statusCode).toBe(409);
    expect(approval.json().detail).toContain("after the supplier's contract end");
    expect(errorsOf(extension)).toEqual([
      { field: 'expiresAt', rule: expect.stringContaining('contract end') },
    ]);
  });

  it('keeps the canonical key: a legal name may change spelling only; null clears the contract end', async () => {
    const id = (
      await call('POST', '/v1/suppliers', TOKENS.rita, {
        legalName: 'Strasse Spelling',
        sponsor,
        contractEnd: inDays(5),
      })
    ).json().id as string;
    const respelt = await call('PATCH', `/v1/suppliers/${id}`, TOKENS.rita, {
      legalName: 'Straße Spelling',
      contractEnd: null,
    });
    expect(respelt.json()).toMatchObject({ legalName: 'Straße Spelling', key: 'strasse-spelling' });
    expect(respelt.json().contractEnd).toBeUndefined();
    const renamed = await call('PATCH', `/v1/suppliers/${id}`, TOKENS.rita, { legalName: 'Other Name' });
    expect(errorsOf(renamed)).toEqual([
      { field: 'legalName', rule: expect.stringContaining('strasse-spelling') },
    ]);
    expect(errorsOf(await call('PATCH', `/v1/suppliers/${id}`, TOKENS.rita, {}))).toEqual([
      { field: 'body', rule: 'must change at least one field' },
    ]);
    expect(
      errorsOf(await call('PATCH', `/v1/suppliers/${id}`, TOKENS.rita, { contractEnd: inDays(-1) })),
    ).toEqual([{ field: 'contractEnd', rule: 'must be in the future' }]);
    expect(
      (await call('PATCH', `/v1/suppliers/${crypto.randomUUID()}`, TOKENS.rita, { notes: 'x' })).statusCode,
    ).toBe(404);
  });
});

describe('a grant naming its supplier', () => {
  it('takes supplierId or supplier, exactly one; an unknown supplierId is a 400 naming it', async () => {
    const base = { provider: 'ldap', reason: 'boiler', durationDays: 7 };
    const unknown = await call('POST', '/v1/grants', TOKENS.rita, {
      ...base,
      supplierId: crypto.randomUUID(),
    });
    expect(errorsOf(unknown)).toEqual([{ field: 'supplierId', rule: 'must name a registered supplier' }]);
    const both = await call('POST', '/v1/grants', TOKENS.rita, {
      ...base,
      supplierId: crypto.randomUUID(),
      supplier: { organisation: 'Acme' },
    });
    expect(errorsOf(both)).toEqual([
      { field: 'supplierId', rule: 'give exactly one of supplierId and supplier' },
    ]);
    const malformed = await call('POST', '/v1/grants', TOKENS.rita, { ...base, supplierId: 'acme' });
    expect(errorsOf(malformed)).toEqual([{ field: 'supplierId', rule: 'must be a supplier id (a UUID)' }]);
  });

  it('documents the supplier routes, whose examples the schemas accept', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths['/v1/suppliers'])).toEqual(['post', 'get']);
    expect(Object.keys(doc.paths['/v1/suppliers/{id}'])).toEqual(['get', 'patch']);
    expect(doc.paths['/v1/suppliers'].post['x-required-role']).toBe('requester');
    expect(doc.paths['/v1/suppliers/{id}'].get['x-required-role']).toBe('auditor');
    expect(createSupplierSchema(Date.now).safeParse(SUPPLIER_EXAMPLES.create).success).toBe(true);
    expect(patchSupplierSchema(Date.now).safeParse(SUPPLIER_EXAMPLES.patch).success).toBe(true);
    const createBody = doc.paths['/v1/grants'].post.requestBody.content['application/json'].schema;
    expect(createBody.properties.supplierId).toMatchObject({ type: 'string', format: 'uuid' });
  });
});
