/**
 * The OpenAPI 3.1 document of the HTTP API, built from the routes themselves: each declares its schemas,
 * summary, tags and permission (route-contract.ts), so the document cannot drift from what the code accepts.
 * Served at `/openapi.json` and browsable at `/docs` (docs.ts).
 */
import { z } from 'zod';
import { ROLES, type Role } from '../../domain/actor.js';
import type { Answer } from './answers.js';
import { can, type Permission } from './auth.js';
import { componentSchemas, JsonSchemaConverter, ref, type JsonObject } from './json-schema.js';
import { isRateLimited } from './rate-limit.js';
import { RESPONSE_COMPONENTS } from './response-schemas.js';
import { SHARED_ACCOUNT_COMPONENTS } from './shared-account-responses.js';
import { DOOR_COMPONENTS } from './door-responses.js';
import { SUPPLIER_COMPONENTS } from './supplier-responses.js';
import { MANUAL_DOOR_COMPONENTS } from './manual-door-responses.js';
import { INCIDENT_COMPONENTS } from './incident-responses.js';
import type { DeclaredRoute } from './route-contract.js';

/** The role of docs/api.md's role column that each permission of auth.ts stands for. */
const ROLE_OF: Record<Permission, Role> = {
  request: 'requester',
  approve: 'approver',
  admin: 'admin',
  read: 'auditor',
  audit: 'auditor',
};

/** Every role whose tokens hold the permission: derived from auth.ts, so it cannot disagree with it. */
const allowedRoles = (permission: Permission): Role[] =>
  ROLES.filter((r) => can({ name: '', roles: [r] }, permission));

/** Who may call, for people (the description) and for tools (`x-required-role`, `x-allowed-roles`). */
function access(permission: Permission | undefined): { text: string; fields: JsonObject } {
  if (!permission)
    return { text: 'Public: no token needed.', fields: { security: [], 'x-required-role': 'none' } };
  const allowed = allowedRoles(permission);
  return {
    text: `Role: \`${ROLE_OF[permission]}\` (tokens with any of: ${allowed.join(', ')}).`,
    fields: { 'x-required-role': ROLE_OF[permission], 'x-allowed-roles': allowed },
  };
}

const problem = (description: string): JsonObject => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

/** The answers every route of its kind can give; the route's own answers override them. */
function genericErrors({ method, url, schema, permission }: DeclaredRoute): Record<string, JsonObject> {
  const errors: Record<string, JsonObject> = {};
  if (schema.params || schema.body || schema.querystring)
    errors[400] = problem('Invalid request: `errors` names every failing field and the rule it broke.');
  if (permission) {
    errors[401] = problem('No bearer token, or an unknown one.');
    // Every role may read: an operation open to all of them never answers 403.
    if (allowedRoles(permission).length < ROLES.length)
      errors[403] = problem(`The token's roles do not allow it (needs ${ROLE_OF[permission]}).`);
  }
  if (schema.params)
    errors[404] = problem(
      url.startsWith('/v1/suppliers')
        ? 'No supplier with this id.'
        : url.startsWith('/v1/shared-accounts')
          ? 'No shared account with this id.'
          : url.startsWith('/v1/incidents')
            ? 'No incident with this id.'
            : 'No grant with this id.',
    );
  if (schema.body) errors[415] = problem('The body is not `application/json`.');
  if (isRateLimited(method, url))
    errors[429] = problem(
      'More changing requests this minute than `RATE_LIMIT_PER_MINUTE` allows the token; see `Retry-After`.',
    );
  return errors;
}

/** Converts one route's schemas into the document's parts. */
class OperationWriter {
  constructor(private readonly schemas: JsonSchemaConverter) {}

