import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import type { JsonObject } from '../../src/api/json-schema.js';
import type { ReviewService } from '../../src/api/review-service.js';
import { createLogger } from '../../src/logger.js';
import { fakeRegistry, operationsOf } from './openapi-helpers.js';

const TOKENS = { auditor: 'audrey-auditor-token-0123', admin: 'ada-admin-token-0123456789' };
const GRANT = '5d1c7a2e-8f0b-4b8e-a6d4-3e2f1a0b9c88';

let app: FastifyInstance;
let doc: JsonObject;

beforeAll(async () => {
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'audrey', roles: ['auditor'], token: TOKENS.auditor },
      { name: 'ada', roles: ['admin'], token: TOKENS.admin },
    ]),
    // Every request here is refused before a handler runs: neither service is called.
    service: {} as GrantService,
    reviews: {} as ReviewService,
    registry: fakeRegistry(),
    policy: { providers: ['ldap'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    rateLimitPerMinute: 0,
  });
  await app.ready();
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
});

afterAll(async () => {
  await app?.close();
});

const call = (key: string, token: string | null, id = GRANT) => {
  const [method, path] = key.split(' ') as [string, string];
  return app.inject({
    method: method.toUpperCase() as 'GET' | 'POST',
    url: path.replace('{id}', id),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
};

describe('the routes and their document', () => {
  it('serve every documented operation, refusing callers without a token where the document names a role', async () => {
    const operations = operationsOf(doc).filter((o) => o.operation['x-required-role'] !== 'none');
    expect(operations.length).toBeGreaterThan(10);
    for (const { key } of operations) {
      const answer = await call(key, null);
      expect(answer.statusCode, key).toBe(401);
      expect(answer.json().detail, key).toBe(
        'a valid bearer token is required (Authorization: Bearer <token>)',
      );
    }
    for (const key of ['get /healthz', 'get /readyz'])
      expect((await call(key, null)).statusCode, key).toBe(200);
  });

  it('refuses a role the document does not allow with a 403 naming the roles that may', async () => {
    const operations = operationsOf(doc).filter((o) => Array.isArray(o.operation['x-allowed-roles']));
    for (const { key, operation } of operations) {
      const allowed = operation['x-allowed-roles'] as string[];
      if (allowed.includes('auditor')) continue;
      const answer = await call(key, TOKENS.auditor);
      expect(answer.statusCode, key).toBe(403);
      const detail = answer.json().detail as string;
      expect(detail, key).toMatch(/^audrey is an auditor; only /);
      for (const role of allowed) expect(detail, key).toContain(role);
    }
  });

  it('checks the path a route declares, naming the parameter, after the body', async () => {
    for (const key of ['get /v1/grants/{id}', 'get /v1/reviews/{id}']) {
      const answer = await call(key, TOKENS.admin, 'not-a-uuid');
      expect(answer.statusCode, key).toBe(400);
      expect(answer.json().errors, key).toEqual([
        { field: 'id', rule: `must be a ${key.includes('reviews') ? 'review' : 'grant'} id (a UUID)` },
      ]);
    }
    // A request wrong in both is told about its body, as when handlers validated.
    const both = await call('post /v1/grants/{id}/revoke', TOKENS.admin, 'not-a-uuid');
    expect(both.json().errors).toEqual([{ field: 'reason', rule: 'is required' }]);
  });
});
