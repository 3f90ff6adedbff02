import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ManualDoorRecord } from '../../domain/manual-door.js';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import { addGrant, at, DAY, end, HOUR, provision, T0 } from '../registry/grants.js';

export const REQUESTER = 'requester-token-0123456789';
export const ACME = '6f1c2d3e-4a5b-4c6d-8e7f-000000000001';
export const BETA = '6f1c2d3e-4a5b-4c6d-8e7f-000000000002';
export const ids = {
  account: '0b6f1f43-3c55-4c1e-9d9a-00000000000a',
  lend: '0b6f1f43-3c55-4c1e-9d9a-00000000000b',
  closed: '0b6f1f43-3c55-4c1e-9d9a-00000000000c',
  later: '0b6f1f43-3c55-4c1e-9d9a-00000000000d',
  manual: '0b6f1f43-3c55-4c1e-9d9a-00000000000e',
};

/** A manual door of Béta's, recorded two hours in. */
export const zapier: ManualDoorRecord = {
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

/** The API over a registry (SQLite) holding doors of every kind, its clock a day after `T0`. */
export interface DoorsApp {
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Acme: an account grant and a lend, both provisioned an hour in. Béta: a grant revoked and closed three hours in, a
 * grant provisioned six hours in, and the manual door `zapier`.
 */
export async function startDoorsApp(): Promise<DoorsApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'doors-api-'));
  const registry = await openRegistry({ dataDir });
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
  await end(registry, closed, at(3 * HOUR), 'revoked');
  const later = await addGrant(registry, { id: ids.later, supplierId: BETA, createdAt: at(5 * HOUR) });
  await provision(registry, later, at(6 * HOUR));
  await registry.insertManualDoor(zapier);
  const app = await buildApp({
    authenticator: new TokenAuthenticator([{ name: 'rita', roles: ['requester'], token: REQUESTER }]),
    // Only the registry's reads are called.
    service: {} as GrantService,
    registry,
    policy: { providers: ['ldap'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    rateLimitPerMinute: 0,
    now: () => T0 + DAY,
  });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await registry.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
