import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualDoorRecord } from '../../domain/manual-door.js';
import { supplierKey } from '../../domain/naming.js';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import { GrantService } from '../../src/api/grant-service.js';
import { MANUAL_DOOR_EXAMPLES } from '../../src/api/manual-door-routes.js';
import { attestSchema, createManualDoorSchema } from '../../src/api/manual-door-schemas.js';
import { ManualDoorService } from '../../src/api/manual-door-service.js';
import { SupplierService } from '../../src/api/supplier-service.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { inDays } from '../helpers/kit.js';

/** Carol is the custodian of the doors below: her token is an auditor's, her attestation is by name. */
const TOKENS = {
  rita: 'rita-requester-token-0123',
  audrey: 'audrey-auditor-token-0123',
  ada: 'ada-admin-token-012345678',
  carol: 'carol-custodian-token-012',
};

let dataDir: string;
let registry: RegistryStore;
let app: FastifyInstance;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'manual-doors-api-'));
  registry = await openRegistry({ dataDir });
  const suppliers = new SupplierService({ registry });
  // A lazy client that never connects: every request below is answered before a workflow would start.
  const client = new Client();
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'rita', roles: ['requester'], token: TOKENS.rita },
      { name: 'audrey', roles: ['auditor'], token: TOKENS.audrey },
      { name: 'ada', roles: ['admin'], token: TOKENS.ada },
      { name: 'carol', roles: ['auditor'], token: TOKENS.carol },
    ]),
    service: new GrantService({
      client,
      registry,
      suppliers,
      taskQueue: 'manual-doors-api-test',
      accountPrefix: 'sup-',
      maxGrantDays: 90,
      usernameLimits: new Map([['ldap', 64]]),
    }),
    suppliers,
    manualDoors: new ManualDoorService({
      registry,
      suppliers,
      client,
      taskQueue: 'manual-doors-api-test',
      reminderLeadsMs: [],
    }),
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

const call = (method: 'GET' | 'POST', url: string, who: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${who}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    ...(payload ? { payload } : {}),
  });

