import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { inDays } from '../helpers/kit.js';

/**
 * Every endpoint × every role (docs/api.md), plus no token and a wrong one, against the real service: a role
 * the table allows gets its 2xx, any other gets 403 and changes nothing; without a valid token, 401.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

type Role = 'requester' | 'approver' | 'admin' | 'auditor';
const ROLES: Role[] = ['requester', 'approver', 'admin', 'auditor'];
let organisations = 0;

async function newGrant(): Promise<string> {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation: `Role Matrix ${++organisations}` },
    durationDays: 10,
    reason: 'role matrix',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

/** A grant with an extension pending, requested by rita (so alice and ada may decide on it). */
async function grantWithExtension(): Promise<string> {
  const id = await newGrant();
  const asked = await stack.request('POST', `/v1/grants/${id}/extensions`, TOKENS.requester, {
    expiresAt: inDays(20),
    reason: 'more time',
  });
  expect(asked.status).toBe(202);
  return id;
}

/** A supplier registered by rita, holding no door (so an incident about it opens at once). */
async function newSupplier(): Promise<string> {
  const response = await stack.request('POST', '/v1/suppliers', TOKENS.requester, {
    legalName: `Role Matrix ${++organisations}`,
    sponsor: { name: 'Sam Sponsor', email: 'sam@client.example' },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

/** What an incident needs to be opened: why, and when it was found (an hour ago). */
const incidentBody = () => ({
  reason: 'role matrix breach',
  discoveredAt: new Date(Date.now() - 3_600_000).toISOString(),
});

/** A supplier an incident blocks, opened by ada. */
async function blockedSupplier(): Promise<string> {
  const id = await newSupplier();
  const opened = await stack.request('POST', `/v1/suppliers/${id}/incident`, TOKENS.admin, incidentBody());
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  return id;
}

interface Endpoint {
  name: string;
  method: string;
  /** Builds the path and body, creating whatever state the call needs to succeed. */
  prepare: () => Promise<{ path: string; body?: unknown }>;
  allowed: Role[];
  /** What an allowed role gets. */
  success: number;
}

const anyGrant = { id: '' };
const anyReview = { id: '' };
const anyIncident = { id: '' };
const ENDPOINTS: Endpoint[] = [
  {
    name: 'POST /v1/grants',
    method: 'POST',
    prepare: async () => ({
      path: '/v1/grants',
      body: {
        provider: 'ldap',
        supplier: { organisation: `Role Matrix ${++organisations}` },
        durationDays: 10,
        reason: 'role matrix',
      },
    }),
    allowed: ['requester', 'admin'],
    success: 201,
  },
  {
    name: 'GET /v1/grants',
    method: 'GET',
    prepare: async () => ({ path: '/v1/grants' }),
    allowed: ROLES,
    success: 200,
  },
  {
    name: 'GET /v1/grants/{id}',
    method: 'GET',
    prepare: async () => ({ path: `/v1/grants/${anyGrant.id}` }),
    allowed: ROLES,
    success: 200,
  },
  {
    name: 'GET /v1/registry.csv',
    method: 'GET',
    prepare: async () => ({ path: '/v1/registry.csv' }),
    allowed: ROLES,
    success: 200,
  },
  {
    name: 'POST /v1/grants/{id}/extensions',
    method: 'POST',
    prepare: async () => ({
      path: `/v1/grants/${await newGrant()}/extensions`,
      body: { expiresAt: inDays(20), reason: 'more time' },
    }),
    allowed: ['requester', 'admin'],
    success: 202,
  },
  {
    name: 'POST /v1/grants/{id}/extensions/approve',
    method: 'POST',
    prepare: async () => ({ path: `/v1/grants/${await grantWithExtension()}/extensions/approve`, body: {} }),
    allowed: ['approver', 'admin'],
    success: 200,
  },
  {
    name: 'POST /v1/grants/{id}/extensions/reject',
    method: 'POST',
    prepare: async () => ({
      path: `/v1/grants/${await grantWithExtension()}/extensions/reject`,
      body: { reason: 'not needed' },
    }),
    allowed: ['approver', 'admin'],
    success: 200,
  },
  {
    // The creating request already took the one-time credential, so an allowed caller hears 409, not 403.
    name: 'POST /v1/grants/{id}/credential',
    method: 'POST',
    prepare: async () => ({ path: `/v1/grants/${await newGrant()}/credential` }),
    allowed: ['requester', 'admin'],
    success: 409,
  },
  {
    name: 'POST /v1/grants/{id}/shorten',
    method: 'POST',
    prepare: async () => ({
      path: `/v1/grants/${await newGrant()}/shorten`,
      body: { expiresAt: inDays(5), reason: 'contract ends sooner' },
    }),
    allowed: ['requester', 'admin'],
    success: 200,
  },
  {
    name: 'POST /v1/grants/{id}/revoke',
    method: 'POST',
    prepare: async () => ({ path: `/v1/grants/${await newGrant()}/revoke`, body: { reason: 'done' } }),
    allowed: ['admin'],
    success: 200,
  },
  {
    name: 'POST /v1/reviews',
    method: 'POST',
    prepare: async () => ({ path: '/v1/reviews' }),
    allowed: ['admin'],
    success: 200,
  },
  {
    name: 'GET /v1/reviews/latest',
    method: 'GET',
    prepare: async () => ({ path: '/v1/reviews/latest' }),
    allowed: ROLES,
    success: 200,
  },
  {
    name: 'GET /v1/reviews/latest.csv',
    method: 'GET',
    prepare: async () => ({ path: '/v1/reviews/latest.csv' }),
    allowed: ROLES,
    success: 200,
  },
  {
    name: 'GET /v1/reviews/{id}',
    method: 'GET',
    prepare: async () => ({ path: `/v1/reviews/${anyReview.id}` }),
    allowed: ROLES,
    success: 200,
  },
  {
    name: 'POST /v1/suppliers/{id}/incident',
    method: 'POST',
    prepare: async () => ({ path: `/v1/suppliers/${await newSupplier()}/incident`, body: incidentBody() }),
    allowed: ['admin'],
    success: 201,
  },
  {
    name: 'DELETE /v1/suppliers/{id}/block',
    method: 'DELETE',
    prepare: async () => ({
      path: `/v1/suppliers/${await blockedSupplier()}/block`,
      body: { reason: 'supplier cleaned its laptops' },
    }),
    allowed: ['admin'],
    success: 200,
  },
  {
    name: 'POST /v1/incidents',
    method: 'POST',
    prepare: async () => ({ path: '/v1/incidents', body: incidentBody() }),
    allowed: ['admin'],
    success: 201,
  },
  {
    name: 'PATCH /v1/incidents/{id}',
    method: 'PATCH',
    prepare: async () => ({
      path: `/v1/incidents/${anyIncident.id}`,
      body: { measures: `passwords reset ${++organisations}` },
    }),
    allowed: ['admin'],
    success: 200,
  },
  // The register is for those who answer for it: requesters and approvers may not read it.
  ...['/v1/incidents', '/v1/incidents.csv', '/v1/incidents.json'].map((path): Endpoint => ({
    name: `GET ${path}`,
    method: 'GET',
    prepare: async () => ({ path }),
    allowed: ['admin', 'auditor'],
    success: 200,
  })),
  {
    name: 'GET /v1/incidents/{id}',
    method: 'GET',
    prepare: async () => ({ path: `/v1/incidents/${anyIncident.id}` }),
    allowed: ['admin', 'auditor'],
    success: 200,
  },
];

describe('every endpoint × every role', () => {
  beforeAll(async () => {
    anyGrant.id = await newGrant();
    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status).toBe(200);
    anyReview.id = review.body.id as string;
    const incident = await stack.request('POST', '/v1/incidents', TOKENS.admin, incidentBody());
    expect(incident.status, JSON.stringify(incident.body)).toBe(201);
    anyIncident.id = incident.body.incident.id as string;
  }, 30_000);

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: ${endpoint.allowed.join(', ')} only`, async () => {
      const probe = await endpoint.prepare();
      const { name } = endpoint;
      for (const token of [null, 'not-a-valid-token-0123456789']) {
        const answer = await stack.request(endpoint.method, probe.path, token, probe.body);
        expect(answer.status, `${name} with token ${String(token)}`).toBe(401);
      }
      for (const role of ROLES) {
        if (endpoint.allowed.includes(role)) continue;
        const answer = await stack.request(endpoint.method, probe.path, TOKENS[role], probe.body);
        expect(answer.status, `${name} as ${role}`).toBe(403);
      }
      for (const role of endpoint.allowed) {
        // A fresh target per allowed role: the first success would otherwise change what the next one sees.
        const { path, body } = await endpoint.prepare();
        const answer = await stack.request(endpoint.method, path, TOKENS[role], body);
        expect(answer.status, `${name} as ${role}: ${JSON.stringify(answer.body)}`).toBe(endpoint.success);
      }
    }, 60_000);
  }

  it('refusals change nothing: the grant an auditor tried to revoke is still active', async () => {
    const id = await newGrant();
    const refused = await stack.request('POST', `/v1/grants/${id}/revoke`, TOKENS.auditor, { reason: 'x' });
    expect(refused.status).toBe(403);
    const shown = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
    expect(shown.body.status).toBe('active');
    expect(shown.body.events.map((e: { type: string }) => e.type)).toEqual(['created', 'provisioned']);
  });

  it('leaves the public endpoints open', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
      const response = await fetch(stack.apiUrl + path);
      expect(response.status, path).toBe(200);
    }
  });
});
