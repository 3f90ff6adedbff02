/**
 * /v1.0/users
 *
 *   POST   /users                                 → 201 user (default properties)
 *   GET    /users?$filter&$select&$top&$count&$orderby → { value, @odata.nextLink?, @odata.count? }
 *   GET    /users/{id | userPrincipalName}?$select → user
 *   PATCH  /users/{id | userPrincipalName}         → 204
 *   DELETE /users/{id | userPrincipalName}         → 204
 *   POST   /users/{id}/revokeSignInSessions        → 200 { value: true }
 *   GET    /users/{id}/memberOf[/microsoft.graph.group] → groups
 *
 * Without `$select`, Graph returns only the default properties of a user (businessPhones, displayName, givenName,
 * id, jobTitle, mail, mobilePhone, officeLocation, preferredLanguage, surname, userPrincipalName) — also in the
 * answer to POST. Everything else (accountEnabled, userType, employeeLeaveDateTime, onPremisesExtensionAttributes,
 * externalUserState, …) must be `$select`ed. passwordProfile always reads as null.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requirePermission, type Operation } from './auth.js';
import {
  claims,
  isEventual,
  jsonBody,
  queryOf,
  sendGraph,
  type GraphFakeContext,
  type GraphFakeServer,
} from './context.js';
import { invalidJson } from './errors.js';
import {
  GROUP_PROPERTIES,
  USER_PROPERTIES,
  userFilterProperty,
  type FakeGraphUser,
  type FakeGroup,
} from './model.js';
import { parseListQuery, parseSelect, project, runListQuery, type CollectionOptions } from './odata.js';

export const USER_COLLECTION: CollectionOptions = {
  resource: 'User',
  typeName: 'microsoft.graph.user',
  properties: USER_PROPERTIES,
  filterProperty: userFilterProperty,
  read: (u: FakeGraphUser, path: string) => {
    const [head = '', sub] = path.split('/');
    if (sub !== undefined) return u.onPremisesExtensionAttributes[sub] ?? null;
    return (u as unknown as Record<string, unknown>)[head];
  },
};

export const GROUP_COLLECTION: CollectionOptions = {
  resource: 'Group',
  typeName: 'microsoft.graph.group',
  properties: GROUP_PROPERTIES,
  filterProperty: (path) => GROUP_PROPERTIES[path],
  read: (g: FakeGroup, path: string) => (g as unknown as Record<string, unknown>)[path],
};

type IdParams = { Params: { id: string } };

/** Which permission checks a PATCH body triggers. */
function patchOperations(body: unknown): Operation[] {
  if (typeof body !== 'object' || body === null) return ['users.update'];
  const ops = new Set<Operation>();
  for (const key of Object.keys(body)) {
    if (key === 'accountEnabled') ops.add('users.update.accountEnabled');
    else if (key === 'passwordProfile') ops.add('users.update.passwordProfile');
    else if (key === 'employeeLeaveDateTime') ops.add('users.write.employeeLeaveDateTime');
    else ops.add('users.update');
  }
  return [...ops];
}

const selectSuffix = (select: string[] | undefined) => (select ? `(${select.join(',')})` : '');

export function registerUserRoutes(app: GraphFakeServer, ctx: GraphFakeContext): void {
  const metadata = (fragment: string) => `${ctx.origin}/v1.0/$metadata#${fragment}`;

  app.post('/v1.0/users', async (req, reply) => {
    requirePermission(claims(req), 'users.create');
    const body = jsonBody(req);
    if (typeof body === 'object' && body !== null && 'employeeLeaveDateTime' in body)
      requirePermission(claims(req), 'users.write.employeeLeaveDateTime');
    const user = ctx.dir.createUser(body);
    ctx.dir.notePasswordSet(user, body);
    reply.header('location', `${ctx.origin}/v1.0/users/${user.id}`);
    return sendGraph(reply, 201, {
      '@odata.context': metadata('users/$entity'),
      ...project(user, undefined, USER_PROPERTIES),
    });
  });

  app.get('/v1.0/users', async (req, reply) => {
    requirePermission(claims(req), 'users.read');
    const q = queryOf(req);
    const eventual = isEventual(req);
    const query = parseListQuery(q, USER_COLLECTION, eventual);
    const advanced = eventual && query.count;
    const { page, total, nextLink } = runListQuery(
      [...ctx.dir.users.values()],
      query,
      USER_COLLECTION,
      advanced,
      `${ctx.origin}/v1.0/users`,
      q,
    );
    return sendGraph(reply, 200, {
      '@odata.context': metadata(`users${selectSuffix(query.select)}`),
      ...(query.count ? { '@odata.count': total } : {}),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: page.map((u) => project(u, query.select, USER_PROPERTIES)),
    });
  });

  app.get<IdParams>('/v1.0/users/:id', async (req, reply) => {
    requirePermission(claims(req), 'users.read');
    const select = parseSelect(queryOf(req).get('$select'), USER_COLLECTION);
    const user = ctx.dir.getUser(req.params.id);
    return sendGraph(reply, 200, {
      '@odata.context': metadata(`users${selectSuffix(select)}/$entity`),
      ...project(user, select, USER_PROPERTIES),
    });
  });

  app.patch<IdParams>('/v1.0/users/:id', async (req, reply) => {
    const body = jsonBody(req);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidJson();
    for (const op of patchOperations(body)) requirePermission(claims(req), op);
    const user = ctx.dir.getUser(req.params.id);
    ctx.dir.updateUser(user, body);
    ctx.dir.notePasswordSet(user, body);
    return sendGraph(reply, 204);
  });

  app.delete<IdParams>('/v1.0/users/:id', async (req, reply) => {
    requirePermission(claims(req), 'users.delete');
    ctx.dir.deleteUser(ctx.dir.getUser(req.params.id));
    return sendGraph(reply, 204);
  });

  app.post<IdParams>('/v1.0/users/:id/revokeSignInSessions', async (req, reply) => {
    requirePermission(claims(req), 'users.revokeSignInSessions');
    const user = ctx.dir.getUser(req.params.id);
    ctx.dir.revokeSignInSessions(user);
    return sendGraph(reply, 200, { '@odata.context': metadata('Edm.Boolean'), value: true });
  });

  const memberOf = (cast: boolean) => async (req: FastifyRequest<IdParams>, reply: FastifyReply) => {
    requirePermission(claims(req), 'users.memberOf');
    const user = ctx.dir.getUser(req.params.id);
    const q = queryOf(req);
    const eventual = isEventual(req);
    const query = parseListQuery(q, GROUP_COLLECTION, eventual);
    const suffix = cast ? '/microsoft.graph.group' : '';
    const { page, total, nextLink } = runListQuery(
      ctx.dir.memberOf(user),
      query,
      GROUP_COLLECTION,
      eventual && query.count,
      `${ctx.origin}/v1.0/users/${encodeURIComponent(req.params.id)}/memberOf${suffix}`,
      q,
    );
    return sendGraph(reply, 200, {
      '@odata.context': metadata(cast ? `groups${selectSuffix(query.select)}` : 'directoryObjects'),
      ...(query.count ? { '@odata.count': total } : {}),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: page.map((g) => ({
        '@odata.type': '#microsoft.graph.group',
        ...project(g, query.select, GROUP_PROPERTIES),
      })),
    });
  };
  app.get<IdParams>('/v1.0/users/:id/memberOf', memberOf(false));
  app.get<IdParams>('/v1.0/users/:id/memberOf/microsoft.graph.group', memberOf(true));
}
