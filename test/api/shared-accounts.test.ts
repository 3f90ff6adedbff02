import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import { GrantService } from '../../src/api/grant-service.js';
import { LEND_EXAMPLES } from '../../src/api/lend-routes.js';
import { SHARED_ACCOUNT_EXAMPLES } from '../../src/api/shared-account-routes.js';
import {
  createSharedAccountSchema,
  lendSchema,
  patchSharedAccountSchema,
} from '../../src/api/shared-account-schemas.js';
import { SharedAccountService } from '../../src/api/shared-account-service.js';
import { SupplierService } from '../../src/api/supplier-service.js';
import { EncryptionCodec, generateKeySpec, parseEncryptionKeys } from '../../src/codec.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { createSealer, type CredentialSealer } from '../../src/sealing.js';
import { createOktaProvider } from '../../providers/okta/index.js';
import type { IdentityProvider } from '../../providers/types.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { inDays, token } from '../helpers/kit.js';
import { addGrant, provision } from '../registry/grants.js';

/** Carol owns the shared accounts: her token is an auditor's, her claim is by name, not by role. */
const TOKENS = {
  rita: 'rita-requester-token-0123',
  rob: 'rob-requester-token-01234',
  alice: 'alice-approver-token-0123',
  audrey: 'audrey-auditor-token-0123',
  ada: 'ada-admin-token-012345678',
  carol: 'carol-custodian-token-012',
};

const DOMAIN = 'corp.example.test';

let dataDir: string;
let registry: RegistryStore;
let okta: OktaFake;
let provider: IdentityProvider;
let sealer: CredentialSealer;
let app: FastifyInstance;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'shared-accounts-api-'));
  registry = await openRegistry({ dataDir });
  okta = await startOktaFake();
  provider = createOktaProvider({
    orgUrl: okta.url,
    apiToken: okta.apiToken,
    loginDomain: DOMAIN,
    rateLimit: { requestsPerMinute: 1_000_000, maxConcurrent: 20 },
  });
  sealer = createSealer(new EncryptionCodec(parseEncryptionKeys(generateKeySpec('shared-accounts'))));
  const suppliers = new SupplierService({ registry });
  // A lazy client that never connects: every lend below is refused before a workflow would start.
  const client = new Client();
  const grants = new GrantService({
    client,
    registry,
    suppliers,
    taskQueue: 'shared-accounts-api-test',
    accountPrefix: 'sup-',
    maxGrantDays: 90,
    usernameLimits: new Map([['okta', 64]]),
  });
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'rita', roles: ['requester'], token: TOKENS.rita },
      { name: 'rob', roles: ['requester'], token: TOKENS.rob },
      { name: 'alice', roles: ['approver'], token: TOKENS.alice },
      { name: 'audrey', roles: ['auditor'], token: TOKENS.audrey },
      { name: 'ada', roles: ['admin'], token: TOKENS.ada },
      { name: 'carol', roles: ['auditor'], token: TOKENS.carol },
    ]),
    service: grants,
    suppliers,
    sharedAccounts: new SharedAccountService({
      registry,
      grants,
      client,
      taskQueue: 'shared-accounts-api-test',
      lookupAccount: async (_name, ref) => provider.lookupAccount(ref),
      sealer,
    }),
    registry,
    policy: { providers: ['okta'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    rateLimitPerMinute: 0,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await provider?.close();
  await okta?.close();
  await registry?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${who}`,
      ...(payload ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload ? { payload } : {}),
  });

const fieldsOf = (response: { json(): unknown }) =>
  ((response.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

/** An Okta user an administrator made by hand (the site's admin, say), with its id and login. */
async function existingUser(): Promise<{ id: string; login: string }> {
  const login = `shared-${token()}@${DOMAIN}`;
  const response = await fetch(`${okta.url}/api/v1/users?activate=true`, {
    method: 'POST',
    headers: { Authorization: `SSWS ${okta.apiToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      profile: { login, email: login, firstName: 'Site', lastName: 'Admin' },
      credentials: { password: { value: 'Kept-By-Carol-0' } },
    }),
  });
  const user = (await response.json()) as { id: string };
  return { id: user.id, login };
}

