/** /api/v1/groups (groups and membership) and /api/v1/meta/schemas/user/default (the user schema). */
import type { FastifyInstance } from 'fastify';
import { limitParam, pathOf, queryOf, type FakeContext } from './context.js';
import { evaluate, parseExpression, pathGetter, restrict } from './search.js';
import { groupJson, paginate, userJson } from './serialize.js';
import type { FakeGroup } from './groups.js';

const GROUP_FILTER_ATTRS = new Set(['type', 'id', 'lastUpdated', 'lastMembershipUpdated']);
const GROUP_FILTER_OPS = new Set(['eq', 'gt', 'ge', 'lt', 'le']);

function groupView(g: FakeGroup): Record<string, unknown> {
  return {
    id: g.id,
    type: g.type,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    profile: g.profile,
  };
}

export function registerGroupRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const { users, groups } = ctx;

  app.post('/api/v1/groups', async (req) => groupJson(groups.create(req.body), ctx.orgUrl));

  /** `q`: starts-with on the group name; `search` / `filter`: expressions (filter: type, id, lastUpdated). */
  app.get('/api/v1/groups', async (req, reply) => {
    const q = queryOf(req);
    let selected = groups.all();
    const find = q.get('q');
    const search = q.get('search');
    const filter = q.get('filter');
    if (find) selected = selected.filter((g) => g.profile.name.toLowerCase().startsWith(find.toLowerCase()));
    if (search) {
      const expr = parseExpression(search);
      selected = selected.filter((g) => evaluate(expr, pathGetter(groupView(g))));
    }
    if (filter) {
      const expr = parseExpression(filter);
      restrict(expr, GROUP_FILTER_ATTRS, GROUP_FILTER_OPS);
      selected = selected.filter((g) => evaluate(expr, pathGetter(groupView(g))));
    }
    const page = paginate(selected, {
      limit: limitParam(q, 10_000, 10_000),
      after: q.get('after'),
      seqOf: (id) => groups.seqOf(id),
      url: `${ctx.orgUrl}${pathOf(req)}`,
      query: q,
    });
    reply.header('link', page.links);
    return page.items.map((g) => groupJson(g, ctx.orgUrl));
  });

  app.get<{ Params: { groupId: string } }>('/api/v1/groups/:groupId', async (req) =>
    groupJson(groups.require(req.params.groupId), ctx.orgUrl),
  );

  app.delete<{ Params: { groupId: string } }>('/api/v1/groups/:groupId', async (req, reply) => {
    groups.delete(groups.require(req.params.groupId));
    return reply.code(204).send();
  });

  app.get<{ Params: { groupId: string } }>('/api/v1/groups/:groupId/users', async (req, reply) => {
    const q = queryOf(req);
    const g = groups.require(req.params.groupId);
    const page = paginate(groups.membersOf(g), {
      limit: limitParam(q, 1000, 1000),
      after: q.get('after'),
      seqOf: (id) => users.seqOf(id),
      url: `${ctx.orgUrl}${pathOf(req)}`,
      query: q,
    });
    reply.header('link', page.links);
    return page.items.map((u) => userJson(u, ctx.orgUrl));
  });

  type MemberParams = { groupId: string; userId: string };
  app.put<{ Params: MemberParams }>('/api/v1/groups/:groupId/users/:userId', async (req, reply) => {
    const g = groups.require(req.params.groupId);
    groups.addMember(g, users.requireId(req.params.userId));
    return reply.code(204).send();
  });

  app.delete<{ Params: MemberParams }>('/api/v1/groups/:groupId/users/:userId', async (req, reply) => {
    const g = groups.require(req.params.groupId);
    groups.removeMember(g, users.requireId(req.params.userId));
    return reply.code(204).send();
  });

  // --- user schema -------------------------------------------------------------------------------------

  app.get('/api/v1/meta/schemas/user/default', async () => ctx.schema.toJson(ctx.orgUrl));

  app.post('/api/v1/meta/schemas/user/default', async (req) => {
    const removed = ctx.schema.update(req.body);
    // A removed custom property leaves every profile with it.
    for (const u of users.byId.values()) for (const name of removed) delete u.profile[name];
    return ctx.schema.toJson(ctx.orgUrl);
  });
}
