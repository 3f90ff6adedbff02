/**
 * /api/v1/apps (custom OIDC apps, their lifecycle and client secrets) and /api/v1/api-tokens, with Okta's JSON
 * shapes. A client secret is answered in clear only where it is made: in the app's create answer and in the
 * answer to `POST …/credentials/secrets`; elsewhere only its `secret_hash`.
 */
import type { FastifyInstance } from 'fastify';
import { boolParam, limitParam, pathOf, queryOf, type FakeContext } from './context.js';
import { expiresAtOf, type FakeApiToken } from './api-tokens.js';
import { secretHash, type AppStatus, type FakeApp, type FakeClientSecret } from './apps.js';
import { pathNotFound } from './errors.js';
import { evaluate, parseExpression, pathGetter, restrict } from './search.js';
import { paginate } from './serialize.js';

/** `filter` on apps: Okta takes `status`, `name` and `id` with `eq` (besides user.id/group.id, not modelled). */
const APP_FILTER_ATTRS = new Set(['status', 'name', 'id']);
const APP_FILTER_OPS = new Set(['eq']);

export function secretJson(
  app: FakeApp,
  s: FakeClientSecret,
  orgUrl: string,
  withSecret = false,
): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/apps/${app.id}/credentials/secrets/${s.id}`;
  const next = s.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    id: s.id,
    status: s.status,
    ...(withSecret ? { client_secret: s.secret } : {}),
    secret_hash: secretHash(s.secret),
    created: s.created,
    lastUpdated: s.lastUpdated,
    _links: {
      [next]: { href: `${self}/lifecycle/${next}`, hints: { allow: ['POST'] } },
      ...(s.status === 'INACTIVE' ? { delete: { href: self, hints: { allow: ['DELETE'] } } } : {}),
    },
  };
}

export function appJson(
  app: FakeApp,
  orgUrl: string,
  firstSecret?: FakeClientSecret,
): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/apps/${app.id}`;
  return {
    id: app.id,
    name: app.name,
    label: app.label,
    status: app.status,
    signOnMode: 'OPENID_CONNECT',
    created: app.created,
    lastUpdated: app.lastUpdated,
    features: [],
    visibility: {
      autoSubmitToolbar: false,
      hide: { iOS: true, web: true },
      appLinks: { oidc_client_link: false },
    },
    credentials: {
      userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      signing: { kid: '' },
      oauthClient: {
        autoKeyRotation: true,
        client_id: app.id,
        ...(firstSecret ? { client_secret: firstSecret.secret } : {}),
        token_endpoint_auth_method: app.tokenEndpointAuthMethod,
      },
    },
    settings: {
      app: {},
      oauthClient: {
        application_type: app.applicationType,
        grant_types: app.grantTypes,
        response_types: app.responseTypes,
        consent_method: 'REQUIRED',
        issuer_mode: 'DYNAMIC',
      },
    },
    profile: app.profile,
    _links: {
      self: { href: self },
      [app.status === 'ACTIVE' ? 'deactivate' : 'activate']: {
        href: `${self}/lifecycle/${app.status === 'ACTIVE' ? 'deactivate' : 'activate'}`,
      },
      secrets: { href: `${self}/credentials/secrets` },
    },
  };
}

export function apiTokenJson(t: FakeApiToken, orgUrl: string): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    userId: t.userId,
    clientName: t.clientName,
    created: t.created,
    lastUpdated: t.lastUpdated,
    expiresAt: expiresAtOf(t),
    tokenWindow: t.tokenWindow,
    network: { connection: 'ANYWHERE' },
    _link: {
      self: { href: `${orgUrl}/api/v1/api-tokens/${t.id}` },
      user: { href: `${orgUrl}/api/v1/users/${t.userId}` },
    },
  };
}

type AppParams = { appId: string };
type SecretParams = { appId: string; secretId: string };
type Lifecycle = { appId: string; action: string };