/** A shared account registered by the admin, Carol its custodian. */
async function registered(extra: object = {}): Promise<{ id: string; login: string; userId: string }> {
  const user = await existingUser();
  const answer = await call('POST', '/v1/shared-accounts', TOKENS.ada, {
    provider: 'okta',
    account: user.login,
    label: 'Website admin',
    custodian: { name: 'carol', email: 'carol@corp.example' },
    ...extra,
  });
  expect(answer.statusCode, answer.body).toBe(201);
  return { id: answer.json().id as string, login: user.login, userId: user.id };
}

/** What a rotation after a lend leaves for the custodian: the password the directory took, sealed. */
async function rotatedForCustodian(id: string, password: string): Promise<void> {
  const shared = await registry.getSharedAccount(id);
  await registry.recordRotation({
    sharedAccountId: id,
    reason: 'manual',
    at: new Date().toISOString(),
    actor: 'carol',
    forCustodian: {
      sealed: await sealer.seal({ username: shared?.account.username ?? '', password }),
      at: new Date().toISOString(),
    },
  });
}

/** A live lend of the shared account to a registered supplier, as the lend's workflow records it. */
async function lentTo(sharedAccountId: string, legalName: string, requestedBy = 'rita') {
  const supplier = await call('POST', '/v1/suppliers', TOKENS.rita, {
    legalName,
    sponsor: { name: 'Sam Sponsor' },
  });
  const lend = await addGrant(registry, {
    id: crypto.randomUUID(),
    provider: 'okta',
    supplierId: supplier.json().id as string,
    organisation: legalName,
    door: 'lend',
    sharedAccountId,
    expiresAt: inDays(3),
    requestedBy,
    createdAt: new Date().toISOString(),
  });
  await provision(registry, lend, new Date().toISOString());
  return lend;
}

describe('registering a shared account', () => {
  it('finds the existing account by login or by id; the same account twice is a 409 naming the first', async () => {
    const user = await existingUser();
    const body = {
      provider: 'okta',
      account: user.login,
      label: 'Accounting login',
      custodian: { name: 'carol' },
      rotationIntervalDays: 90,
    };
    const created = await call('POST', '/v1/shared-accounts', TOKENS.ada, body);
    expect(created.statusCode, created.body).toBe(201);
    const shared = created.json();
    expect(shared).toMatchObject({
      provider: 'okta',
      account: { externalId: user.id },
      label: 'Accounting login',
      custodian: { name: 'carol' },
      rotationIntervalDays: 90,
      credentialWaiting: false,
      createdBy: 'ada',
    });
    expect(created.headers.location).toBe(`/v1/shared-accounts/${shared.id}`);
    // The same user by its id is the same account.
    const again = await call('POST', '/v1/shared-accounts', TOKENS.ada, { ...body, account: user.id });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ sharedAccountId: shared.id });
    expect(again.json().detail).toContain(shared.id);
  });

  it('names the field and the rule of a bad body; an account the directory does not have is `account`', async () => {
    const good = { provider: 'okta', account: 'x', label: 'L', custodian: { name: 'carol' } };
    const cases: [object, string[]][] = [
      [{}, ['provider', 'account', 'label', 'custodian']],
      [{ ...good, provider: 'ldap' }, ['provider']],
      [{ ...good, custodian: { name: 'carol', email: 'nope' } }, ['custodian.email']],
      [{ ...good, rotationIntervalDays: 0 }, ['rotationIntervalDays']],
      [{ ...good, rotationIntervalDays: 1.5 }, ['rotationIntervalDays']],
      [{ ...good, password: 'secret' }, ['password']],
      [{ ...good, account: `nobody-${token()}@${DOMAIN}` }, ['account']],
    ];
    for (const [body, fields] of cases) {
      const answer = await call('POST', '/v1/shared-accounts', TOKENS.ada, body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(answer), JSON.stringify(body)).toEqual(fields);
    }
  });

  it('is for admins; every role reads; PATCH changes the label, custodian and interval', async () => {
    const user = await existingUser();
    const body = { provider: 'okta', account: user.login, label: 'L', custodian: { name: 'carol' } };
    for (const who of [TOKENS.rita, TOKENS.alice, TOKENS.audrey])
      expect((await call('POST', '/v1/shared-accounts', who, body)).statusCode).toBe(403);
    const { id } = await registered({ rotationIntervalDays: 30 });
    expect((await call('GET', `/v1/shared-accounts/${id}`, TOKENS.audrey)).statusCode).toBe(200);
    const listed = await call('GET', '/v1/shared-accounts?provider=okta&limit=1', TOKENS.alice);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().sharedAccounts).toHaveLength(1);
    expect(listed.json().nextCursor).toEqual(expect.any(String));
    expect((await call('PATCH', `/v1/shared-accounts/${id}`, TOKENS.rita, { label: 'x' })).statusCode).toBe(
      403,
    );
    const changed = await call('PATCH', `/v1/shared-accounts/${id}`, TOKENS.ada, {
      label: 'Site admin',
      custodian: { name: 'dave' },
      rotationIntervalDays: null,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ label: 'Site admin', custodian: { name: 'dave' } });
    expect(changed.json()).not.toHaveProperty('rotationIntervalDays');
    expect(fieldsOf(await call('PATCH', `/v1/shared-accounts/${id}`, TOKENS.ada, {}))).toEqual(['body']);
    const unknown = crypto.randomUUID();
    expect((await call('GET', `/v1/shared-accounts/${unknown}`, TOKENS.audrey)).statusCode).toBe(404);
    expect(fieldsOf(await call('GET', '/v1/shared-accounts/not-an-id', TOKENS.audrey))).toEqual(['id']);
  });
});

