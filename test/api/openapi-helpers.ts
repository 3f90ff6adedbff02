import type { Payload } from '@temporalio/common';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import type { JsonObject } from '../../src/api/json-schema.js';
import type { IncidentService } from '../../src/api/incident-service.js';
import type { ReviewService } from '../../src/api/review-service.js';
import type { GrantPolicy } from '../../src/api/schemas.js';
import type { SharedAccountService } from '../../src/api/shared-account-service.js';
import { createLogger } from '../../src/logger.js';
import type { GrantRecord, RegistryStore } from '../../src/registry/types.js';
import type { GrantEvent } from '../../domain/events.js';

const DOC_ID = 'urn:supplier-access:openapi';

/** Every `$ref` anywhere in a document. */
export function refsOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsOf(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refsOf(inner, found);
    }
  }
  return found;
}

/** Every key of that name anywhere in a document. */
export function keysNamed(value: unknown, name: string): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + keysNamed(item, name), 0);
  if (typeof value !== 'object' || value === null) return 0;
  return Object.entries(value).reduce(
    (n, [key, inner]) => n + (key === name ? 1 : 0) + keysNamed(inner, name),
    0,
  );
}

/** What a local reference points at, or undefined. */
export function resolve(doc: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

/**
 * Validates values against the document's own schemas with a JSON Schema 2020-12 validator: the components
 * become `$defs` of one schema so that their `$ref`s resolve.
 */
export class DocumentValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, validateFormats: false });

  constructor(doc: JsonObject) {
    const components = (doc.components as { schemas: JsonObject }).schemas;
    this.ajv.addSchema({ $id: DOC_ID, $defs: this.relocate(components) });
  }

  /** The validator of a component schema. */
  component(name: string): ValidateFunction {
    const validate = this.ajv.getSchema(`${DOC_ID}#/$defs/${name}`);
    if (!validate) throw new Error(`no component ${name}`);
    return validate;
  }

  /** The validator of a schema embedded in the document (a request body, a parameter). */
  schema(schema: unknown): ValidateFunction {
    return this.ajv.compile(this.relocate(schema) as JsonObject);
  }

  private relocate(schema: unknown): unknown {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${DOC_ID}#/$defs/`));
  }
}

/**
 * The keys of a value that its schema does not declare (following `$ref` and `allOf`), as dotted paths: a
 * response schema must name every field the API sends.
 */
export function undeclaredKeys(doc: JsonObject, schema: unknown, value: unknown, path = ''): string[] {
  const node = schema as JsonObject;
  if (typeof node.$ref === 'string') return undeclaredKeys(doc, resolve(doc, node.$ref), value, path);
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => undeclaredKeys(doc, node.items, item, `${path}[${i}]`));
  }
  if (typeof value !== 'object' || value === null) return [];
  const parts = [node, ...((node.allOf as JsonObject[] | undefined) ?? []).map((s) => followRef(doc, s))];
  const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {})) as JsonObject;
  if (parts.some((p) => typeof p.additionalProperties === 'object')) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key in properties ? undeclaredKeys(doc, properties[key], inner, `${path}${key}.`) : [`${path}${key}`],
  );
}

function followRef(doc: JsonObject, schema: JsonObject): JsonObject {
  return typeof schema.$ref === 'string' ? (resolve(doc, schema.$ref) as JsonObject) : schema;
}

/** A grant with every optional field set, and its trail. */
export function fullGrant(): { grant: GrantRecord; events: GrantEvent[] } {
  const grant: GrantRecord = {
    id: '0b6f1f43-3c55-4c1e-9d9a-1f0c3f4d2a11',
    workflowId: 'grant-ldap-sup-acme',
    provider: 'ldap',
    supplierId: '7c2e4a10-5b3d-4f6e-8a9b-0c1d2e3f4a5b',
    organisation: 'Acme Printers Ltd',
    contactEmail: 'support@acme.example',
    username: 'sup-acme-printers-ltd',
    externalId: 'uid=sup-acme-printers-ltd,ou=people,dc=example,dc=org',
    displayName: 'Acme Printers Ltd (supplier)',
    status: 'revoked',
    expiresAt: '2030-01-08T00:00:00.000Z',
    reason: 'printer maintenance',
    ticket: 'CHG-1234',
    groups: ['printers'],
    requestedBy: 'rita',
    createdAt: '2030-01-01T00:00:00.000Z',
    endedAt: '2030-01-01T00:00:05.000Z',
    pendingExtension: {
      expiresAt: '2030-01-15T00:00:00.000Z',
      reason: 'overran',
      requestedBy: 'rita',
      requestedAt: '2030-01-02T00:00:00.000Z',
    },
    failure: { kind: 'provider-conflict', message: 'entry exists' },
    provisionedAt: '2030-01-01T00:00:01.000Z',
    closedAt: '2030-01-01T00:00:06.000Z',
    door: 'lend',
    sharedAccountId: '3d9a1c52-7e4b-4a0f-9c6d-2b8e5f1a7c30',
  };
  const events: GrantEvent[] = [
    { type: 'created', at: grant.createdAt, actor: 'rita' },
    { type: 'extension-requested', at: '2030-01-02T00:00:00.000Z', actor: 'rita', details: { reason: 'x' } },
    { type: 'revoked', at: '2030-01-01T00:00:05.000Z', actor: 'ada', details: { reason: 'done early' } },
  ];
  return { grant, events };
}