export function registerAppRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const { apps } = ctx;

  app.post('/api/v1/apps', async (req) => {
    const made = apps.create(req.body, boolParam(queryOf(req), 'activate', true));
    return appJson(made, ctx.orgUrl, made.secrets[0]);
  });

  /** `q`: starts-with on label or name; `filter`: `status`, `name` or `id` eq; `limit`/`after` cursor paging. */
  app.get('/api/v1/apps', async (req, reply) => {
    const q = queryOf(req);
    let selected = apps.all();
    const find = q.get('q')?.toLowerCase();
    if (find) {
      selected = selected.filter(
        (a) => a.label.toLowerCase().startsWith(find) || a.name.toLowerCase().startsWith(find),
      );
    }
    const filter = q.get('filter');
    if (filter) {
      const expr = parseExpression(filter);
      restrict(expr, APP_FILTER_ATTRS, APP_FILTER_OPS);
      selected = selected.filter((a) =>
        evaluate(expr, pathGetter({ status: a.status, name: a.name, id: a.id })),
      );
    }
    const page = paginate(selected, {
      // Okta documents `limit=-1` as its default: the fake's default page of 20.
      limit: q.get('limit') === '-1' ? 20 : limitParam(q, 20, 200),
      after: q.get('after'),
      seqOf: (id) => apps.seqOf(id),
      url: `${ctx.orgUrl}${pathOf(req)}`,
      query: q,
    });
    reply.header('link', page.links);
    return page.items.map((a) => appJson(a, ctx.orgUrl));
  });

  app.get<{ Params: AppParams }>('/api/v1/apps/:appId', async (req) =>
    appJson(apps.require(req.params.appId), ctx.orgUrl),
  );

  app.post<{ Params: Lifecycle }>('/api/v1/apps/:appId/lifecycle/:action', async (req) => {
    const target = apps.require(req.params.appId);
    const status: AppStatus | undefined =
      req.params.action === 'activate'
        ? 'ACTIVE'
        : req.params.action === 'deactivate'
          ? 'INACTIVE'
          : undefined;
    if (!status) throw pathNotFound();
    apps.setStatus(target, status);
    return {};
  });

  app.delete<{ Params: AppParams }>('/api/v1/apps/:appId', async (req, reply) => {
    apps.delete(apps.require(req.params.appId));
    return reply.code(204).send();
  });

  app.get<{ Params: AppParams }>('/api/v1/apps/:appId/credentials/secrets', async (req) => {
    const target = apps.require(req.params.appId);
    return target.secrets.map((s) => secretJson(target, s, ctx.orgUrl));
  });

  app.post<{ Params: AppParams }>('/api/v1/apps/:appId/credentials/secrets', async (req) => {
    const target = apps.require(req.params.appId);
    return secretJson(target, apps.addSecret(target, req.body), ctx.orgUrl, true);
  });

  app.get<{ Params: SecretParams }>('/api/v1/apps/:appId/credentials/secrets/:secretId', async (req) => {
    const target = apps.require(req.params.appId);
    return secretJson(target, apps.requireSecret(target, req.params.secretId), ctx.orgUrl);
  });

  app.post<{ Params: SecretParams & { action: string } }>(
    '/api/v1/apps/:appId/credentials/secrets/:secretId/lifecycle/:action',
    async (req) => {
      const target = apps.require(req.params.appId);
      const secret = apps.requireSecret(target, req.params.secretId);
      const { action } = req.params;
      if (action !== 'activate' && action !== 'deactivate') throw pathNotFound();
      apps.setSecretStatus(secret, action === 'activate' ? 'ACTIVE' : 'INACTIVE');
      return secretJson(target, secret, ctx.orgUrl);
    },
  );

  app.delete<{ Params: SecretParams }>(
    '/api/v1/apps/:appId/credentials/secrets/:secretId',
    async (req, reply) => {
      const target = apps.require(req.params.appId);
      apps.deleteSecret(target, apps.requireSecret(target, req.params.secretId));
      return reply.code(204).send();
    },
  );

  // --- API tokens ----------------------------------------------------------------------------------------

  app.get('/api/v1/api-tokens', async () => ctx.apiTokens.all().map((t) => apiTokenJson(t, ctx.orgUrl)));

  app.get<{ Params: { tokenId: string } }>('/api/v1/api-tokens/:tokenId', async (req) =>
    apiTokenJson(ctx.apiTokens.require(req.params.tokenId), ctx.orgUrl),
  );

  app.delete<{ Params: { tokenId: string } }>('/api/v1/api-tokens/:tokenId', async (req, reply) => {
    ctx.apiTokens.revoke(req.params.tokenId);
    return reply.code(204).send();
  });
}
