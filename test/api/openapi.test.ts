import { Client } from '@temporalio/client';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import { EncryptionCodec, generateKeySpec, parseEncryptionKeys } from '../../src/codec.js';
import { docsRoutes, DOCS_CSP } from '../../src/api/docs.js';
import { ReviewService } from '../../src/api/review-service.js';
import type { GrantService } from '../../src/api/grant-service.js';
import type { IncidentService } from '../../src/api/incident-service.js';
import type { SharedAccountService } from '../../src/api/shared-account-service.js';
import { JsonSchemaConverter, type JsonObject } from '../../src/api/json-schema.js';
import { exampleBodies } from '../../src/api/request-docs.js';
import { invalid, problem, sendProblem } from '../../src/api/problem.js';
import { GRANT_STATUSES } from '../../domain/status.js';
import { grantSchema } from '../../src/api/response-schemas.js';
import {
  approveSchema,
  createGrantSchema,
  extensionSchema,
  listGrantsQuerySchema,
  reasonSchema,
  shortenSchema,
  type GrantPolicy,
} from '../../src/api/schemas.js';
import { grantView } from '../../src/api/views.js';
import { createLogger } from '../../src/logger.js';
import {
  bareGrant,
  DESIGN_ROLES,
  DocumentValidator,
  documentOf,
  fakeRegistry,
  fullGrant,
  keysNamed,
  operationsOf,
  refsOf,
  resolve,
  REVIEW_ROLES,
  CODEC_ROLES,
  SHARED_ACCOUNT_ROLES,
  INCIDENT_ROLES,
  undeclaredKeys,
} from './openapi-helpers.js';

const POLICY: GrantPolicy = { providers: ['ldap', 'entra'], maxGrantDays: 90 };
const AUDITOR = 'auditor-token-0123456789ab';

const { grant: full, events } = fullGrant();

let app: FastifyInstance;
let doc: JsonObject;
let validator: DocumentValidator;

beforeAll(async () => {
  app = await buildApp({
    authenticator: new TokenAuthenticator([{ name: 'audrey', roles: ['auditor'], token: AUDITOR }]),
    service: {} as GrantService,
    // A lazy client that never connects: the review routes must be registered, not run.
    reviews: new ReviewService({ client: new Client(), taskQueue: 'openapi-test' }),
    // Registered, never called.
    sharedAccounts: {} as SharedAccountService,
    incidents: {} as IncidentService,
    registry: fakeRegistry(),
    policy: POLICY,
    logger: createLogger('silent'),
    codec: { codec: new EncryptionCodec(parseEncryptionKeys(generateKeySpec('openapi'))), corsOrigins: [] },
    readiness: async () => ({ temporal: 'ok', ldap: 'ok' }),
  });
  await app.ready();
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  validator = new DocumentValidator(doc);
});

afterAll(async () => {
  await app?.close();
});

const operation = (key: string) => operationsOf(doc).find((o) => o.key === key)?.operation as JsonObject;
const bodySchema = (key: string) =>
  (operation(key).requestBody as { content: { 'application/json': { schema: JsonObject } } }).content[
    'application/json'
  ].schema;
const parameter = (key: string, name: string) =>
  (operation(key).parameters as JsonObject[]).find((p) => p.name === name) as JsonObject;

