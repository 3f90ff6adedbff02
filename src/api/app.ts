import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { RegistryStore } from '../registry/types.js';
import type { TokenAuthenticator } from './auth.js';
import type { GrantService } from './grant-service.js';
import { docsRoutes } from './docs.js';
import { grantRoutes } from './grants.js';
import { HttpProblem, invalid, problem, sendProblem } from './problem.js';
import { registryRoutes } from './registry-routes.js';
import { reviewRoutes } from './review-routes.js';
import type { ReviewService } from './review-service.js';
import type { GrantPolicy } from './schemas.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppDeps {
  authenticator: TokenAuthenticator;
  service: GrantService;
  registry: RegistryStore;
  policy: GrantPolicy;
  logger: FastifyBaseLogger;
  /** Access reviews on demand; without it the review routes are absent. */
  reviews?: ReviewService | undefined;
  /** Whether the backing services answer; `/readyz` reports it. */
  ready?: () => Promise<boolean>;
  now?: () => number;
}

/** The HTTP API as a Fastify instance, built from its dependencies (tests use `app.inject`). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
  });

  app.addHook('onRequest', async (request) => {
    const actor = deps.authenticator.authenticate(request.headers.authorization);
    if (actor) request.actor = actor;
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });

  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(
        reply,
        invalid([{ field: 'body', rule: `must be at most ${BODY_LIMIT_BYTES} bytes` }]),
      );
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

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ok = deps.ready ? await deps.ready().catch(() => false) : true;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready' });
  });

  grantRoutes(app, { service: deps.service, registry: deps.registry, policy: deps.policy, now: deps.now });
  registryRoutes(app, { registry: deps.registry, providers: deps.policy.providers });
  if (deps.reviews) reviewRoutes(app, { registry: deps.registry, reviews: deps.reviews });
  await docsRoutes(app, { policy: deps.policy, include: { reviews: Boolean(deps.reviews) } });
  return app;
}
