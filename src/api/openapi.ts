/**
 * The OpenAPI 3.1 document of the HTTP API (DESIGN.md "HTTP API (v1)"), generated from the zod schemas that
 * validate requests (schemas.ts) and describe answers (response-schemas.ts), so that it cannot drift from
 * what the code accepts. Served at `/openapi.json` and browsable at `/docs` (docs.ts).
 */
import { ROLES, type Role } from '../../domain/actor.js';
import { can, type Permission } from './auth.js';
import { apiOperations } from './openapi-operations.js';
import {
  componentSchemas,
  JsonSchemaConverter,
  problem,
  type JsonObject,
  type OperationSpec,
} from './openapi-parts.js';
import { isRateLimited } from './rate-limit.js';
import { RESPONSE_COMPONENTS } from './response-schemas.js';
import { grantIdSchema, type GrantPolicy } from './schemas.js';

/** Parts of the API that are documented only once they are served. */
export interface OpenApiOptions {
  include?: {
    /** `POST /v1/reviews`, `GET /v1/reviews/latest` and `/v1/reviews/latest.csv`; default false. */
    reviews?: boolean;
    /** `POST /codec/encode` and `/codec/decode`; default false. */
    codec?: boolean;
  };
}

/** The permission of auth.ts that each role of DESIGN.md's role column stands for. */
const PERMISSION_OF: Record<Role, Permission> = {
  requester: 'request',
  approver: 'approve',
  admin: 'admin',
  auditor: 'read',
};

/** Every role whose tokens may do what `role` may: derived from auth.ts, so it cannot disagree with it. */
function allowedRoles(role: Role): Role[] {
  return ROLES.filter((r) => can({ name: '', roles: [r] }, PERMISSION_OF[role]));
}

/** Who may call, for people (the description) and for tools (`x-required-role`, `x-allowed-roles`). */
function access(role: Role | undefined): { text: string; fields: JsonObject } {
  if (!role) return { text: 'Public: no token needed.', fields: { security: [], 'x-required-role': 'none' } };
  const allowed = allowedRoles(role);
  return {
    text: `Role: \`${role}\` (tokens with any of: ${allowed.join(', ')}).`,
    fields: { 'x-required-role': role, 'x-allowed-roles': allowed },
  };
}

/** The answers every operation of its kind can give; the operation's own answers override them. */
function genericErrors(spec: OperationSpec): Record<number, JsonObject> {
  const errors: Record<number, JsonObject> = {};
  if (spec.grantId || spec.body || spec.query)
    errors[400] = problem('Invalid request: `errors` names every failing field and the rule it broke.');
  if (spec.role) {
    errors[401] = problem('No bearer token, or an unknown one.');
    // Every role may read: an operation open to all of them never answers 403.
    if (allowedRoles(spec.role).length < ROLES.length)
      errors[403] = problem(`The token's roles do not allow it (needs ${spec.role}).`);
  }
  if (spec.grantId) errors[404] = problem('No grant with this id.');
  if (spec.body) errors[415] = problem('The body is not `application/json`.');
  if (isRateLimited(spec.method, spec.path))
    errors[429] = problem(
      'More changing requests this minute than `RATE_LIMIT_PER_MINUTE` allows the token; see `Retry-After`.',
    );
  return errors;
}

/** One OpenAPI operation object. */
function operation(spec: OperationSpec, schemas: JsonSchemaConverter): JsonObject {
  const who = access(spec.role);
  const parameters = [
    ...(spec.grantId ? [schemas.path('id', grantIdSchema, 'The grant id.')] : []),
    ...(spec.query ?? []),
  ];
  const responses = { ...genericErrors(spec), ...spec.responses };
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    description: `${spec.description}\n\n${who.text}`,
    ...who.fields,
    ...(parameters.length ? { parameters } : {}),
    ...(spec.body ? { requestBody: spec.body } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Operations grouped by path, in the order they were listed. */
function pathsOf(specs: OperationSpec[], schemas: JsonSchemaConverter): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const spec of specs) (paths[spec.path] ??= {})[spec.method] = operation(spec, schemas);
  return paths;
}

/**
 * The OpenAPI 3.1.0 document of the API under this policy: provider enums list the enabled providers and
 * expiry limits say MAX_GRANT_DAYS. Every operation needs a bearer token unless it says it is public.
 */
export function buildOpenApiDocument(policy: GrantPolicy, options: OpenApiOptions = {}): JsonObject {
  const reviews = options.include?.reviews ?? false;
  const schemas = new JsonSchemaConverter();
  const codec = options.include?.codec ?? false;
  const paths = pathsOf(apiOperations(policy, schemas, reviews, codec), schemas);
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
    tags: [
      { name: 'grants', description: 'Expiring supplier access and its lifecycle.' },
      { name: 'registry', description: 'Every grant ever made.' },
      ...(reviews ? [{ name: 'reviews', description: 'Supplier accounts that nobody granted.' }] : []),
      ...(codec ? [{ name: 'codec', description: 'Reading the encrypted Temporal histories.' }] : []),
      { name: 'health', description: 'For load balancers and orchestrators.' },
    ],
    paths,
    components: {
      // `schemas.defs` is filled while the operations are converted, above.
      schemas: { ...schemas.defs, ...componentSchemas(RESPONSE_COMPONENTS) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token listed in `API_TOKENS`.' },
      },
    },
  };
}