describe('the OpenAPI document', () => {
  it.each([
    ['as served', () => doc],
    ['with the reviews', () => documentOf(POLICY, { reviews: true })],
  ])('is valid OpenAPI 3.1 %s', async (_name, build) => {
    const document = structuredClone(await build());
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    // Stand-alone schema keywords have no place inside a document; every reference resolves in it.
    expect(keysNamed(document, '$schema') + keysNamed(document, '$id') + keysNamed(document, '$defs')).toBe(
      0,
    );
    for (const ref of refsOf(document)) expect(resolve(document, ref), ref).toBeDefined();
  });

  it('lists every operation of docs/api.md with its role, security and answers', async () => {
    const withoutReviews = await documentOf(POLICY);
    for (const [document, roles] of [
      [withoutReviews, DESIGN_ROLES],
      [doc, { ...DESIGN_ROLES, ...REVIEW_ROLES, ...CODEC_ROLES, ...SHARED_ACCOUNT_ROLES, ...INCIDENT_ROLES }],
    ] as const) {
      const operations = operationsOf(document);
      expect(operations.map((o) => o.key).sort()).toEqual(Object.keys(roles).sort());
      for (const { key, operation: op } of operations) {
        const role = roles[key as keyof typeof roles];
        expect(op['x-required-role'], key).toBe(role);
        expect(op.description, key).toContain(role === 'none' ? 'Public' : `\`${role}\``);
        expect(op.security, key).toEqual(role === 'none' ? [] : undefined);
        expect(op.summary, key).toBeTruthy();
        expect(Object.keys(op.responses as JsonObject).length, key).toBeGreaterThan(0);
        if (role !== 'none') expect(op.responses, key).toHaveProperty('401');
      }
    }
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(resolve(doc, '#/components/securitySchemes/bearer')).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(operation('post /v1/grants/{id}/extensions/approve').responses).toHaveProperty('403');
    expect(operation('get /v1/grants/{id}').responses).toHaveProperty('404');
    expect(operation('post /v1/grants').responses).toHaveProperty('201');
    expect(operation('post /v1/grants').responses).toHaveProperty('202');
    // The register names breaches and the personal information concerned: not every role reads it.
    expect(operation('get /v1/incidents')['x-allowed-roles']).toEqual(['admin', 'auditor']);
    expect(operation('get /v1/incidents')['responses']).toHaveProperty('403');
    expect(operation('get /v1/incidents/{id}').responses).toHaveProperty('404');
  });

  it('documents the create body: enabled providers only, unknown fields refused', async () => {
    const schema = bodySchema('post /v1/grants');
    expect(schema.additionalProperties).toBe(false);
    expect(resolve(schema, '#/properties/supplier/additionalProperties')).toBe(false);
    expect(resolve(schema, '#/properties/provider/enum')).toEqual(['ldap', 'entra']);
    expect(resolve(schema, '#/properties/durationDays/maximum')).toBe(90);
    const ldapOnly = await documentOf({ providers: ['ldap'], maxGrantDays: 30 });
    const ldapBody = resolve(
      ldapOnly,
      '#/paths/~1v1~1grants/post/requestBody/content/application~1json/schema',
    ) as JsonObject;
    expect(resolve(ldapBody, '#/properties/provider/enum')).toEqual(['ldap']);
    expect(resolve(ldapBody, '#/properties/durationDays/maximum')).toBe(30);
    expect((operation('post /v1/grants').requestBody as JsonObject).required).toBe(true);
    expect((operation('post /v1/grants/{id}/extensions/approve').requestBody as JsonObject).required).toBe(
      false,
    );
  });

  it('agrees with the zod schemas on what a body may be', () => {
    const create = createGrantSchema(POLICY, Date.now);
    const json = validator.schema(bodySchema('post /v1/grants'));
    const example = exampleBodies(POLICY).create;
    const inDay = new Date(Date.now() + 86_400_000).toISOString();
    const cases: [unknown, boolean][] = [
      [example, true],
      [{ ...example, durationDays: undefined, expiresAt: inDay }, true],
      [{ ...example, expiresAt: inDay }, false],
      [{ ...example, durationDays: undefined }, false],
      [{ ...example, admin: true }, false],
      [{ ...example, provider: 'okta' }, false],
      [{ ...example, supplier: { organisation: 'Acme', firstName: 'Bob' } }, false],
      [{ ...example, durationDays: 91 }, false],
    ];
    for (const [body, valid] of cases) {
      const clean = JSON.parse(JSON.stringify(body)) as unknown;
      expect(create.safeParse(clean).success, JSON.stringify(clean)).toBe(valid);
      expect(json(clean), JSON.stringify(clean)).toBe(valid);
    }
    const examples = exampleBodies(POLICY);
    expect(extensionSchema(POLICY, Date.now).safeParse(examples.extension).success).toBe(true);
    expect(reasonSchema.safeParse(examples.reason).success).toBe(true);
    expect(shortenSchema.safeParse(examples.shorten).success).toBe(true);
    expect(approveSchema.safeParse(undefined).success).toBe(true);
  });

  it('documents every registry filter, the lists with the values the zod schema accepts', () => {
    const query = listGrantsQuerySchema(POLICY.providers);
    const params = operation('get /v1/grants').parameters as JsonObject[];
    expect(params.map((p) => p.name)).toEqual(Object.keys(query.shape));
    for (const p of params) expect(p.description, String(p.name)).toBeTruthy();
    for (const [name, values] of [
      ['status', GRANT_STATUSES],
      ['provider', POLICY.providers],
    ] as const) {
      const p = parameter('get /v1/grants', name);
      expect(p).toMatchObject({ style: 'form', explode: false, schema: { items: { enum: [...values] } } });
      expect(query.safeParse({ [name]: values.join(',') }).success).toBe(true);
      expect(query.safeParse({ [name]: `${values[0]},bogus` }).success).toBe(false);
    }
    expect(parameter('get /v1/grants', 'limit')).toMatchObject({ required: false, schema: { default: 100 } });
    const csvParams = (operation('get /v1/registry.csv').parameters as JsonObject[]).map((p) => p.name);
    expect(csvParams).not.toContain('cursor');
    expect(csvParams).toContain('activeAt');
  });

  it('moves named parts of request schemas to components, where their references resolve', () => {
    const converter = new JsonSchemaConverter();
    const part = z.object({ a: z.string() }).meta({ id: 'TestPart' });
    const schema = converter.input(z.object({ x: part, y: part.optional() }));
    expect(refsOf(schema)).toEqual(['#/components/schemas/TestPart', '#/components/schemas/TestPart']);
    expect(converter.defs.TestPart).toMatchObject({ type: 'object', properties: { a: { type: 'string' } } });
    expect(keysNamed(schema, '$schema') + keysNamed(schema, '$defs')).toBe(0);
  });

  it('describes the grant exactly as grantView renders it', () => {
    expectTypeOf<ReturnType<typeof grantView>>().toExtend<z.input<typeof grantSchema>>();
    const grantJson = validator.component('Grant');
    const ref = { $ref: '#/components/schemas/Grant' };
    for (const view of [grantView(full, { trail: events, withEvents: true }), grantView(bareGrant())]) {
      const sent = JSON.parse(JSON.stringify(view)) as unknown;
      expect(grantSchema.safeParse(sent).success).toBe(true);
      expect(grantJson(sent), JSON.stringify(grantJson.errors)).toBe(true);
      expect(undeclaredKeys(doc, ref, sent)).toEqual([]);
    }
    const created = { ...grantView(full), credential: { username: 'sup-acme', password: 'secret' } };
    expect(validator.component('CreatedGrant')(created)).toBe(true);
    expect(undeclaredKeys(doc, { $ref: '#/components/schemas/CreatedGrant' }, created)).toEqual([]);
  });
});