  /** A zod answer schema by its component's `$ref`, or converted in place when it has no id. */
  private answerSchema(schema: unknown): unknown {
    if (!(schema instanceof z.ZodType)) return schema;
    const id = (z.globalRegistry.get(schema) as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? ref(id) : this.schemas.input(schema);
  }

  answer(answer: Answer): JsonObject {
    const content = Object.entries(answer.content).map(([type, { schema }]) => [
      type,
      { schema: this.answerSchema(schema) },
    ]);
    return { ...answer, content: Object.fromEntries(content) };
  }

  parameters({ schema }: DeclaredRoute): JsonObject[] {
    const path = schema.params as z.ZodObject | undefined;
    const query = schema.querystring as z.ZodObject | undefined;
    return [
      ...Object.entries((path?.shape ?? {}) as Record<string, z.ZodType>).map(([name, property]) =>
        this.schemas.path(name, property),
      ),
      ...(query ? this.schemas.query(query, schema.docs?.query ?? { descriptions: {} }) : []),
    ];
  }

  operation(route: DeclaredRoute): JsonObject {
    const { schema } = route;
    const who = access(route.permission);
    const parameters = this.parameters(route);
    const declared = (schema.response ?? {}) as Record<string, Answer>;
    const own = Object.entries(declared).map(([code, answer]): [string, JsonObject] => [
      code,
      this.answer(answer),
    ]);
    const responses: Record<string, JsonObject> = { ...genericErrors(route), ...Object.fromEntries(own) };
    const body = schema.body as z.ZodType | undefined;
    return {
      operationId: schema.operationId,
      tags: schema.tags,
      summary: schema.summary,
      description: `${schema.description}\n\n${who.text}`,
      ...who.fields,
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: this.schemas.body(body, schema.docs?.rules, schema.docs?.example) } : {}),
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

const TAGS = [
  { name: 'grants', description: 'Expiring supplier access and its lifecycle.' },
  { name: 'registry', description: 'Every grant ever made.' },
  { name: 'suppliers', description: 'The supplier organisations grants are made for.' },
  { name: 'doors', description: 'Every door open at an instant, of every kind, by supplier.' },
  {
    name: 'incidents',
    description: "A supplier's breach closes all its doors; the confidentiality-incident register (Law 25).",
  },
  { name: 'reviews', description: 'Supplier accounts that nobody granted.' },
  { name: 'codec', description: 'Reading the encrypted Temporal histories.' },
  { name: 'health', description: 'For load balancers and orchestrators.' },
];

/**
 * The OpenAPI 3.1.0 document of these routes, in the order they were added. Every operation needs a bearer
 * token unless it says it is public.
 */
export function buildOpenApiDocument(routes: readonly DeclaredRoute[]): JsonObject {
  const schemas = new JsonSchemaConverter();
  const writer = new OperationWriter(schemas);
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = writer.operation(route);
  }
  const used = new Set(routes.flatMap((r) => r.schema.tags ?? []));
  return {
    openapi: '3.1.0',
    info: {
      title: 'supplier-access',
      // The version of the contract, as in the `/v1` of the paths.
      version: '1.0.0',
      description:
        'Grants suppliers expiring accounts in directories. Errors are `application/problem+json` ' +
        '(RFC 9457); instants are ISO-8601 UTC. Tokens and their roles come from `API_TOKENS`: requester, ' +
        'approver, admin (all rights) and auditor (read-only).',
    },
    security: [{ bearer: [] }],
    tags: TAGS.filter((tag) => used.has(tag.name)),
    paths,
    components: {
      // `schemas.defs` is filled while the operations are converted, above.
      schemas: {
        ...schemas.defs,
        ...componentSchemas([
          ...RESPONSE_COMPONENTS,
          ...SUPPLIER_COMPONENTS,
          ...SHARED_ACCOUNT_COMPONENTS,
          ...DOOR_COMPONENTS,
          ...MANUAL_DOOR_COMPONENTS,
          ...INCIDENT_COMPONENTS,
        ]),
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token listed in `API_TOKENS`.' },
      },
    },
  };
}
