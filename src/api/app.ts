import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { CheckResult } from '../readiness.js';
import type { RegistryStore } from '../registry/types.js';
import type { TokenAuthenticator } from './auth.js';
import { codecRoutes, type CodecRoutesOptions } from './codec-routes.js';
import type { GrantService } from './grant-service.js';
import { docsRoutes } from './docs.js';
import { doorRoutes } from './door-routes.js';
import { grantChangeRoutes } from './grant-changes.js';
import { grantRoutes } from './grants.js';
import { healthRoutes } from './health-routes.js';
import { incidentRoutes } from './incident-routes.js';
import type { IncidentService } from './incident-service.js';
import { lendRoutes } from './lend-routes.js';
import { manualDoorRoutes } from './manual-door-routes.js';
import type { ManualDoorService } from './manual-door-service.js';
import { parseJsonStrictly } from './json-body.js';
import { buildOpenApiDocument } from './openapi.js';
import { HttpProblem, invalid, problem, sendProblem } from './problem.js';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, registerRateLimit } from './rate-limit.js';
import { registryRoutes } from './registry-routes.js';
import { reviewRoutes } from './review-routes.js';
import type { ReviewService } from './review-service.js';
import { useRouteContracts } from './route-contract.js';
import type { GrantPolicy } from './schemas.js';
import { sharedAccountRoutes } from './shared-account-routes.js';
import type { SharedAccountService } from './shared-account-service.js';
import { supplierRoutes } from './supplier-routes.js';
import { SupplierService } from './supplier-service.js';
import { webRoutes, type WebOptions } from '../web/index.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppDeps {
  authenticator: TokenAuthenticator;
  service: GrantService;
  registry: RegistryStore;
  policy: GrantPolicy;
  logger: FastifyBaseLogger;
  /** The supplier registry behind `/v1/suppliers`; by default one on `registry`, with no contract-end hook. */
  suppliers?: SupplierService | undefined;
  /** Shared accounts and their lends; without it the `/v1/shared-accounts` routes are absent. */
  sharedAccounts?: SharedAccountService | undefined;
  /** Doors no API can close; without it the `/v1/manual-doors` routes are absent. */
  manualDoors?: ManualDoorService | undefined;
  /** The confidentiality-incident register and the closing of a breached supplier's doors; without it, absent. */
  incidents?: IncidentService | undefined;
  /** Access reviews on demand; without it the review routes are absent. */
  reviews?: ReviewService | undefined;
  /** The payload codec behind `/codec/encode` and `/codec/decode`; without it those routes are absent. */
  codec?: CodecRoutesOptions | undefined;
  /** Changing requests each token (or, without one, each address) may make per minute; 0 → no limit. */
  rateLimitPerMinute?: number;
  /** The web page at `/` (its session cookie sealed with `codec`); without it there is no page. */
  web?: Pick<WebOptions, 'codec' | 'identify' | 'publicUrl'> | undefined;
  /** Checks each backing service (Temporal, each directory); `/readyz` reports them, 503 when one is down. */
  readiness?: () => Promise<Record<string, CheckResult>>;
  now?: () => number;
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KiB, a malformed request line)
 * still get a problem body, then the connection is closed as Node would close it.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request headers are larger than 16 KiB']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request took too long to arrive']
        : [400, 'the request is not well-formed HTTP'];
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status], status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The HTTP API as a Fastify instance, built from its dependencies (tests use `app.inject`). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    // Errors Fastify finds before routing (an undecodable path, an over-long path parameter) are problems too.
    frameworkErrors: (error, _request, reply) => {
      const rule =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'each path segment must be at most 100 characters'
          : 'must be a well-formed, percent-encoded URL path';
      void sendProblem(reply, invalid([{ field: 'path', rule }]));
    },
    clientErrorHandler: answerClientError,
  });

  const routes = useRouteContracts(app);

  app.addHook('onRequest', async (request) => {
    const actor = deps.authenticator.authenticate(request.headers.authorization);
    if (actor) request.actor = actor;
  });

  // Once closing, answers end their connection: an idle keep-alive connection would hold the shutdown open
  // for as long as its timeout, and the client would send its next request into a closing server.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    // JSON and CSV need nothing from a browser; /docs sets its own policy for Swagger UI.
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  });

  await registerRateLimit(app, deps.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE);

  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? BODY_LIMIT_BYTES;
      return sendProblem(reply, invalid([{ field: 'body', rule: `must be at most ${limit} bytes` }]));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(reply, problem(415, 'send the body as application/json'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, invalid([{ field: 'body', rule: error.message }]));
    }
    // 5xx: log the internals, tell the caller nothing about them.
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem(500, 'internal error; the incident was logged'));
  });

  // JSON only: a text/plain body is an unsupported media type (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  parseJsonStrictly(app);

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  grantRoutes(app, { service: deps.service, registry: deps.registry, policy: deps.policy, now: deps.now });
  grantChangeRoutes(app, {
    service: deps.service,
    registry: deps.registry,
    policy: deps.policy,
    now: deps.now,
  });
  registryRoutes(app, { registry: deps.registry, policy: deps.policy });
  supplierRoutes(app, {
    suppliers: deps.suppliers ?? new SupplierService({ registry: deps.registry, now: deps.now }),
    registry: deps.registry,
    now: deps.now,
  });
  if (deps.sharedAccounts) {
    const shared = { sharedAccounts: deps.sharedAccounts, registry: deps.registry };
    sharedAccountRoutes(app, { ...shared, providers: deps.policy.providers });
    lendRoutes(app, { ...shared, grants: deps.service, policy: deps.policy, now: deps.now });
  }
  if (deps.manualDoors) {
    manualDoorRoutes(app, {
      manualDoors: deps.manualDoors,
      registry: deps.registry,
      policy: deps.policy,
      now: deps.now,
    });
  }
  doorRoutes(app, { registry: deps.registry, now: deps.now });
  if (deps.incidents) incidentRoutes(app, { incidents: deps.incidents, now: deps.now });
  if (deps.reviews) reviewRoutes(app, { registry: deps.registry, reviews: deps.reviews });
  if (deps.codec) await codecRoutes(app, deps.codec);
  healthRoutes(app, deps.readiness);
  if (deps.web) {
    await webRoutes(app, {
      ...deps.web,
      authenticator: deps.authenticator,
      providers: deps.policy.providers,
      now: deps.now,
    });
  }
  // Every route with a contract is added by now: the document is built from them.
  await app.after();
  await docsRoutes(app, { document: buildOpenApiDocument(routes) });
  return app;
}