/** A grant with no optional field set. */
export function bareGrant(): GrantRecord {
  const { grant } = fullGrant();
  return {
    ...grant,
    id: '5d1c7a2e-8f0b-4b8e-a6d4-3e2f1a0b9c88',
    status: 'provisioning',
    supplierId: undefined,
    contactEmail: undefined,
    externalId: undefined,
    ticket: undefined,
    groups: [],
    endedAt: undefined,
    pendingExtension: undefined,
    failure: undefined,
    provisionedAt: undefined,
    closedAt: undefined,
    door: 'account',
    sharedAccountId: undefined,
  };
}

/** docs/api.md's table: every operation and the role it needs. */
export const DESIGN_ROLES: Record<string, string> = {
  'post /v1/grants': 'requester',
  'get /v1/grants': 'auditor',
  'get /v1/grants/{id}': 'auditor',
  'post /v1/grants/{id}/credential': 'requester',
  'post /v1/grants/{id}/extensions': 'requester',
  'post /v1/grants/{id}/extensions/approve': 'approver',
  'post /v1/grants/{id}/extensions/reject': 'approver',
  'post /v1/grants/{id}/shorten': 'requester',
  'post /v1/grants/{id}/revoke': 'admin',
  'get /v1/registry.csv': 'auditor',
  'post /v1/suppliers': 'requester',
  'get /v1/suppliers': 'auditor',
  'get /v1/suppliers/{id}': 'auditor',
  'patch /v1/suppliers/{id}': 'requester',
  'get /v1/doors': 'auditor',
  'get /v1/doors.csv': 'auditor',
  'get /healthz': 'none',
  'get /readyz': 'none',
};
export const REVIEW_ROLES = {
  'post /v1/reviews': 'admin',
  'get /v1/reviews/latest': 'auditor',
  'get /v1/reviews/latest.csv': 'auditor',
  'get /v1/reviews/{id}': 'auditor',
};

/**
 * The shared-account routes. The custodian's claim, discard and rotation are open to every role: who may is the
 * custodian by name (or an admin), which the routes check themselves.
 */
export const SHARED_ACCOUNT_ROLES = {
  'post /v1/shared-accounts': 'admin',
  'get /v1/shared-accounts': 'auditor',
  'get /v1/shared-accounts/{id}': 'auditor',
  'patch /v1/shared-accounts/{id}': 'admin',
  'post /v1/shared-accounts/{id}/lends': 'requester',
  'get /v1/shared-accounts/{id}/lends': 'auditor',
  'post /v1/shared-accounts/{id}/return': 'requester',
  'post /v1/shared-accounts/{id}/credential': 'auditor',
  'delete /v1/shared-accounts/{id}/credential': 'auditor',
  'post /v1/shared-accounts/{id}/rotate': 'auditor',
};

/** The incident routes: the register is read by auditors and admins only (`x-allowed-roles`). */
export const INCIDENT_ROLES = {
  'post /v1/suppliers/{id}/incident': 'admin',
  'delete /v1/suppliers/{id}/block': 'admin',
  'post /v1/incidents': 'admin',
  'get /v1/incidents': 'auditor',
  'get /v1/incidents.csv': 'auditor',
  'get /v1/incidents.json': 'auditor',
  'get /v1/incidents/{id}': 'auditor',
  'patch /v1/incidents/{id}': 'admin',
};

export const CODEC_ROLES = {
  'post /codec/decode': 'admin',
  'post /codec/encode': 'admin',
};

/** `method path` of every operation of a document. */
export const operationsOf = (document: JsonObject) =>
  Object.entries(document.paths as Record<string, Record<string, JsonObject>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ key: `${method} ${path}`, operation })),
  );

/** A registry that holds the two grants of `fullGrant` and `bareGrant`; only the reads the API makes. */
export function fakeRegistry(): RegistryStore {
  const { grant: full, events } = fullGrant();
  const reads: Pick<RegistryStore, 'getGrant' | 'listEvents' | 'listEventsOf' | 'listGrants'> = {
    getGrant: async (id) => [full, bareGrant()].find((g) => g.id === id) ?? null,
    listEvents: async (id) => (id === full.id ? events : []),
    listEventsOf: async () => new Map([[full.id, events]]),
    listGrants: async () => ({
      grants: [full, bareGrant()],
      next: { createdAt: full.createdAt, id: full.id },
    }),
  };
  return reads as RegistryStore;
}

/** The document an app serving this policy builds from its routes; reviews, codec, shared accounts, incidents when included. */
export async function documentOf(
  policy: GrantPolicy,
  include: { reviews?: boolean; codec?: boolean; sharedAccounts?: boolean; incidents?: boolean } = {},
): Promise<JsonObject> {
  const codec = { encode: async (p: Payload[]) => p, decode: async (p: Payload[]) => p };
  const app = await buildApp({
    authenticator: new TokenAuthenticator([]),
    // Routes are registered, never called.
    service: {} as GrantService,
    reviews: include.reviews ? ({} as ReviewService) : undefined,
    sharedAccounts: include.sharedAccounts ? ({} as SharedAccountService) : undefined,
    incidents: include.incidents ? ({} as IncidentService) : undefined,
    codec: include.codec ? { codec, corsOrigins: [] } : undefined,
    registry: fakeRegistry(),
    policy,
    logger: createLogger('silent'),
  });
  await app.ready();
  const document = app.swagger() as unknown as JsonObject;
  await app.close();
  return document;
}
