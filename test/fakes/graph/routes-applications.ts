/**
 * /v1.0/applications and /v1.0/servicePrincipals
 *
 *   POST   /applications                          → 201 application (owned by the caller when it holds only
 *                                                   Application.ReadWrite.OwnedBy)
 *   GET    /applications?$filter&$select&$top…    → { value, @odata.nextLink? } ($filter on displayName, appId, id)
 *   GET    /applications/{id}                     → application (secrets' `secretText` always null)
 *   PATCH  /applications/{id}                     → 204 (displayName, description, notes, tags, signInAudience)
 *   DELETE /applications/{id}                     → 204 (its service principal goes with it)
 *   POST   /applications/{id}/addPassword         { passwordCredential: { displayName?, endDateTime? } }
 *                                                 → 200 passwordCredential with `secretText` (the only time)
 *   POST   /applications/{id}/removePassword      { keyId } → 204; a keyId it does not hold → 400
 *   GET    /applications/{id}/owners              → directoryObjects (users and service principals)
 *   POST   /applications/{id}/owners/$ref         { "@odata.id": ".../directoryObjects/{id}" } → 204; twice → 400
 *   DELETE /applications/{id}/owners/{ownerId}/$ref → 204
 *   POST   /servicePrincipals                     { appId, accountEnabled?, tags?, notes? } → 201
 *   GET    /servicePrincipals?$filter…            → ($filter on appId, displayName, accountEnabled, id)
 *   GET    /servicePrincipals/{id}                → servicePrincipal
 *   PATCH  /servicePrincipals/{id}                → 204 (accountEnabled, displayName, tags, notes)
 *   GET    /servicePrincipals/{id}/owners         → directoryObjects
 */
import type { FastifyRequest } from 'fastify';
import { callerOf, type Caller } from './applications.js';
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
import { notImplementedByFake } from './errors.js';
import {
  APPLICATION_PROPERTIES,
  SERVICE_PRINCIPAL_PROPERTIES,
  type FakeApplication,
  type FakeServicePrincipal,
} from './model-applications.js';
import { parseListQuery, parseSelect, project, runListQuery, type CollectionOptions } from './odata.js';

const APPLICATION_COLLECTION: CollectionOptions = {
  resource: 'Application',
  typeName: 'microsoft.graph.application',
  properties: APPLICATION_PROPERTIES,
  filterProperty: (path) => APPLICATION_PROPERTIES[path],
  read: (a: FakeApplication, path: string) => (a as unknown as Record<string, unknown>)[path],
};

const SERVICE_PRINCIPAL_COLLECTION: CollectionOptions = {
  resource: 'ServicePrincipal',
  typeName: 'microsoft.graph.servicePrincipal',
  properties: SERVICE_PRINCIPAL_PROPERTIES,
  filterProperty: (path) => SERVICE_PRINCIPAL_PROPERTIES[path],
  read: (s: FakeServicePrincipal, path: string) => (s as unknown as Record<string, unknown>)[path],
};

type IdParams = { Params: { id: string } };
type OwnerParams = { Params: { id: string; ownerId: string } };

const selectSuffix = (select: string[] | undefined) => (select ? `(${select.join(',')})` : '');