describe('real answers match the document', () => {
  const get = (url: string, token?: string) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it.each([
    ['/v1/grants', 200, 'GrantPage', AUDITOR],
    [`/v1/grants/${full.id}`, 200, 'Grant', AUDITOR],
    ['/v1/grants/00000000-0000-4000-8000-000000000000', 404, 'Problem', AUDITOR],
    ['/v1/grants/not-a-uuid', 400, 'Problem', AUDITOR],
    ['/v1/grants?status=bogus&limit=0', 400, 'Problem', AUDITOR],
    ['/healthz', 200, 'Health', undefined],
    ['/readyz', 200, 'Readiness', undefined],
    ['/v1/grants', 401, 'Problem', undefined],
  ])('GET %s answers %i with a %s', async (url, status, component, token) => {
    const response = await get(url, token);
    expect(response.statusCode, response.body).toBe(status);
    const body: unknown = response.json();
    const check = validator.component(component);
    expect(check(body), JSON.stringify(check.errors)).toBe(true);
    expect(undeclaredKeys(doc, { $ref: `#/components/schemas/${component}` }, body)).toEqual([]);
    if (component === 'Problem')
      expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('has a Problem schema for every extra sendProblem writes', () => {
    const bodies: unknown[] = [];
    const reply = {
      code: () => reply,
      type: () => reply,
      send: (body: unknown) => (bodies.push(body), reply),
    };
    sendProblem(reply as never, problem(409, 'a live grant covers it', { liveGrantId: full.id }));
    sendProblem(reply as never, problem(409, 'no longer live', { grantId: full.id }));
    sendProblem(reply as never, invalid([{ field: 'provider', rule: 'must be one of: ldap' }]));
    for (const body of bodies) {
      expect(validator.component('Problem')(body), JSON.stringify(body)).toBe(true);
      expect(undeclaredKeys(doc, { $ref: '#/components/schemas/Problem' }, body)).toEqual([]);
    }
  });
});

describe('the routes', () => {
  it('serves the document at /openapi.json without a token', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(app.swagger())));
    expect(Object.keys(response.json().paths)).toEqual(
      Object.keys(
        (await documentOf(POLICY, { reviews: true, codec: true, sharedAccounts: true, incidents: true }))
          .paths as object,
      ),
    );
  });

  it.each(['/docs', '/docs/'])('serves Swagger UI at %s with its assets from this origin', async (start) => {
    let url = start;
    let response = await app.inject({ method: 'GET', url });
    for (let hops = 0; response.statusCode >= 300 && response.statusCode < 400 && hops < 3; hops++) {
      url = new URL(String(response.headers.location), `http://localhost${url}`).pathname;
      response = await app.inject({ method: 'GET', url });
    }
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.headers['content-security-policy']).toBe(DOCS_CSP);
    const assets = [...response.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/)]));
    for (const asset of assets) {
      // Resolved as the browser does, against the page's own URL.
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const path = new URL(asset, `http://localhost${url}`).pathname;
      expect((await app.inject({ method: 'GET', url: path })).statusCode, path).toBe(200);
    }
    // The page's script fetches the document from `./json`, resolved against the page URL with a slash.
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).json()).toEqual(doc);
  });

  it('keeps the docs policy when the app adds a stricter CSP, before or after', async () => {
    for (const hookFirst of [true, false]) {
      const other = Fastify();
      const strict = () =>
        other.addHook('onSend', async (_request, reply) => {
          reply.header('content-security-policy', "default-src 'none'");
        });
      if (hookFirst) strict();
      await docsRoutes(other, { document: await documentOf(POLICY) });
      if (!hookFirst) strict();
      const page = await other.inject({ method: 'GET', url: '/docs/' });
      expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
      const api = await other.inject({ method: 'GET', url: '/openapi.json' });
      expect(api.headers['content-security-policy']).toBe("default-src 'none'");
      await other.close();
    }
  });
});
