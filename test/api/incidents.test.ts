import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../domain/incident.js';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import { GrantService } from '../../src/api/grant-service.js';
import { INCIDENT_CSV_COLUMNS, INCIDENT_EXAMPLES } from '../../src/api/incident-routes.js';
import { liftBlockSchema, openIncidentSchema, patchIncidentSchema } from '../../src/api/incident-schemas.js';
import { IncidentService } from '../../src/api/incident-service.js';
import { ManualDoorService } from '../../src/api/manual-door-service.js';
import { SharedAccountService } from '../../src/api/shared-account-service.js';
import { SupplierService } from '../../src/api/supplier-service.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { inDays } from '../helpers/kit.js';
import type { JsonObject } from '../../src/api/json-schema.js';
import { DocumentValidator, undeclaredKeys } from './openapi-helpers.js';
import { addGrant, provision } from '../registry/grants.js';

const TOKENS = {
  rita: 'rita-requester-token-0123',
  alice: 'alice-approver-token-0123',
  audrey: 'audrey-auditor-token-0123',
  ada: 'ada-admin-token-012345678',
};

let dataDir: string;
let registry: RegistryStore;
let app: FastifyInstance;
let doc: JsonObject;
let validator: DocumentValidator;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'incidents-api-'));
  registry = await openRegistry({ dataDir });
  const suppliers = new SupplierService({ registry });
  // A lazy client that never connects: a request that reached Temporal would fail (500), not be refused (409).
  const client = new Client();
  const taskQueue = 'incidents-api-test';
  const grants = new GrantService({
    client,
    registry,
    suppliers,
    taskQueue,
    accountPrefix: 'sup-',
    maxGrantDays: 90,
    usernameLimits: new Map([['ldap', 64]]),
  });
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'rita', roles: ['requester'], token: TOKENS.rita },
      { name: 'alice', roles: ['approver'], token: TOKENS.alice },
      { name: 'audrey', roles: ['auditor'], token: TOKENS.audrey },
      { name: 'ada', roles: ['admin'], token: TOKENS.ada },
    ]),
    service: grants,
    suppliers,
    sharedAccounts: new SharedAccountService({
      registry,
      grants,
      client,
      taskQueue,
      lookupAccount: () => Promise.reject(new Error('no directory in this test')),
      sealer: {
        seal: () => Promise.reject(new Error('unused')),
        open: () => Promise.reject(new Error('unused')),
      },
    }),
    manualDoors: new ManualDoorService({ registry, suppliers, client, taskQueue, reminderLeadsMs: [] }),
    incidents: new IncidentService({ registry, client, taskQueue, answerWithinMs: 1_000 }),
    registry,
    policy: { providers: ['ldap'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    rateLimitPerMinute: 0,
  });
  await app.ready();
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  validator = new DocumentValidator(doc);
});

/** The answer's body matches the document's component, and has no member the document does not name. */
function expectDocumented(response: { statusCode: number; body: string }, component: string): void {
  const body = JSON.parse(response.body) as unknown;
  const check = validator.component(component);
  expect(check(body), JSON.stringify(check.errors)).toBe(true);
  expect(undeclaredKeys(doc, { $ref: `#/components/schemas/${component}` }, body)).toEqual([]);
}