export function registerApplicationRoutes(app: GraphFakeServer, ctx: GraphFakeContext): void {
  const metadata = (fragment: string) => `${ctx.origin}/v1.0/$metadata#${fragment}`;
  /** Checks the permission and answers who calls. */
  const caller = (req: FastifyRequest, op: Operation): Caller => {
    const c = claims(req);
    requirePermission(c, op);
    return callerOf(c, ctx.tokens.servicePrincipalId);
  };

  const list = <T extends object>(
    req: FastifyRequest,
    items: T[],
    opts: CollectionOptions,
    name: string,
  ): Record<string, unknown> => {
    const q = queryOf(req);
    const eventual = isEventual(req);
    const query = parseListQuery(q, opts, eventual);
    const { page, total, nextLink } = runListQuery(
      items,
      query,
      opts,
      eventual && query.count,
      `${ctx.origin}/v1.0/${name}`,
      q,
    );
    return {
      '@odata.context': metadata(`${name}${selectSuffix(query.select)}`),
      ...(query.count ? { '@odata.count': total } : {}),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: page.map((item) => project(item, query.select, opts.properties)),
    };
  };

  const one = (req: FastifyRequest, item: object, opts: CollectionOptions, name: string) => {
    const select = parseSelect(queryOf(req).get('$select'), opts);
    return {
      '@odata.context': metadata(`${name}${selectSuffix(select)}/$entity`),
      ...project(item, select, opts.properties),
    };
  };

  const owners = (req: FastifyRequest, target: { owners: Set<string> }) => {
    for (const key of queryOf(req).keys())
      if (key.startsWith('$')) throw notImplementedByFake(`The query option '${key}' on owners`);
    return {
      '@odata.context': metadata('directoryObjects'),
      value: ctx.apps.ownersOf(target).map((o) => {
        if (o.type === 'user') {
          const u = ctx.dir.users.get(o.id);
          return {
            '@odata.type': '#microsoft.graph.user',
            id: o.id,
            displayName: u?.displayName ?? null,
            userPrincipalName: u?.userPrincipalName ?? null,
          };
        }
        const sp = ctx.apps.servicePrincipals.get(o.id);
        return {
          '@odata.type': '#microsoft.graph.servicePrincipal',
          id: o.id,
          appId: sp?.appId ?? null,
          displayName: sp?.displayName ?? null,
        };
      }),
    };
  };

  // ---- applications --------------------------------------------------------------------------------------------

  app.post('/v1.0/applications', async (req, reply) => {
    const created = ctx.apps.createApplication(jsonBody(req), caller(req, 'applications.write'));
    reply.header('location', `${ctx.origin}/v1.0/applications/${created.id}`);
    return sendGraph(reply, 201, {
      '@odata.context': metadata('applications/$entity'),
      ...project(created, undefined, APPLICATION_PROPERTIES),
    });
  });

  app.get('/v1.0/applications', async (req, reply) => {
    caller(req, 'applications.read');
    const items = [...ctx.apps.applications.values()];
    return sendGraph(reply, 200, list(req, items, APPLICATION_COLLECTION, 'applications'));
  });

  app.get<IdParams>('/v1.0/applications/:id', async (req, reply) => {
    caller(req, 'applications.read');
    const found = ctx.apps.getApplication(req.params.id);
    return sendGraph(reply, 200, one(req, found, APPLICATION_COLLECTION, 'applications'));
  });

  app.patch<IdParams>('/v1.0/applications/:id', async (req, reply) => {
    const who = caller(req, 'applications.write');
    ctx.apps.updateApplication(ctx.apps.getApplication(req.params.id), jsonBody(req), who);
    return sendGraph(reply, 204);
  });

  app.delete<IdParams>('/v1.0/applications/:id', async (req, reply) => {
    const who = caller(req, 'applications.write');
    ctx.apps.deleteApplication(ctx.apps.getApplication(req.params.id), who);
    return sendGraph(reply, 204);
  });

  app.post<IdParams>('/v1.0/applications/:id/addPassword', async (req, reply) => {
    const who = caller(req, 'applications.write');
    const added = ctx.apps.addPassword(ctx.apps.getApplication(req.params.id), jsonBody(req), who);
    return sendGraph(reply, 200, {
      '@odata.context': metadata('microsoft.graph.passwordCredential'),
      ...added,
    });
  });

  app.post<IdParams>('/v1.0/applications/:id/removePassword', async (req, reply) => {
    const who = caller(req, 'applications.write');
    ctx.apps.removePassword(ctx.apps.getApplication(req.params.id), jsonBody(req), who);
    return sendGraph(reply, 204);
  });

  app.get<IdParams>('/v1.0/applications/:id/owners', async (req, reply) => {
    caller(req, 'applications.read');
    return sendGraph(reply, 200, owners(req, ctx.apps.getApplication(req.params.id)));
  });

  app.post<IdParams>('/v1.0/applications/:id/owners/$ref', async (req, reply) => {
    caller(req, 'applications.owners.write');
    ctx.apps.addOwner(ctx.apps.getApplication(req.params.id), jsonBody(req));
    return sendGraph(reply, 204);
  });

  app.delete<OwnerParams>('/v1.0/applications/:id/owners/:ownerId/$ref', async (req, reply) => {
    caller(req, 'applications.owners.write');
    ctx.apps.removeOwner(ctx.apps.getApplication(req.params.id), req.params.ownerId);
    return sendGraph(reply, 204);
  });

  // ---- service principals --------------------------------------------------------------------------------------

  app.post('/v1.0/servicePrincipals', async (req, reply) => {
    const created = ctx.apps.createServicePrincipal(jsonBody(req), caller(req, 'servicePrincipals.write'));
    reply.header('location', `${ctx.origin}/v1.0/servicePrincipals/${created.id}`);
    return sendGraph(reply, 201, {
      '@odata.context': metadata('servicePrincipals/$entity'),
      ...project(created, undefined, SERVICE_PRINCIPAL_PROPERTIES),
    });
  });

  app.get('/v1.0/servicePrincipals', async (req, reply) => {
    caller(req, 'servicePrincipals.read');
    const items = [...ctx.apps.servicePrincipals.values()];
    return sendGraph(reply, 200, list(req, items, SERVICE_PRINCIPAL_COLLECTION, 'servicePrincipals'));
  });

  app.get<IdParams>('/v1.0/servicePrincipals/:id', async (req, reply) => {
    caller(req, 'servicePrincipals.read');
    const found = ctx.apps.getServicePrincipal(req.params.id);
    return sendGraph(reply, 200, one(req, found, SERVICE_PRINCIPAL_COLLECTION, 'servicePrincipals'));
  });

  app.patch<IdParams>('/v1.0/servicePrincipals/:id', async (req, reply) => {
    const who = caller(req, 'servicePrincipals.write');
    ctx.apps.updateServicePrincipal(ctx.apps.getServicePrincipal(req.params.id), jsonBody(req), who);
    return sendGraph(reply, 204);
  });

  app.get<IdParams>('/v1.0/servicePrincipals/:id/owners', async (req, reply) => {
    caller(req, 'servicePrincipals.read');
    return sendGraph(reply, 200, owners(req, ctx.apps.getServicePrincipal(req.params.id)));
  });
}
