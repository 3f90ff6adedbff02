/**
 * The Fastify server: every request passes, in order,
 *   concurrency limit (429) → artificial latency → `Authorization: SSWS <token>` (401; any live API token of the
 *   org; not for the public /api/v1/authn and /oauth2/v1/token)
 *   → rate-limit bucket (429) → injected failures (failNext) → the route,
 * and is recorded in the request log. Every answer carries the X-Rate-Limit-* headers of its bucket.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { pathOf, queryOf, type FakeContext } from './context.js';
import {
  injectedFailure,
  invalidToken,
  malformedBody,
  OktaApiError,
  oktaErrorBody,
  pathNotFound,
  rateLimited,
} from './errors.js';
import { randomChars } from './ids.js';
import { bucketOf, type Bucket } from './rate-limiter.js';
import { AUTHN_PATH, registerAuthnRoutes } from './routes-authn.js';
import { registerAppRoutes } from './routes-apps.js';
import { registerGroupRoutes } from './routes-groups.js';
import { registerTokenRoutes, TOKEN_PATH } from './routes-token.js';
import { registerUserRoutes } from './routes-users.js';

interface RequestMeta {
  at: number;
  path: string;
  bucket: Bucket;
  entered: boolean;
  recorded: boolean;
}

const metas = new WeakMap<FastifyRequest, RequestMeta>();

function sswsToken(req: FastifyRequest): string {
  const m = /^SSWS (\S+)$/.exec(req.headers.authorization ?? '');
  return m?.[1] ?? '';
}

export function buildServer(ctx: FakeContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    // Logins (up to 100 characters, percent-encoded) travel as path parameters.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
  });

  // Okta's clients may POST lifecycle calls with `Content-Type: application/json` and no body: accept that,
  // and parse any body as JSON whatever its declared type, but a form (the token endpoint's).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(malformedBody(), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req);
    const meta: RequestMeta = {
      at: Date.now(),
      path,
      bucket: bucketOf(req.method, path),
      entered: false,
      recorded: false,
    };
    metas.set(req, meta);
    reply.header('x-okta-request-id', randomChars(27));

    if (!ctx.limiter.enter()) {
      reply.headers(ctx.limiter.concurrencyHeaders());
      throw rateLimited();
    }
    meta.entered = true;
    if (ctx.latencyMs > 0) await sleep(ctx.latencyMs);

    // The Authentication API and the token endpoint are public: people and clients sign in there themselves.
    if (path !== AUTHN_PATH && path !== TOKEN_PATH && !ctx.apiTokens.use(sswsToken(req))) {
      reply.headers(ctx.limiter.peek(meta.bucket));
      throw invalidToken();
    }

    const { allowed, headers } = ctx.limiter.consume(meta.bucket);
    reply.headers(headers);
    if (!allowed) throw rateLimited();

    const failure = ctx.failures[0];
    if (failure) {
      failure.remaining--;
      if (failure.remaining <= 0) ctx.failures.shift();
      if (failure.status === 429) reply.header('x-rate-limit-remaining', '0');
      throw injectedFailure(failure.status);
    }
  });

  const finish = (req: FastifyRequest, status: number) => {
    const meta = metas.get(req);
    if (!meta) return;
    if (meta.entered) {
      meta.entered = false;
      ctx.limiter.leave();
    }
    if (!meta.recorded) {
      meta.recorded = true;
      ctx.requests.push({
        method: req.method,
        path: meta.path,
        query: Object.fromEntries(queryOf(req)),
        status,
        at: meta.at,
        bucket: meta.bucket,
        durationMs: Date.now() - meta.at,
      });
    }
  };

  // Recorded before the answer leaves, so a client that has its response sees it in the log.
  app.addHook('onSend', async (req, reply, payload) => {
    finish(req, reply.statusCode);
    return payload;
  });
  app.addHook('onRequestAbort', async (req) => finish(req, 499));

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof OktaApiError) return reply.code(err.status).send(err.body());
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413)
      return reply.code(413).send(oktaErrorBody('E0000001', 'Api validation failed: request too large'));
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(400).send(malformedBody().body());
    return reply.code(500).send(oktaErrorBody('E0000009', 'Internal Server Error'));
  });

  app.setNotFoundHandler((_req, reply) => reply.code(404).send(pathNotFound().body()));

  registerUserRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerAuthnRoutes(app, ctx);
  registerAppRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  return app;
}