afterAll(async () => {
  await app?.close();
  await registry?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const call = (method: Method, url: string, who: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${who}`,
      ...(payload ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload ? { payload } : {}),
  });

/** Each failing field with its rule, as `field: rule`. */
const errorsOf = (response: { json(): unknown }) =>
  ((response.json() as { errors?: { field: string; rule: string }[] }).errors ?? []).map(
    (e) => `${e.field}: ${e.rule}`,
  );

const ago = (days: number) => inDays(-days);

async function addSupplier(legalName: string): Promise<string> {
  const added = await call('POST', '/v1/suppliers', TOKENS.rita, {
    legalName,
    sponsor: { name: 'Sam Sponsor', email: 'sam@corp.example' },
    contactEmails: ['it@supplier.example'],
  });
  expect(added.statusCode, added.body).toBe(201);
  return added.json<{ id: string }>().id;
}

/** Blocks a supplier as an opening does, through the register itself: this file runs no workflow. */
async function block(supplierId: string, legalName: string): Promise<string> {
  const at = new Date().toISOString();
  const record: IncidentRecord = {
    id: randomUUID(),
    supplierId,
    supplierName: legalName,
    reason: 'Supplier reports a breach',
    discoveredAt: at,
    doors: 'closing',
    createdBy: 'ada',
    createdAt: at,
    updatedAt: at,
    revision: 0,
  };
  const opened = await registry.openIncident(record, []);
  expect(opened).toHaveProperty('incident');
  // Nothing to close: its workflow would say so at once.
  await registry.markIncidentDoorsClosed(record.id, at);
  return record.id;
}

/** An internal incident, opened through the API. */
async function createIncident(body: object = {}): Promise<Record<string, any>> {
  const created = await call('POST', '/v1/incidents', TOKENS.ada, {
    reason: 'Clerk account used from abroad',
    discoveredAt: ago(1),
    ...body,
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json();
}

/** RFC 4180, strictly: a malformed quote throws, so the test reads the export as a spreadsheet would. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
      if (![',', '\n', '\r', undefined].includes(text[i + 1])) throw new Error(`stray quote at ${i}`);
    } else if (quoted) {
      cell += c;
    } else if (c === '"') {
      if (cell !== '') throw new Error(`quote inside an unquoted cell at ${i}`);
      quoted = true;
    } else if (c === ',') {
      endCell();
    } else if (c === '\n') {
      endCell();
      rows.push(row);
      row = [];
    } else if (c !== '\r') {
      cell += c;
    }
  }
  if (quoted) throw new Error('unterminated quoted cell');
  if (cell !== '' || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}

describe('the documented examples', () => {
  it('are accepted by the schemas they illustrate', () => {
    const now = () => Date.parse('2026-12-03T00:00:00Z');
    expect(openIncidentSchema(now).safeParse(INCIDENT_EXAMPLES.open).success).toBe(true);
    expect(openIncidentSchema(now).safeParse(INCIDENT_EXAMPLES.create).success).toBe(true);
    expect(patchIncidentSchema(now).safeParse(INCIDENT_EXAMPLES.patch).success).toBe(true);
    expect(liftBlockSchema.safeParse(INCIDENT_EXAMPLES.lift).success).toBe(true);
  });
});

describe('bad input is refused, naming the field and the rule', () => {
  let supplierId: string;
  beforeAll(async () => {
    supplierId = await addSupplier('Validation Plomberie inc.');
  });

  it.each([
    ['a discovery in the future', { discoveredAt: inDays(1) }, 'discoveredAt: must not be in the future'],
    [
      'a period that ends before it starts',
      { occurredFrom: ago(2), occurredUntil: ago(3) },
      'occurredUntil: must not be before occurredFrom',
    ],
    ['no reason', { reason: undefined }, 'reason: is required'],
    ['a discovery that is no instant', { discoveredAt: 'yesterday' }, 'discoveredAt: must be an ISO-8601'],
    ['a negative count of persons', { personsConcerned: -1 }, 'personsConcerned: must be at least 0'],
    ['a fraction of a person', { personsConcerned: 1.5 }, 'personsConcerned: must be a whole number'],
    ['a risk that is not a yes or no', { seriousRisk: 'yes' }, 'seriousRisk: must be true or false'],
    ['an unknown field', { severity: 'high' }, 'severity: unknown field'],
  ])('opening with %s', async (_what, change, rule) => {
    const body = { reason: 'Breach', discoveredAt: ago(1), ...change };
    for (const url of [`/v1/suppliers/${supplierId}/incident`, '/v1/incidents']) {
      const refused = await call('POST', url, TOKENS.ada, body);
      expect(refused.statusCode, url).toBe(400);
      expect(errorsOf(refused).join('\n'), url).toContain(rule);
    }
    // Nothing was opened, nothing blocked.
    expect((await registry.getSupplier(supplierId))?.block).toBeUndefined();
    expect((await registry.listIncidents({ supplierId, limit: 10 })).incidents).toEqual([]);
  });

  it('an unknown supplier is a 404, a malformed id a 400', async () => {
    const body = { reason: 'Breach', discoveredAt: ago(1) };
    const unknown = await call('POST', `/v1/suppliers/${randomUUID()}/incident`, TOKENS.ada, body);
    expect(unknown.statusCode).toBe(404);
    const malformed = await call('POST', '/v1/suppliers/not-an-id/incident', TOKENS.ada, body);
    expect(errorsOf(malformed)).toEqual(['id: must be a supplier id (a UUID)']);
  });

  it('a change that ends the period before the start on record names occurredUntil', async () => {
    const { incident } = await createIncident({ occurredFrom: ago(5) });
    const refused = await call('PATCH', `/v1/incidents/${incident.id}`, TOKENS.ada, {
      occurredUntil: ago(6),
    });
    expect(refused.statusCode).toBe(400);
    expect(errorsOf(refused)[0]).toMatch(/^occurredUntil: must not be before occurredFrom/);
    for (const [body, rule] of [
      [{}, 'body: must change at least one field'],
      [{ reason: null }, 'reason: '],
      [{ discoveredAt: inDays(2) }, 'discoveredAt: must not be in the future'],
    ] as const) {
      const bad = await call('PATCH', `/v1/incidents/${incident.id}`, TOKENS.ada, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorsOf(bad).join('\n')).toContain(rule);
    }
    const unchanged = await call('GET', `/v1/incidents/${incident.id}`, TOKENS.audrey);
    expect(unchanged.json().incident.revision).toBe(0);
  });

  it('listing filters are checked', async () => {
    const bad = await call('GET', '/v1/incidents?discoveredFrom=soon&limit=0', TOKENS.audrey);
    expect(errorsOf(bad).sort()).toEqual([
      'discoveredFrom: must be an ISO-8601 instant with Z or an offset',
      'limit: must be at least 1',
    ]);
  });
});

describe('who may do what with the register', () => {
  let id: string;
  let supplierId: string;
  beforeAll(async () => {
    id = (await createIncident()).incident.id;
    supplierId = await addSupplier('Roles Électrique ltée');
  });

  it.each([
    ['rita the requester', TOKENS.rita],
    ['alice the approver', TOKENS.alice],
  ])('%s cannot read the register nor export it', async (_who, token) => {
    for (const url of ['/v1/incidents', `/v1/incidents/${id}`, '/v1/incidents.csv', '/v1/incidents.json']) {
      const refused = await call('GET', url, token);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json().detail).toContain('read the confidentiality-incident register');
    }
  });

  it('the auditor reads and exports it, but cannot open, change or unblock', async () => {
    for (const url of ['/v1/incidents', `/v1/incidents/${id}`, '/v1/incidents.csv', '/v1/incidents.json'])
      expect((await call('GET', url, TOKENS.audrey)).statusCode, url).toBe(200);
    const body = { reason: 'Breach', discoveredAt: ago(1) };
    for (const [method, url, payload] of [
      ['POST', '/v1/incidents', body],
      ['POST', `/v1/suppliers/${supplierId}/incident`, body],
      ['PATCH', `/v1/incidents/${id}`, { measures: 'none' }],
      ['DELETE', `/v1/suppliers/${supplierId}/block`, { reason: 'over' }],
    ] as const) {
      const refused = await call(method, url, TOKENS.audrey, payload);
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await registry.listIncidents({ supplierId, limit: 10 })).incidents).toEqual([]);
  });
});

describe('an incident without a supplier', () => {
  it('is an entry of the same register that closes nothing', async () => {
    const detail = await createIncident({ circumstances: 'Internal account accounting-clerk' });
    expect(detail.incident).toMatchObject({ doors: 'none', createdBy: 'ada', revision: 0 });
    expect(detail.incident.supplierId).toBeUndefined();
    expect(detail.doors).toEqual([]);
    expect(detail.heldDoors).toEqual([]);
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(['opened']);
    const kept = new Date(detail.incident.discoveredAt);
    kept.setUTCFullYear(kept.getUTCFullYear() + 5);
    expect(detail.keepUntil).toBe(kept.toISOString());
  });
});

describe('completing an entry', () => {
  it('keeps every change with who made it, the value before and after', async () => {
    const { incident } = await createIncident({ occurredFrom: ago(4) });
    const url = `/v1/incidents/${incident.id}`;
    const first = await call('PATCH', url, TOKENS.ada, { personsConcerned: 10, measures: 'Passwords reset' });
    expect(first.statusCode, first.body).toBe(200);
    const second = await call('PATCH', url, TOKENS.ada, {
      personsConcerned: 12,
      seriousRisk: true,
      occurredFrom: null,
      commissionNotifiedAt: '2026-12-01T10:00:00-05:00',
    });
    expect(second.statusCode, second.body).toBe(200);
    const detail = second.json();
    expect(detail.incident).toMatchObject({
      personsConcerned: 12,
      seriousRisk: true,
      measures: 'Passwords reset',
      commissionNotifiedAt: '2026-12-01T15:00:00.000Z',
      revision: 2,
    });
    expect(detail.incident.occurredFrom).toBeUndefined();
    const updates = detail.events.filter((e: { type: string }) => e.type === 'updated');
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({
      actor: 'ada',
      changes: { personsConcerned: { from: null, to: 10 }, measures: { from: null, to: 'Passwords reset' } },
    });
    expect(updates[1].changes).toMatchObject({
      personsConcerned: { from: 10, to: 12 },
      seriousRisk: { from: null, to: true },
      occurredFrom: { from: incident.occurredFrom, to: null },
    });
    // The entry as read back says the same, as the document describes it.
    const read = await call('GET', url, TOKENS.audrey);
    expect(read.json()).toEqual(detail);
    expectDocumented(read, 'IncidentDetail');
  });

  it('an unknown incident is a 404', async () => {
    const missing = await call('PATCH', `/v1/incidents/${randomUUID()}`, TOKENS.ada, { measures: 'x' });
    expect(missing.statusCode).toBe(404);
    expect((await call('GET', `/v1/incidents/${randomUUID()}`, TOKENS.audrey)).statusCode).toBe(404);
  });
});

/** What the JSON export holds, as far as these tests read it. */
interface Exported {
  exportedAt: string;
  incidents: { incident: { id: string }; [member: string]: unknown }[];
}

describe('the exports', () => {
  let supplierId: string;
  let withSupplier: string;
  let hostile: string;
  beforeAll(async () => {
    supplierId = await addSupplier('Export Toitures inc.');
    withSupplier = await block(supplierId, 'Export Toitures inc.');
    hostile = (
      await createIncident({
        reason: '=HYPERLINK("http://evil.example","click")',
        circumstances: 'Two lines,\nwith "quotes", and a comma',
        personsConcerned: 3,
        seriousRisk: false,
        discoveredAt: ago(40),
      })
    ).incident.id;
  });

  it('CSV: one row per entry, the Law 25 fields as columns, safe in a spreadsheet', async () => {
    const answer = await call('GET', '/v1/incidents.csv', TOKENS.audrey);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/csv/);
    expect(answer.headers['content-disposition']).toMatch(/attachment; filename="supplier-access-incidents-/);
    const [header, ...rows] = parseCsv(answer.body);
    expect(header).toEqual([...INCIDENT_CSV_COLUMNS]);
    for (const row of rows) expect(row).toHaveLength(header!.length);
    const column = (row: string[], name: string) => row[header!.indexOf(name)];
    const row = rows.find((r) => r[0] === hostile)!;
    expect(column(row, 'reason')).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(column(row, 'circumstances')).toBe('Two lines,\nwith "quotes", and a comma');
    expect(column(row, 'personsConcerned')).toBe('3');
    expect(column(row, 'seriousRisk')).toBe('false');
    expect(column(row, 'supplier')).toBe('');
    expect(column(row, 'doors')).toBe('none');
    expect(column(row, 'keepUntil')).toMatch(/^\d{4}-/);
    const supplierRow = rows.find((r) => r[0] === withSupplier)!;
    expect(column(supplierRow, 'supplier')).toBe('Export Toitures inc.');
    expect(column(supplierRow, 'supplierId')).toBe(supplierId);
    expect(column(supplierRow, 'doorCount')).toBe('0');
    expect(column(supplierRow, 'doorsClosedAt')).toMatch(/^\d{4}-/);
  });

  it('JSON: every entry in full, with the same filters', async () => {
    const all = await call('GET', '/v1/incidents.json', TOKENS.audrey);
    expect(all.statusCode).toBe(200);
    expectDocumented(all, 'IncidentExport');
    const parsed = JSON.parse(all.body) as Exported;
    expect(Date.parse(parsed.exportedAt)).not.toBeNaN();
    const ids = parsed.incidents.map((d) => d.incident.id);
    expect(ids).toContain(hostile);
    expect(ids).toContain(withSupplier);
    for (const detail of parsed.incidents)
      expect(Object.keys(detail).sort()).toEqual(['doors', 'events', 'heldDoors', 'incident', 'keepUntil']);

    const ofSupplier = (
      await call('GET', `/v1/incidents.json?supplierId=${supplierId}`, TOKENS.audrey)
    ).json<Exported>();
    expect(ofSupplier.incidents.map((d) => d.incident.id)).toEqual([withSupplier]);
    const recent = await call('GET', `/v1/incidents.csv?discoveredFrom=${ago(30)}`, TOKENS.audrey);
    expect(recent.body).not.toContain(hostile);
    expect(recent.body).toContain(withSupplier);
    const older = (
      await call('GET', `/v1/incidents.json?discoveredBefore=${ago(30)}`, TOKENS.audrey)
    ).json<Exported>();
    expect(older.incidents.map((d) => d.incident.id)).toEqual([hostile]);
  });

  it('the listing pages the same register', async () => {
    const page = await call('GET', '/v1/incidents?limit=1', TOKENS.audrey);
    expectDocumented(page, 'IncidentPage');
    const first = page.json();
    expect(first.incidents).toHaveLength(1);
    const next = (
      await call('GET', `/v1/incidents?limit=1&cursor=${first.nextCursor}`, TOKENS.audrey)
    ).json();
    expect(next.incidents[0].id).not.toBe(first.incidents[0].id);
  });
});

describe("a blocked supplier's doors", () => {
  const legalName = 'Bloquée Chauffage & Fils inc.';
  let supplierId: string;
  let incidentId: string;
  let grantId: string;
  let sharedAccountId: string;
  const expiresAt = inDays(5);

  beforeAll(async () => {
    supplierId = await addSupplier(legalName);
    // A grant of the supplier from before the incident, live, with an extension pending.
    const grant = await addGrant(registry, {
      id: randomUUID(),
      supplierId,
      organisation: legalName,
      createdAt: ago(2),
      expiresAt,
    });
    await provision(registry, grant, ago(2));
    grantId = grant.id;
    sharedAccountId = randomUUID();
    await registry.insertSharedAccount({
      id: sharedAccountId,
      provider: 'ldap',
      account: { username: 'website-admin', externalId: 'uid=website-admin', displayName: 'Website admin' },
      label: 'Website admin',
      custodian: { name: 'carol' },
      createdBy: 'ada',
      createdAt: ago(3),
      updatedAt: ago(3),
    });
    incidentId = await block(supplierId, legalName);
  });

  it('the supplier shows its block', async () => {
    const answer = await call('GET', `/v1/suppliers/${supplierId}`, TOKENS.rita);
    expectDocumented(answer, 'SupplierWithGrants');
    const supplier = answer.json();
    expect(supplier.block).toMatchObject({ incidentId, by: 'ada' });
    expect(Date.parse(supplier.block.since)).not.toBeNaN();
  });

  const blocked = (response: { statusCode: number; body: string; json(): any }) => {
    expect(response.statusCode).toBe(409);
    expectDocumented(response, 'Problem');
    expect(response.json()).toMatchObject({
      incidentId,
      detail: `supplier ${legalName} is blocked by incident ${incidentId}; an admin must lift the block first`,
    });
  };

  it('refuses every kind of new door before anything is started, by id or by name', async () => {
    const grant = { provider: 'ldap', durationDays: 7, reason: 'Boiler' };
    blocked(await call('POST', '/v1/grants', TOKENS.rita, { ...grant, supplierId }));
    // Another spelling of the same legal name is the same supplier.
    blocked(
      await call('POST', '/v1/grants', TOKENS.rita, {
        ...grant,
        supplier: { organisation: 'BLOQUEE CHAUFFAGE AND FILS INC' },
      }),
    );
    blocked(await call('POST', '/v1/grants', TOKENS.rita, { ...grant, supplierId, kind: 'service' }));
    blocked(
      await call('POST', `/v1/shared-accounts/${sharedAccountId}/lends`, TOKENS.rita, {
        supplierId,
        durationDays: 2,
        reason: 'Theme upgrade',
      }),
    );
    blocked(
      await call('POST', '/v1/manual-doors', TOKENS.rita, {
        supplierId,
        what: 'Zapier connection',
        where: 'zapier.com',
        custodian: { name: 'carol' },
        durationDays: 10,
        reason: 'CRM import',
      }),
    );
    // Nothing was recorded: only the grant from before.
    const grants = await registry.listGrants({ supplierId, limit: 10 });
    expect(grants.grants.map((g) => g.id)).toEqual([grantId]);
    expect((await registry.listManualDoors({ supplierId, limit: 10 })).manualDoors).toEqual([]);
    expect(await registry.liveLendOf(sharedAccountId)).toBeNull();
  });

  it('refuses to extend its doors, asked or approved', async () => {
    blocked(
      await call('POST', `/v1/grants/${grantId}/extensions`, TOKENS.rita, {
        expiresAt: inDays(20),
        reason: 'More work',
      }),
    );
    blocked(await call('POST', `/v1/grants/${grantId}/extensions/approve`, TOKENS.alice));
    expect((await registry.getGrant(grantId))?.expiresAt).toBe(expiresAt);
  });

  it('a second incident names the one that holds the block', async () => {
    const again = await call('POST', `/v1/suppliers/${supplierId}/incident`, TOKENS.ada, {
      reason: 'Again',
      discoveredAt: ago(0),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().incidentId).toBe(incidentId);
    expect((await registry.listIncidents({ supplierId, limit: 10 })).incidents).toHaveLength(1);
  });

  it('an admin lifts the block, recorded on the incident; lifting it twice is a 409', async () => {
    const missing = await call('DELETE', `/v1/suppliers/${supplierId}/block`, TOKENS.ada, {});
    expect(errorsOf(missing)).toEqual(['reason: is required']);
    const lifted = await call('DELETE', `/v1/suppliers/${supplierId}/block`, TOKENS.ada, {
      reason: 'Audit passed',
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expectDocumented(lifted, 'Supplier');
    expect(lifted.json()).toMatchObject({ id: supplierId, legalName });
    expect(lifted.json().block).toBeUndefined();
    const events = (await call('GET', `/v1/incidents/${incidentId}`, TOKENS.audrey)).json().events;
    expect(events.at(-1)).toMatchObject({
      type: 'block-lifted',
      actor: 'ada',
      details: { reason: 'Audit passed' },
    });
    expect(events.map((e: { type: string }) => e.type)).toContain('supplier-blocked');
    const twice = await call('DELETE', `/v1/suppliers/${supplierId}/block`, TOKENS.ada, { reason: 'again' });
    expect(twice.statusCode).toBe(409);
    expect((await call('GET', `/v1/suppliers/${supplierId}`, TOKENS.rita)).json().block).toBeUndefined();
  });
});
