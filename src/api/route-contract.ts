/**
 * Routes declare their contract: zod schemas for params, query, body and answers, a summary, tags and the
 * permission they need. This module makes Fastify honour it — the schemas validate the request (with the
 * problem bodies of problem.ts), one hook enforces the permission — and collects the routes, from which
 * openapi.ts builds the document.
 */
import type { FastifyInstance, FastifySchema, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';
import type { QueryOptions } from './json-schema.js';
import { requireActor, type Permission } from './auth.js';
import { parseOrInvalid } from './problem.js';

/** The documentation a route's schema carries beyond what Fastify itself reads. */
export interface RouteDocs {
  /** An example JSON body, shown beside the body's schema. */
  example?: unknown;
  /** What the body's schema checks in code (refinements), as JSON Schema and words; merged into its schema. */
  rules?: Record<string, unknown>;
  /** How the query parameters are documented: what each does, the comma-separated lists, those ignored. */
  query?: QueryOptions;
}

declare module 'fastify' {
  interface FastifySchema {
    docs?: RouteDocs;
  }
  interface FastifyContextConfig {
    /** What the caller's token must allow; absent: the route is public. */
    permission?: Permission;
  }
}

/** Handlers see what the zod schemas output: parsed, trimmed, transformed. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** One route as registered, with what the document needs of it. */
export interface DeclaredRoute {
  method: string;
  /** In Fastify form: `:id`, not `{id}`. */
  url: string;
  schema: FastifySchema;
  permission: Permission | undefined;
}

/** Bodies that stand for `{}` when the request has none: their fields are then named as required. */
const EMPTY_WHEN_ABSENT = new WeakSet<z.ZodType>();

/** Marks a body schema whose absent body is read as `{}`, so each required field is named, not the body. */
export function emptyWhenAbsent<S extends z.ZodType>(schema: S): S {
  EMPTY_WHEN_ABSENT.add(schema);
  return schema;
}

/**
 * Validates requests with the routes' zod schemas, enforces their permissions, and returns the list of routes
 * with a contract, filled as they are added. Call it before any route is registered.
 */
export function useRouteContracts(app: FastifyInstance): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];

  // Fastify passes an absent part as null; the rules of parseOrInvalid name an absent value as required.
  app.setValidatorCompiler<z.ZodType>(({ schema, httpPart }) => {
    if (httpPart === 'params') return () => true; // checked by the preHandler below
    const root = httpPart === 'querystring' ? 'query' : 'body';
    return (data: unknown) => {
      const value = data ?? (EMPTY_WHEN_ABSENT.has(schema) ? {} : undefined);
      try {
        return { value: parseOrInvalid(schema, value, root) };
      } catch (error) {
        return { error: error as Error };
      }
    };
  });
  // The response schemas document the answers; the answers are written as JSON, as without them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // Before validation, after parsing: a caller without the right learns nothing about its input's validity,
  // and a body that is not JSON is refused whoever sends it, as before routes declared their permission.
  app.addHook('preValidation', async (request) => {
    const { permission } = request.routeOptions.config;
    if (permission) request.actor = requireActor(request, permission);
  });

  // Fastify validates the path before the body; the path is checked after it, so that a request wrong in both
  // is told about its body first, as it was when handlers validated (and only then looked the grant up).
  app.addHook('preHandler', async (request) => {
    const params = request.routeOptions.schema?.params as z.ZodType | undefined;
    if (params) request.params = parseOrInvalid(params, request.params, 'params');
  });

  app.addHook('onRoute', (route) => {
    // HEAD routes are Fastify's copies of the GET routes; OPTIONS ones answer CORS preflights.
    const methods = [route.method].flat().filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
    if (!route.schema?.operationId) return;
    for (const method of methods)
      routes.push({ method, url: route.url, schema: route.schema, permission: route.config?.permission });
  });
  return routes;
}
