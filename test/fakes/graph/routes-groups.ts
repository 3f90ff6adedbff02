/**
 * /v1.0/groups
 *
 *   POST   /groups                                 → 201 group
 *   GET    /groups?$filter&$select&$top…          → groups
 *   GET    /groups/{id}                            → group
 *   DELETE /groups/{id}                            → 204
 *   GET    /groups/{id}/members[/microsoft.graph.user] → users (`@odata.type: #microsoft.graph.user`)
 *   POST   /groups/{id}/members/$ref  { "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}" }
 *          → 204; already a member → 400 "One or more added object references already exist …"
 *   DELETE /groups/{id}/members/{userId}/$ref     → 204; not a member → 404
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requirePermission } from './auth.js';
import {
  claims,
  isEventual,
  jsonBody,
  queryOf,
  sendGraph,
  type GraphFakeContext,
  type GraphFakeServer,
} from './context.js';
import { GROUP_PROPERTIES, USER_PROPERTIES } from './model.js';
import { parseListQuery, parseSelect, project, runListQuery } from './odata.js';
import { GROUP_COLLECTION, USER_COLLECTION } from './routes-users.js';

type IdParams = { Params: { id: string } };
type MemberParams = { Params: { id: string; memberId: string } };

const selectSuffix = (select: string[] | undefined) => (select ? `(${select.join(',')})` : '');

export function registerGroupRoutes(app: GraphFakeServer, ctx: GraphFakeContext): void {
  const metadata = (fragment: string) => `${ctx.origin}/v1.0/$metadata#${fragment}`;

  app.post('/v1.0/groups', async (req, reply) => {
    requirePermission(claims(req), 'groups.create');
    const group = ctx.dir.createGroup(jsonBody(req));
    return sendGraph(reply, 201, {
      '@odata.context': metadata('groups/$entity'),
      ...project(group, undefined, GROUP_PROPERTIES),
    });
  });

  app.get('/v1.0/groups', async (req, reply) => {
    requirePermission(claims(req), 'groups.read');
    const q = queryOf(req);
    const eventual = isEventual(req);
    const query = parseListQuery(q, GROUP_COLLECTION, eventual);
    const { page, total, nextLink } = runListQuery(
      [...ctx.dir.groups.values()],
      query,
      GROUP_COLLECTION,
      eventual && query.count,
      `${ctx.origin}/v1.0/groups`,
      q,
    );
    return sendGraph(reply, 200, {
      '@odata.context': metadata(`groups${selectSuffix(query.select)}`),
      ...(query.count ? { '@odata.count': total } : {}),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: page.map((g) => project(g, query.select, GROUP_PROPERTIES)),
    });
  });

  app.get<IdParams>('/v1.0/groups/:id', async (req, reply) => {
    requirePermission(claims(req), 'groups.read');
    const select = parseSelect(queryOf(req).get('$select'), GROUP_COLLECTION);
    const group = ctx.dir.getGroup(req.params.id);
    return sendGraph(reply, 200, {
      '@odata.context': metadata(`groups${selectSuffix(select)}/$entity`),
      ...project(group, select, GROUP_PROPERTIES),
    });
  });

  app.delete<IdParams>('/v1.0/groups/:id', async (req, reply) => {
    requirePermission(claims(req), 'groups.delete');
    ctx.dir.deleteGroup(ctx.dir.getGroup(req.params.id));
    return sendGraph(reply, 204);
  });

  const members = (cast: boolean) => async (req: FastifyRequest<IdParams>, reply: FastifyReply) => {
    requirePermission(claims(req), 'groups.members.read');
    const group = ctx.dir.getGroup(req.params.id);
    const q = queryOf(req);
    const eventual = isEventual(req);
    const query = parseListQuery(q, USER_COLLECTION, eventual);
    const suffix = cast ? '/microsoft.graph.user' : '';
    const { page, total, nextLink } = runListQuery(
      ctx.dir.membersOf(group),
      query,
      USER_COLLECTION,
      eventual && query.count,
      `${ctx.origin}/v1.0/groups/${group.id}/members${suffix}`,
      q,
    );
    return sendGraph(reply, 200, {
      '@odata.context': metadata(cast ? `users${selectSuffix(query.select)}` : 'directoryObjects'),
      ...(query.count ? { '@odata.count': total } : {}),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: page.map((u) => ({
        '@odata.type': '#microsoft.graph.user',
        ...project(u, query.select, USER_PROPERTIES),
      })),
    });
  };
  app.get<IdParams>('/v1.0/groups/:id/members', members(false));
  app.get<IdParams>('/v1.0/groups/:id/members/microsoft.graph.user', members(true));

  app.post<IdParams>('/v1.0/groups/:id/members/$ref', async (req, reply) => {
    requirePermission(claims(req), 'groups.members.write');
    const group = ctx.dir.getGroup(req.params.id);
    ctx.dir.addMember(group, jsonBody(req));
    return sendGraph(reply, 204);
  });

  app.delete<MemberParams>('/v1.0/groups/:id/members/:memberId/$ref', async (req, reply) => {
    requirePermission(claims(req), 'groups.members.write');
    const group = ctx.dir.getGroup(req.params.id);
    ctx.dir.removeMember(group, req.params.memberId);
    return sendGraph(reply, 204);
  });
}