describe("the custodian's password", () => {
  it('goes to the custodian or an admin, once; the account shows that it waits, never the password', async () => {
    const { id } = await registered();
    const password = `Fresh-${token(16)}`;
    await rotatedForCustodian(id, password);
    const shown = await call('GET', `/v1/shared-accounts/${id}`, TOKENS.audrey);
    expect(shown.json()).toMatchObject({ credentialWaiting: true });
    expect(shown.body).not.toContain(password);

    const stranger = await call('POST', `/v1/shared-accounts/${id}/credential`, TOKENS.rob);
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().detail).toContain('carol');
    const claimed = await call('POST', `/v1/shared-accounts/${id}/credential`, TOKENS.carol);
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(claimed.headers['cache-control']).toBe('no-store');
    expect(claimed.json()).toMatchObject({ sharedAccountId: id, credential: { password } });
    expect((await call('POST', `/v1/shared-accounts/${id}/credential`, TOKENS.carol)).statusCode).toBe(404);

    const after = (await call('GET', `/v1/shared-accounts/${id}`, TOKENS.audrey)).json();
    expect(after.credentialWaiting).toBe(false);
    expect(after.events).toContainEqual(
      expect.objectContaining({ type: 'credential-claimed', actor: 'carol' }),
    );

    // An admin may take it too, when the custodian is away.
    await rotatedForCustodian(id, 'Another-0ne');
    const byAdmin = await call('POST', `/v1/shared-accounts/${id}/credential`, TOKENS.ada);
    expect(byAdmin.json().credential.password).toBe('Another-0ne');
  });

  it('is thrown away unseen when the custodian resets it themselves', async () => {
    const { id } = await registered();
    await rotatedForCustodian(id, 'Never-Seen-0');
    expect((await call('DELETE', `/v1/shared-accounts/${id}/credential`, TOKENS.rita)).statusCode).toBe(403);
    const discarded = await call('DELETE', `/v1/shared-accounts/${id}/credential`, TOKENS.carol);
    expect(discarded.statusCode).toBe(204);
    expect(discarded.body).toBe('');
    expect((await call('POST', `/v1/shared-accounts/${id}/credential`, TOKENS.carol)).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/shared-accounts/${id}/credential`, TOKENS.carol)).statusCode).toBe(404);
    const shown = (await call('GET', `/v1/shared-accounts/${id}`, TOKENS.audrey)).json();
    expect(shown.events).toContainEqual(
      expect.objectContaining({ type: 'credential-discarded', actor: 'carol' }),
    );
  });
});

describe('lending a shared account', () => {
  it('checks the request as a grant: fields and rules named, nothing started', async () => {
    const { id } = await registered();
    const contract = await call('POST', '/v1/suppliers', TOKENS.rita, {
      legalName: `Short Contract ${token()}`,
      sponsor: { name: 'Sam' },
      contractEnd: inDays(5),
    });
    const supplierId = contract.json().id as string;
    const cases: [object, string[]][] = [
      [{}, ['reason']],
      [{ supplierId, reason: 'r', until: inDays(-1) }, ['until']],
      [{ supplierId, reason: 'r', until: inDays(91) }, ['until']],
      [{ supplierId, reason: 'r', durationDays: 91 }, ['durationDays']],
      [{ supplierId, reason: 'r', until: inDays(2), durationDays: 2 }, ['until']],
      [{ supplierId, supplier: { organisation: 'X' }, reason: 'r', durationDays: 2 }, ['supplierId']],
      [{ supplierId, reason: 'r', durationDays: 2, groups: ['admins'] }, ['groups']],
      // No door of a supplier outlives its contract.
      [{ supplierId, reason: 'r', until: inDays(10) }, ['until']],
      [{ supplierId, reason: 'r', durationDays: 10 }, ['durationDays']],
      [{ supplierId: crypto.randomUUID(), reason: 'r', durationDays: 2 }, ['supplierId']],
    ];
    for (const [body, fields] of cases) {
      const answer = await call('POST', `/v1/shared-accounts/${id}/lends`, TOKENS.rita, body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(answer), JSON.stringify(body)).toEqual(fields);
    }
    expect((await registry.lendsOf(id, 10)).length).toBe(0);
    const body = { supplierId, reason: 'r', durationDays: 2 };
    for (const who of [TOKENS.alice, TOKENS.audrey])
      expect((await call('POST', `/v1/shared-accounts/${id}/lends`, who, body)).statusCode).toBe(403);
    const unknown = crypto.randomUUID();
    expect((await call('POST', `/v1/shared-accounts/${unknown}/lends`, TOKENS.rita, body)).statusCode).toBe(
      404,
    );
  });

  it('refuses a second lend while one is live, naming the holder and until when; a rotation too', async () => {
    const { id } = await registered();
    const holder = `Webagence Tremblay ${token()}`;
    const lend = await lentTo(id, holder);
    const second = await call('POST', `/v1/shared-accounts/${id}/lends`, TOKENS.rob, {
      supplier: { organisation: 'Another Firm' },
      durationDays: 2,
      reason: 'a second pair of hands',
    });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ holder, until: lend.expiresAt, lendId: lend.id });
    expect(second.json().detail).toContain(holder);

    const rotate = await call('POST', `/v1/shared-accounts/${id}/rotate`, TOKENS.carol);
    expect(rotate.statusCode).toBe(409);
    expect(rotate.json()).toMatchObject({ holder, lendId: lend.id });
    expect((await call('POST', `/v1/shared-accounts/${id}/rotate`, TOKENS.rob)).statusCode).toBe(403);

    const shown = (await call('GET', `/v1/shared-accounts/${id}`, TOKENS.audrey)).json();
    expect(shown.liveLend).toMatchObject({ id: lend.id, status: 'active' });
    expect(shown.lends.map((l: { id: string }) => l.id)).toEqual([lend.id]);
    const lends = await call('GET', `/v1/shared-accounts/${id}/lends`, TOKENS.audrey);
    expect(lends.json().lends.map((l: { id: string }) => l.id)).toEqual([lend.id]);
  });

  it("is returned by its requester or an admin only; a shared account that is not lent can't be", async () => {
    const { id } = await registered();
    const reason = { reason: 'done early' };
    const notLent = await call('POST', `/v1/shared-accounts/${id}/return`, TOKENS.rita, reason);
    expect(notLent.statusCode).toBe(409);
    await lentTo(id, `Return Check ${token()}`, 'rita');
    const byOther = await call('POST', `/v1/shared-accounts/${id}/return`, TOKENS.rob, reason);
    expect(byOther.statusCode).toBe(403);
    expect(byOther.json().detail).toContain('rita');
    expect(fieldsOf(await call('POST', `/v1/shared-accounts/${id}/return`, TOKENS.rita, {}))).toEqual([
      'reason',
    ]);
    expect((await call('POST', `/v1/shared-accounts/${id}/return`, TOKENS.audrey, reason)).statusCode).toBe(
      403,
    );
  });
});

describe('the documented examples', () => {
  it('are accepted by the schemas they illustrate', () => {
    const now = () => Date.now();
    expect(createSharedAccountSchema(['ldap']).safeParse(SHARED_ACCOUNT_EXAMPLES.create).success).toBe(true);
    expect(patchSharedAccountSchema.safeParse(SHARED_ACCOUNT_EXAMPLES.patch).success).toBe(true);
    expect(
      lendSchema({ providers: ['ldap'], maxGrantDays: 90 }, now).safeParse(LEND_EXAMPLES.lend).success,
    ).toBe(true);
  });
});
