import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualDoorRecord } from '../../domain/manual-door.js';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { addGrant, at, DAY, end, HOUR, provision, T0 } from '../registry/grants.js';

const REQUESTER = 'requester-token-0123456789';
const ACME = '6f1c2d3e-4a5b-4c6d-8e7f-000000000001';
const BETA = '6f1c2d3e-4a5b-4c6d-8e7f-000000000002';
const ids = {
  account: '0b6f1f43-3c55-4c1e-9d9a-00000000000a',
  lend: '0b6f1f43-3c55-4c1e-9d9a-00000000000b',
  closed: '0b6f1f43-3c55-4c1e-9d9a-00000000000c',
  later: '0b6f1f43-3c55-4c1e-9d9a-00000000000d',
  manual: '0b6f1f43-3c55-4c1e-9d9a-00000000000e',
};

const zapier: ManualDoorRecord = {
  id: ids.manual,
  supplierId: BETA,
  what: 'Zapier connection to the CRM',
  where: 'zapier.com, team workspace',
  custodian: { name: 'carol' },
  until: at(10 * DAY),
  reason: 'lead import',
  requestedBy: 'rita',
  createdAt: at(2 * HOUR),
  status: 'open',
};

/** `GET /v1/doors`: one answer for every kind of door, by supplier, at an instant; and its CSV. */
describe('the open-doors answer', () => {
  let dataDir: string;
  let registry: RegistryStore;
  let app: FastifyInstance;
  const manualAsked: (string | undefined)[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'doors-api-'));
    registry = await openRegistry({ dataDir });
    for (const [id, legalName] of [
      [ACME, 'Acme Supplies inc.'],
      [BETA, 'Béta Conseil'],
    ] as const) {
      await registry.insertSupplier({
        id,
        legalName,
        key: legalName.toLowerCase(),
        contactEmails: [],
        sponsor: { name: 'sam' },
        createdBy: 'rita',
        createdAt: at(0),
        updatedAt: at(0),
      });
    }
    const account = await addGrant(registry, { id: ids.account, supplierId: ACME, organisation: 'ACME' });
    await provision(registry, account, at(HOUR));
    const lend = await addGrant(registry, {
      id: ids.lend,
      supplierId: ACME,
      door: 'lend',
      username: 'webadmin',
      sharedAccountId: '3d9a1c52-7e4b-4a0f-9c6d-2b8e5f1a7c30',
    });
    await provision(registry, lend, at(HOUR));
    const closed = await addGrant(registry, { id: ids.closed, supplierId: BETA });
    await provision(registry, closed, at(HOUR));
    await end(registry, closed, 'revoked', at(3 * HOUR), at(3 * HOUR));
    const later = await addGrant(registry, { id: ids.later, supplierId: BETA, createdAt: at(5 * HOUR) });
    await provision(registry, later, at(6 * HOUR));
    app = await buildApp({
      authenticator: new TokenAuthenticator([{ name: 'rita', roles: ['requester'], token: REQUESTER }]),
      // Only the registry's reads are called.
      service: {} as GrantService,
      registry,
      manualDoors: {
        liveManualDoors: async (activeAt) => {
          manualAsked.push(activeAt);
          return activeAt !== undefined && activeAt >= zapier.createdAt ? [zapier] : [];
        },
      },
      policy: { providers: ['ldap'], maxGrantDays: 90 },
      logger: createLogger('silent'),
      now: () => T0 + DAY,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await registry?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (url: string, token: string | undefined = REQUESTER) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('answers every open account grant, lend and manual door now, by supplier, with totals per kind', async () => {
    const answer = await get('/v1/doors');
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json();
    expect(body.activeAt).toBe(at(DAY));
    expect(manualAsked.at(-1)).toBe(at(DAY));
    expect(body.totals).toEqual({ account: 2, lend: 1, service: 0, manual: 1, total: 4 });
    expect(body.suppliers.map((s: { supplier: string }) => s.supplier)).toEqual([
      'Acme Supplies inc.',
      'Béta Conseil',
    ]);
    const [acme, beta] = body.suppliers;
    expect(acme.totals).toEqual({ account: 1, lend: 1, service: 0, manual: 0, total: 2 });
    expect(acme.doors.map((d: { kind: string; id: string }) => [d.kind, d.id])).toEqual([
      ['account', ids.account],
      ['lend', ids.lend],
    ]);
    expect(beta.totals).toEqual({ account: 1, lend: 0, service: 0, manual: 1, total: 2 });
    expect(beta.doors).toContainEqual(
      expect.objectContaining({
        kind: 'manual',
        id: ids.manual,
        what: zapier.what,
        where: zapier.where,
        custodian: 'carol',
        until: zapier.until,
        supplierId: BETA,
      }),
    );
    // The revoked grant's account was closed: not a door any more.
    expect(JSON.stringify(body)).not.toContain(ids.closed);
  });

  it('answers for an instant in the past, and for one supplier', async () => {
    const past = await get(`/v1/doors?activeAt=${encodeURIComponent(at(2 * HOUR))}`);
    expect(past.statusCode, past.body).toBe(200);
    expect(past.json().totals).toEqual({ account: 2, lend: 1, service: 0, manual: 1, total: 4 });
    expect(JSON.stringify(past.json())).toContain(ids.closed);
    expect(JSON.stringify(past.json())).not.toContain(ids.later);

    const beta = await get(`/v1/doors?supplierId=${BETA}`);
    expect(beta.json().totals).toEqual({ account: 1, lend: 0, service: 0, manual: 1, total: 2 });
    expect(beta.json().suppliers).toHaveLength(1);
  });

  it('gives one CSV row per open door', async () => {
    const answer = await get('/v1/doors.csv');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toContain('text/csv');
    expect(answer.headers['content-disposition']).toContain('supplier-access-doors-');
    const lines = answer.body.trim().split('\n');
    expect(lines[0]).toBe(
      'supplierId,supplier,kind,id,provider,account,what,where,custodian,status,since,until,requestedBy',
    );
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.includes(ids.manual))).toContain('manual');
    expect(lines.find((l) => l.includes(ids.lend))).toContain(`${ACME},Acme Supplies inc.,lend`);
  });

  it('refuses a malformed instant or supplier id, naming the field, and a caller without a token', async () => {
    const bad = await get('/v1/doors?activeAt=yesterday&supplierId=acme');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['activeAt', 'supplierId']);
    expect((await get('/v1/doors', '')).statusCode).toBe(401);
  });
});
