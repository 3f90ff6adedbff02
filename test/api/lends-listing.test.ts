import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { addGrant, at, HOUR, provision } from '../registry/grants.js';

const AUDITOR = 'auditor-token-0123456789ab';
const SHARED_ID = '3d9a1c52-7e4b-4a0f-9c6d-2b8e5f1a7c30';

/** The registry's listing, grant view and CSV tell lends of shared accounts from accounts made for suppliers. */
describe('lends in the registry through the API', () => {
  let dataDir: string;
  let registry: RegistryStore;
  let app: FastifyInstance;
  const lendId = '0b6f1f43-3c55-4c1e-9d9a-000000000001';
  const accountId = '0b6f1f43-3c55-4c1e-9d9a-000000000002';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lends-api-'));
    registry = await openRegistry({ dataDir });
    const lend = await addGrant(registry, {
      id: lendId,
      username: 'webadmin',
      door: 'lend',
      sharedAccountId: SHARED_ID,
      createdAt: at(2),
    });
    await provision(registry, lend, at(HOUR));
    await addGrant(registry, { id: accountId, createdAt: at(1) });
    app = await buildApp({
      authenticator: new TokenAuthenticator([{ name: 'audrey', roles: ['auditor'], token: AUDITOR }]),
      // Only the registry's reads are called.
      service: {} as GrantService,
      registry,
      policy: { providers: ['ldap'], maxGrantDays: 90 },
      logger: createLogger('silent'),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await registry?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${AUDITOR}` } });

  it('lists the lends alone with door=lend, each naming its shared account', async () => {
    const lends = await get('/v1/grants?door=lend');
    expect(lends.statusCode, lends.body).toBe(200);
    expect(lends.json().grants).toEqual([
      expect.objectContaining({ id: lendId, door: 'lend', sharedAccountId: SHARED_ID }),
    ]);
    const accounts = await get('/v1/grants?door=account');
    expect(accounts.json().grants).toEqual([expect.objectContaining({ id: accountId, door: 'account' })]);
    expect(accounts.json().grants[0]).not.toHaveProperty('sharedAccountId');
    const ofShared = await get(`/v1/grants?sharedAccountId=${SHARED_ID}`);
    expect(ofShared.json().grants.map((g: { id: string }) => g.id)).toEqual([lendId]);
    expect((await get(`/v1/grants/${lendId}`)).json()).toMatchObject({
      door: 'lend',
      sharedAccountId: SHARED_ID,
    });
  });

  it('refuses an unknown door, naming the field and the doors there are', async () => {
    const response = await get('/v1/grants?door=window');
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: 'door', rule: expect.stringContaining('account, lend') }),
    ]);
    expect((await get('/v1/grants?sharedAccountId=nope')).json().errors).toEqual([
      expect.objectContaining({ field: 'sharedAccountId' }),
    ]);
  });

  it('adds the door and the shared account as the CSV’s last columns', async () => {
    const response = await get('/v1/registry.csv');
    expect(response.statusCode).toBe(200);
    const [header, ...rows] = response.body
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    expect(header?.slice(-3)).toEqual(['supplierId', 'door', 'sharedAccountId']);
    const byId = new Map(rows.map((row) => [row[0], row.slice(-2)]));
    expect(byId.get(lendId)).toEqual(['lend', SHARED_ID]);
    expect(byId.get(accountId)).toEqual(['account', '']);
  });
});
