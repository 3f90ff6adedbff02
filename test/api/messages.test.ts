import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import { createLogger } from '../../src/logger.js';
import { fakeRegistry } from './openapi-helpers.js';

const TOKENS = {
  rita: 'rita-requester-token-0123',
  alice: 'alice-approver-token-0123',
  audrey: 'audrey-auditor-token-0123',
};

let app: FastifyInstance;
/** Bodies that got past validation: none should, every request below is refused before the service. */
const reachedService: unknown[] = [];

beforeAll(async () => {
  const record = (...args: unknown[]) => {
    reachedService.push(args);
    return Promise.reject(new Error('the service is not part of this test'));
  };
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'rita', roles: ['requester'], token: TOKENS.rita },
      { name: 'alice', roles: ['approver'], token: TOKENS.alice },
      { name: 'audrey', roles: ['auditor'], token: TOKENS.audrey },
    ]),
    service: { create: record } as unknown as GrantService,
    registry: fakeRegistry(),
    // A service with the LDAP provider only.
    policy: { providers: ['ldap'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    rateLimitPerMinute: 0,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

const post = (url: string, token: string, payload: object | string | Buffer) =>
  app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload,
  });

const valid = () => ({
  provider: 'ldap',
  supplier: { organisation: 'Message Checkers Ltd' },
  durationDays: 7,
  reason: 'printer maintenance',
});

const errorsOf = (response: { json(): unknown }) =>
  (response.json() as { errors: { field: string; rule: string }[] }).errors;

describe('a missing field', () => {
  it.each([
    ['reason', { ...valid(), reason: undefined }],
    ['provider', { ...valid(), provider: undefined }],
    ['supplier', { ...valid(), supplier: undefined }],
    ['supplier.organisation', { ...valid(), supplier: {} }],
  ])('%s is named as required on a create', async (field, body) => {
    const response = await post('/v1/grants', TOKENS.rita, body);
    expect(response.statusCode).toBe(400);
    expect(errorsOf(response)).toEqual([{ field, rule: 'is required' }]);
    expect(response.json().detail).toBe(`${field}: is required`);
  });

  it('is named as required on an extension, a rejection and a revoke', async () => {
    const id = crypto.randomUUID();
    const extension = await post(`/v1/grants/${id}/extensions`, TOKENS.rita, { reason: 'overran' });
    expect(errorsOf(extension)).toEqual([{ field: 'expiresAt', rule: 'is required' }]);
    const rejection = await post(`/v1/grants/${id}/extensions/reject`, TOKENS.alice, {});
    expect(errorsOf(rejection)).toEqual([{ field: 'reason', rule: 'is required' }]);
  });
});

describe('a provider this service does not run', () => {
  it('says it is not configured, and which variables configure it', async () => {
    const okta = await post('/v1/grants', TOKENS.rita, { ...valid(), provider: 'okta' });
    expect(okta.statusCode).toBe(400);
    expect(errorsOf(okta)).toEqual([
      {
        field: 'provider',
        rule: 'okta is not configured on this service; set OKTA_ORG_URL, OKTA_API_TOKEN and OKTA_LOGIN_DOMAIN to enable it',
      },
    ]);
    const entra = await post('/v1/grants', TOKENS.rita, { ...valid(), provider: 'entra' });
    expect(errorsOf(entra)[0]?.rule).toBe(
      'entra is not configured on this service; set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET to enable it',
    );
  });

  it('still lists the providers it runs for a name that is no provider at all', async () => {
    const unknown = await post('/v1/grants', TOKENS.rita, { ...valid(), provider: 'okta-prod' });
    expect(errorsOf(unknown)).toEqual([{ field: 'provider', rule: 'must be one of: ldap' }]);
  });
});

describe('a role that does not allow the action', () => {
  it('is refused in a sentence that says who may', async () => {
    const id = crypto.randomUUID();
    const revoke = await post(`/v1/grants/${id}/revoke`, TOKENS.rita, { reason: 'done' });
    expect(revoke.statusCode).toBe(403);
    expect(revoke.json().detail).toBe(
      'rita is a requester; only an admin may revoke grants, run access reviews or read Temporal histories.',
    );
    const approve = await post(`/v1/grants/${id}/extensions/approve`, TOKENS.audrey, {});
    expect(approve.json().detail).toBe(
      'audrey is an auditor; only an approver or an admin may approve or reject an extension.',
    );
    const create = await post('/v1/grants', TOKENS.alice, valid());
    expect(create.json().detail).toBe(
      'alice is an approver; only a requester or an admin may ask for grants, extensions or one-time credentials, or shorten grants.',
    );
  });
});

describe('a body that is not valid UTF-8', () => {
  it('is a 400 naming the body, never text with U+FFFD in it', async () => {
    const json = JSON.stringify({ ...valid(), supplier: { organisation: 'Caf@@ Broken Bytes' } });
    // 0xC3 starts a two-byte sequence; 0x28 cannot continue it.
    const bytes = Buffer.concat(
      json
        .split('@@')
        .flatMap((part, i) =>
          i === 0 ? [Buffer.from(part)] : [Buffer.from([0xc3, 0x28]), Buffer.from(part)],
        ),
    );
    const response = await post('/v1/grants', TOKENS.rita, bytes);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(errorsOf(response)).toEqual([{ field: 'body', rule: 'must be valid UTF-8' }]);
    expect(reachedService).toEqual([]);
  });

  it('still takes well-formed UTF-8 beyond ASCII', async () => {
    const body = { ...valid(), supplier: { organisation: 'Café Côté & Fils' } };
    const response = await post('/v1/grants', TOKENS.rita, Buffer.from(JSON.stringify(body)));
    // Past validation: the stub service is reached (and fails, as it is not part of this test).
    expect(response.statusCode).toBe(500);
    expect(reachedService).toHaveLength(1);
    reachedService.length = 0;
  });
});
