/** /api/v1/users: CRUD, listing (search / filter / q), lifecycle, sessions, grants, a user's groups. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { boolParam, limitParam, pathOf, queryOf, type FakeContext } from './context.js';
import { pathNotFound } from './errors.js';
import * as lifecycle from './lifecycle.js';
import { evaluate, mentions, parseExpression, pathGetter, restrict } from './search.js';
import { groupJson, paginate, userJson, userSearchView } from './serialize.js';
import type { FakeUser } from './users.js';

type IdParams = { id: string };

/** Attributes and operators Okta's `filter` parameter supports (search supports any). */
const FILTER_ATTRS = new Set([
  'status',
  'lastUpdated',
  'id',
  'profile.login',
  'profile.email',
  'profile.firstName',
  'profile.lastName',
]);
const FILTER_OPS = new Set(['eq', 'gt', 'ge', 'lt', 'le']);

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function sendPage(reply: FastifyReply, links: string[], body: unknown[]): unknown[] {
  reply.header('link', links);
  return body;
}

/**
 * Which users a list request selects:
 *  - no parameter: every user that is not DEPROVISIONED (as Okta documents);
 *  - `search`: any expression over the user's attributes, every status included;
 *  - `filter`: eq/gt/ge/lt/le over status, lastUpdated, id, profile.login/email/firstName/lastName;
 *    DEPROVISIONED users only when the expression constrains status;
 *  - `q`: starts-with match on firstName, lastName or email (not DEPROVISIONED).
 */
function selectUsers(all: FakeUser[], q: URLSearchParams): FakeUser[] {
  const search = q.get('search');
  const filter = q.get('filter');
  const find = q.get('q');
  const notDeprovisioned = (u: FakeUser) => u.status !== 'DEPROVISIONED';
  if (search !== null && search !== '') {
    const expr = parseExpression(search);
    let users = all.filter((u) => evaluate(expr, pathGetter(userSearchView(u))));
    const sortBy = q.get('sortBy');
    if (sortBy) {
      const desc = (q.get('sortOrder') ?? 'asc').toLowerCase() === 'desc';
      const key = (u: FakeUser) => text(pathGetter(userSearchView(u))(sortBy));
      users = [...users].sort((a, b) => (desc ? -1 : 1) * key(a).localeCompare(key(b)));
    }
    return users;
  }
  if (filter !== null && filter !== '') {
    const expr = parseExpression(filter);
    restrict(expr, FILTER_ATTRS, FILTER_OPS);
    const withStatus = mentions(expr, 'status');
    return all.filter(
      (u) => (withStatus || notDeprovisioned(u)) && evaluate(expr, pathGetter(userSearchView(u))),
    );
  }
  if (find !== null && find !== '') {
    const prefix = find.toLowerCase();
    return all.filter(
      (u) =>
        notDeprovisioned(u) &&
        ['firstName', 'lastName', 'email'].some((k) => text(u.profile[k]).toLowerCase().startsWith(prefix)),
    );
  }
  return all.filter(notDeprovisioned);
}

export function registerUserRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const { users, groups } = ctx;

  app.post('/api/v1/users', async (req) => {
    const q = queryOf(req);
    const activate = boolParam(q, 'activate', true);
    const groupIds = (req.body as { groupIds?: unknown } | null)?.groupIds;
    const targets = Array.isArray(groupIds) ? groupIds.map((id) => groups.require(String(id))) : [];
    const u = users.create(req.body, { activate, nextLogin: q.get('nextLogin') ?? undefined });
    for (const g of targets) groups.addMember(g, u);
    return userJson(u, ctx.orgUrl);
  });

  app.get('/api/v1/users', async (req, reply) => {
    const q = queryOf(req);
    const selected = selectUsers(users.all(), q);
    const page = paginate(selected, {
      limit: limitParam(q, 200, 200),
      after: q.get('after'),
      seqOf: (id) => users.seqOf(id),
      url: `${ctx.orgUrl}${pathOf(req)}`,
      query: q,
    });
    return sendPage(
      reply,
      page.links,
      page.items.map((u) => userJson(u, ctx.orgUrl)),
    );
  });

  app.get<{ Params: IdParams }>('/api/v1/users/:id', async (req) =>
    userJson(users.resolve(req.params.id), ctx.orgUrl),
  );

  app.post<{ Params: IdParams }>('/api/v1/users/:id', async (req) =>
    userJson(users.update(users.resolve(req.params.id), req.body, 'partial'), ctx.orgUrl),
  );

  app.put<{ Params: IdParams }>('/api/v1/users/:id', async (req) =>
    userJson(users.update(users.resolve(req.params.id), req.body, 'replace'), ctx.orgUrl),
  );

  app.delete<{ Params: IdParams }>('/api/v1/users/:id', async (req, reply) => {
    const u = users.resolve(req.params.id);
    if (lifecycle.deleteUser(users, u, boolParam(queryOf(req), 'sendEmail', false))) groups.forgetUser(u.id);
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams & { op: string } }>('/api/v1/users/:id/lifecycle/:op', async (req) => {
    const q = queryOf(req);
    const u = users.resolve(req.params.id);
    switch (req.params.op) {
      case 'activate':
        return lifecycle.activate(users, u, boolParam(q, 'sendEmail', true), ctx.orgUrl);
      case 'reactivate':
        return lifecycle.reactivate(users, u, boolParam(q, 'sendEmail', false), ctx.orgUrl);
      case 'deactivate':
        lifecycle.deactivate(users, u, boolParam(q, 'sendEmail', false));
        return {};
      case 'suspend':
        lifecycle.suspend(users, u);
        return {};
      case 'unsuspend':
        lifecycle.unsuspend(users, u);
        return {};
      case 'unlock':
        lifecycle.unlock(users, u);
        return {};
      case 'expire_password':
        lifecycle.expirePassword(users, u);
        return userJson(u, ctx.orgUrl);
      case 'reset_password':
        return lifecycle.resetPassword(users, u, boolParam(q, 'sendEmail', true), ctx.orgUrl);
      case 'reset_factors':
        lifecycle.resetFactors(users, u);
        return {};
      default:
        throw pathNotFound();
    }
  });

  // Sessions: `oauthTokens=true` also revokes OAuth tokens; the fake keeps none, the log shows the flag.
  app.delete<{ Params: IdParams }>('/api/v1/users/:id/sessions', async (req, reply) => {
    boolParam(queryOf(req), 'oauthTokens', false);
    users.clearSessions(users.resolve(req.params.id));
    return reply.code(204).send();
  });

  // Grants and tokens: accepted and recorded in the request log, nothing else to clear.
  app.delete<{ Params: IdParams }>('/api/v1/users/:id/grants', async (req, reply) => {
    users.resolve(req.params.id);
    return reply.code(204).send();
  });
  app.delete<{ Params: IdParams & { clientId: string; kind: string } }>(
    '/api/v1/users/:id/clients/:clientId/:kind',
    async (req, reply) => {
      if (req.params.kind !== 'tokens' && req.params.kind !== 'grants') throw pathNotFound();
      users.resolve(req.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: IdParams }>('/api/v1/users/:id/groups', async (req) => {
    const u = users.resolve(req.params.id);
    return groups.groupsOf(u).map((g) => groupJson(g, ctx.orgUrl));
  });
}