const fieldsOf = (response: { json(): unknown }) =>
  ((response.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

const valid = {
  supplier: { organisation: 'Acme Doors' },
  what: 'Zapier connection to the CRM',
  where: 'zapier.com',
  custodian: { name: 'carol', email: 'carol@corp.example' },
  durationDays: 10,
  reason: 'lead import',
};

/** A door recorded straight in the registry, as its workflow would have, for a supplier of its own. */
async function recordedDoor(legalName: string, overrides: Partial<ManualDoorRecord> = {}) {
  const now = new Date().toISOString();
  const supplier = await registry.insertSupplier({
    id: randomUUID(),
    legalName,
    key: supplierKey(legalName),
    contactEmails: [],
    sponsor: { name: 'sam' },
    createdBy: 'rita',
    createdAt: now,
    updatedAt: now,
  });
  return registry.insertManualDoor({
    id: randomUUID(),
    supplierId: supplier.id,
    what: 'Webhook at the hosting provider',
    where: 'hosting.example',
    custodian: { name: 'carol' },
    until: inDays(5),
    reason: 'deploys',
    requestedBy: 'rita',
    createdAt: now,
    status: 'open',
    ...overrides,
  });
}

describe('manual doors through the API', () => {
  it('documents examples its schemas accept', () => {
    const policy = { providers: ['ldap' as const], maxGrantDays: 90 };
    expect(createManualDoorSchema(policy, Date.now).safeParse(MANUAL_DOOR_EXAMPLES.create).success).toBe(
      true,
    );
    expect(attestSchema.safeParse(MANUAL_DOOR_EXAMPLES.attest).success).toBe(true);
  });

  it('refuses a bad door naming each field and its rule, and records nothing', async () => {
    const cases: [object, string[], RegExp][] = [
      [{ ...valid, what: undefined }, ['what'], /what/],
      [{ ...valid, durationDays: 91 }, ['durationDays'], /MAX_GRANT_DAYS \(90\)/],
      [{ ...valid, durationDays: undefined, until: inDays(-1) }, ['until'], /must be in the future/],
      [{ ...valid, until: inDays(3) }, ['until'], /exactly one of until and durationDays/],
      [{ ...valid, supplierId: randomUUID() }, ['supplierId'], /exactly one of supplierId and supplier/],
      [{ ...valid, custodian: { name: 'carol', email: 'nope' } }, ['custodian.email'], /e-mail/],
      [{ ...valid, colour: 'red' }, [''], /colour/],
    ];
    for (const [body, fields, rule] of cases) {
      const answer = await call('POST', '/v1/manual-doors', TOKENS.rita, body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(answer).join(',')).toContain(fields[0]);
      expect(answer.json().detail).toMatch(rule);
    }
    expect((await registry.listManualDoors({ limit: 10 })).manualDoors.map((d) => d.what)).not.toContain(
      valid.what,
    );
  });

  it("refuses a door past the supplier's contract end, naming the field", async () => {
    const end = inDays(5);
    await call('POST', '/v1/suppliers', TOKENS.rita, {
      legalName: 'Short Contract Ltd',
      contactEmails: ['desk@short.example'],
      sponsor: { name: 'sam' },
      contractEnd: end,
    });
    const answer = await call('POST', '/v1/manual-doors', TOKENS.rita, {
      ...valid,
      supplier: { organisation: 'Short Contract Ltd' },
    });
    expect(answer.statusCode).toBe(400);
    expect(fieldsOf(answer)).toEqual(['durationDays']);
    expect(answer.json().detail).toContain("supplier's contract end");
  });

  it('lets requesters record doors, anyone read them, and only the custodian or an admin attest them', async () => {
    expect((await call('POST', '/v1/manual-doors', TOKENS.audrey, valid)).statusCode).toBe(403);
    expect((await call('POST', '/v1/manual-doors', 'no-such-token-0123456789', valid)).statusCode).toBe(401);
    const door = await recordedDoor('Roles Hosting');
    const shown = await call('GET', `/v1/manual-doors/${door.id}`, TOKENS.audrey);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      id: door.id,
      status: 'open',
      events: [{ type: 'created', actor: 'rita' }],
    });

    const byRequester = await call('POST', `/v1/manual-doors/${door.id}/attest`, TOKENS.rita, {
      note: 'done',
    });
    expect(byRequester.statusCode).toBe(403);
    expect(byRequester.json().detail).toContain('custodian (carol) or an admin');
    expect((await registry.getManualDoor(door.id))?.status).toBe('open');

    const closed = await recordedDoor('Closed Hosting');
    await registry.closeManualDoor(closed.id, { actor: 'carol', at: new Date().toISOString() });
    const again = await call('POST', `/v1/manual-doors/${closed.id}/attest`, TOKENS.ada, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('already attested closed by carol');

    expect((await call('GET', `/v1/manual-doors/${randomUUID()}`, TOKENS.audrey)).statusCode).toBe(404);
    const badId = await call('GET', '/v1/manual-doors/not-a-uuid', TOKENS.audrey);
    expect(badId.statusCode).toBe(400);
    expect(badId.json().detail).toContain('must be a manual door id');
  });

  it('lists doors by status, supplier and the instant they were open at; a supplier page shows its doors', async () => {
    const open = await recordedDoor('Listed Hosting');
    const closed = await recordedDoor('Listed Closed Hosting');
    await registry.closeManualDoor(closed.id, {
      actor: 'carol',
      at: new Date(Date.now() + 1000).toISOString(),
    });
    const list = async (query: string) =>
      (
        (await call('GET', `/v1/manual-doors?${query}`, TOKENS.audrey)).json().manualDoors as { id: string }[]
      ).map((d) => d.id);
    expect(await list(`supplierId=${open.supplierId}`)).toEqual([open.id]);
    expect(await list('status=closed')).toContain(closed.id);
    expect(await list('status=closed')).not.toContain(open.id);
    const later = await list(`activeAt=${encodeURIComponent(inDays(1))}`);
    expect(later).toContain(open.id);
    expect(later).not.toContain(closed.id);
    const bad = await call('GET', '/v1/manual-doors?status=ajar', TOKENS.audrey);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('status: must be one of: open, overdue, closed');

    const page = await call('GET', `/v1/suppliers/${open.supplierId}`, TOKENS.audrey);
    expect(page.json().manualDoors).toEqual([expect.objectContaining({ id: open.id, what: open.what })]);
  });
});
