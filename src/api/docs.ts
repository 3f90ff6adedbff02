/**
 * The API's documentation, public like `/healthz`: the OpenAPI document at `GET /openapi.json` and Swagger UI
 * at `/docs`. Swagger UI's assets come from node_modules (@fastify/swagger-ui), never from a CDN: the
 * service runs where there is no internet.
 */
import fastifySwagger, { type StaticDocumentSpec } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, onSendHookHandler } from 'fastify';
import type { JsonObject } from './json-schema.js';

/** Options of `docsRoutes`. */
export interface DocsOptions {
  /** The OpenAPI document, built from the routes (openapi.ts). */
  document: JsonObject;
}

/**
 * The Content-Security-Policy of the `/docs` pages. Swagger UI loads only its own scripts and styles, shows
 * inline SVG icons as `data:` images, and fetches the document and "try it out" calls from this origin.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const setDocsCsp: onSendHookHandler = (_request, reply, payload, done) => {
  reply.header('content-security-policy', DOCS_CSP);
  done(null, payload);
};

/**
 * Serves the OpenAPI document built from the routes at `GET /openapi.json` and browses it with Swagger UI at
 * `/docs` (its assets under `/docs/static/`). Neither needs a token.
 */
export async function docsRoutes(app: FastifyInstance, { document }: DocsOptions): Promise<void> {
  // Static mode: the plugin's dynamic mode converts route schemas as JSON Schema, and ours are zod's; openapi.ts
  // converts them (input side for requests, shared components for answers) from the same routes.
  await app.register(fastifySwagger, {
    mode: 'static',
    // The plugin's type predates OpenAPI 3.1 documents; the shape is checked by test/api/openapi.test.ts.
    specification: { document: document as unknown as StaticDocumentSpec['document'] },
  });
  await app.register(async (docs) => {
    // Route-level hooks run after every app-level hook of their kind, whenever those were added: an
    // API-wide CSP stricter than this one cannot break the page, wherever this function is called.
    docs.addHook('onRoute', (route) => {
      route.onSend = [...[route.onSend ?? []].flat(), setDocsCsp];
    });
    await docs.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { deepLinking: true, persistAuthorization: false, tryItOutEnabled: false },
    });
  });

  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(document));
}
