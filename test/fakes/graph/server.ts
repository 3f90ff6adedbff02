/**
 * The HTTPS server: one origin serves both the Entra ID endpoints (`/{tenant}/oauth2/v2.0/token`, discovery) and
 * Microsoft Graph (`/v1.0/...`). Every Graph request passes, in order,
 *   artificial latency → bearer token (401) → throttling budget (429 + Retry-After) → injected failures → route
 * and every request is recorded in the log (bodies redacted) before its answer leaves.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyRequest } from 'fastify';
import {
  pathOf,
  queryOf,
  rawBody,
  sendGraph,
  setClaims,
  type GraphFakeContext,
  type GraphFakeServer,
  type RecordedRequest,
} from './context.js';
import {
  GraphApiError,
  IdentityError,
  injectedFailure,
  notImplementedByFake,
  segmentNotFound,
  tooManyRequests,
} from './errors.js';
import { guid, stsTimestamp } from './ids.js';
import { registerApplicationRoutes } from './routes-applications.js';
import { registerGroupRoutes } from './routes-groups.js';
import { registerIdentityRoutes } from './routes-identity.js';
import { registerInvitationRoutes } from './routes-invitations.js';
import { registerUserRoutes } from './routes-users.js';

interface RequestMeta {
  at: number;
  service: RecordedRequest['service'];
  requestId: string;
  clientRequestId: string;
  recorded: boolean;
  errorCode?: string;
}

const metas = new WeakMap<FastifyRequest, RequestMeta>();

const SECRET_KEYS = new Set([
  'password',
  'client_secret',
  'client_assertion',
  'access_token',
  'refresh_token',
]);

/** A copy of `value` with every secret-bearing field replaced. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[REDACTED]' : redact(v)]),
    );
  }
  return value;
}

function loggedBody(req: FastifyRequest): unknown {
  const text = rawBody(req);
  if (text.trim() === '') return undefined;
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded'))
    return redact(Object.fromEntries(new URLSearchParams(text)));
  try {
    return redact(JSON.parse(text));
  } catch {
    return '[unparsable body]';
  }
}

export function buildServer(ctx: GraphFakeContext, tls: { key: string; cert: string }): GraphFakeServer {
  const app = Fastify({
    https: { key: tls.key, cert: tls.cert },
    logger: false,
    bodyLimit: 4 * 1024 * 1024,
    // UPNs (with #EXT#) travel as path parameters; Graph's path segments are case-insensitive.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true, caseSensitive: false },
  });

  // Keep bodies as text: Graph routes parse JSON (with Graph's 400), the token endpoint parses forms.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, typeof body === 'string' ? body : body.toString('utf8'));
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req);
    const service: RecordedRequest['service'] = /^\/(v1\.0|beta)(\/|$)/i.test(path) ? 'graph' : 'identity';
    const requestId = guid();
    const sent = req.headers['client-request-id'];
    const clientRequestId = typeof sent === 'string' && sent !== '' ? sent : requestId;
    metas.set(req, { at: Date.now(), service, requestId, clientRequestId, recorded: false });
    if (ctx.latencyMs > 0) await sleep(ctx.latencyMs);
    if (service === 'identity') {
      reply.header('x-ms-request-id', requestId);
      return;
    }
    reply.header('request-id', requestId);
    reply.header('client-request-id', clientRequestId);
    reply.header(
      'x-ms-ags-diagnostic',
      JSON.stringify({
        ServerInfo: { DataCenter: 'Local', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'FAKE' },
      }),
    );
    reply.header('strict-transport-security', 'max-age=31536000');

    try {
      setClaims(req, ctx.tokens.validate(req.headers.authorization));
    } catch (err) {
      reply.header(
        'www-authenticate',
        `Bearer realm="", authorization_uri="${ctx.origin}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
      );
      throw err;
    }
    if (/^\/beta(\/|$)/i.test(path)) throw notImplementedByFake('The beta endpoint');

    const t = ctx.throttle;
    const now = Date.now();
    if (now - t.windowStart >= t.windowMs) {
      t.windowStart = now;
      t.used = 0;
    }
    if (t.used >= t.limit) {
      const retryAfter = Math.max(1, Math.ceil((t.windowStart + t.windowMs - now) / 1000));
      throw tooManyRequests(retryAfter, `${ctx.clientId}+${ctx.tenantId}`);
    }
    t.used++;

    const failure = ctx.failures[0];
    if (failure) {
      failure.remaining--;
      if (failure.remaining <= 0) ctx.failures.shift();
      if (failure.status === 429)
        throw tooManyRequests(failure.retryAfterSeconds ?? 1, `${ctx.clientId}+${ctx.tenantId}`);
      throw injectedFailure(
        failure.status,
        failure.retryAfterSeconds ?? (failure.status === 503 ? 1 : undefined),
      );
    }
  });

  const record = (req: FastifyRequest, status: number) => {
    const meta = metas.get(req);
    if (!meta || meta.recorded) return;
    meta.recorded = true;
    const entry: RecordedRequest = {
      service: meta.service,
      method: req.method,
      path: pathOf(req),
      query: Object.fromEntries(queryOf(req)),
      status,
      at: meta.at,
      durationMs: Date.now() - meta.at,
    };
    const body = loggedBody(req);
    if (body !== undefined) entry.body = body;
    if (meta.errorCode !== undefined) entry.errorCode = meta.errorCode;
    const crid = req.headers['client-request-id'];
    if (typeof crid === 'string') entry.clientRequestId = crid;
    const attempt = req.headers['retry-attempt'];
    if (typeof attempt === 'string') entry.retryAttempt = Number(attempt);
    const cl = req.headers.consistencylevel;
    if (typeof cl === 'string') entry.consistencyLevel = cl;
    ctx.requests.push(entry);
  };

  // Recorded before the answer leaves, so a client that has its response sees it in the log.
  app.addHook('onSend', async (req, reply, payload) => {
    record(req, reply.statusCode);
    return payload;
  });
  app.addHook('onRequestAbort', async (req) => record(req, 499));

  app.setErrorHandler((err, req, reply) => {
    const meta = metas.get(req);
    const requestId = meta?.requestId ?? guid();
    const clientRequestId = meta?.clientRequestId ?? requestId;
    if (err instanceof GraphApiError) {
      if (meta) meta.errorCode = err.code;
      reply.headers(err.headers);
      return sendGraph(reply, err.status, err.body(requestId, clientRequestId));
    }
    if (err instanceof IdentityError) {
      if (meta) meta.errorCode = err.error;
      return reply
        .code(err.status)
        .type('application/json; charset=utf-8')
        .send({
          error: err.error,
          error_description: `${err.message}\r\nTrace ID: ${requestId}\r\nCorrelation ID: ${clientRequestId}\r\nTimestamp: ${stsTimestamp()}`,
          error_codes: [err.aadsts],
          timestamp: stsTimestamp(),
          trace_id: requestId,
          correlation_id: clientRequestId,
          error_uri: `${ctx.origin}/error?code=${err.aadsts}`,
        });
    }
    const status = (err as { statusCode?: number }).statusCode;
    const wrapped =
      status !== undefined && status >= 400 && status < 500
        ? new GraphApiError(
            status === 413 ? 413 : 400,
            'BadRequest',
            err instanceof Error ? err.message : String(err),
          )
        : new GraphApiError(500, 'generalException', `Graph fake internal error: ${String(err)}`);
    if (meta) meta.errorCode = wrapped.code;
    return sendGraph(reply, wrapped.status, wrapped.body(requestId, clientRequestId));
  });

  app.setNotFoundHandler((req, reply) => {
    const meta = metas.get(req);
    if (meta?.service === 'graph') {
      const segments = pathOf(req).split('/').filter(Boolean);
      const err = segmentNotFound(segments[segments.length - 1] ?? '');
      meta.errorCode = err.code;
      return sendGraph(reply, err.status, err.body(meta.requestId, meta.clientRequestId));
    }
    return reply.code(404).type('text/plain').send('Not Found');
  });

  registerIdentityRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerInvitationRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  return app;
}
