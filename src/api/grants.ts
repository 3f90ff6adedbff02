import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistryStore } from '../registry/types.js';
import { can, requireActor } from './auth.js';
import { withState, type GrantService } from './grant-service.js';
import { invalid, parseOrInvalid, problem } from './problem.js';
import {
  approveSchema,
  createGrantSchema,
  extensionSchema,
  grantIdSchema,
  reasonSchema,
  type GrantPolicy,
} from './schemas.js';
import { grantView } from './views.js';

export interface GrantRoutesOptions {
  service: GrantService;
  registry: RegistryStore;
  policy: GrantPolicy;
  now?: () => number;
}

/** `/v1/grants` and its sub-resources. */
export function grantRoutes(
  app: FastifyInstance,
  { service, registry, policy, now = Date.now }: GrantRoutesOptions,
): void {
  const createSchema = createGrantSchema(policy, now);
  const extendSchema = extensionSchema(policy, now);

  async function loadGrant(request: FastifyRequest) {
    const { id } = request.params as { id: string };
    const parsed = grantIdSchema.safeParse(id);
    if (!parsed.success) throw invalid([{ field: 'id', rule: 'must be a grant id (a UUID)' }]);
    const grant = await registry.getGrant(parsed.data);
    if (!grant) throw problem(404, `no grant ${parsed.data}`);
    return grant;
  }

  app.post('/v1/grants', async (request, reply) => {
    const actor = requireActor(request, 'request');
    const body = parseOrInvalid(createSchema, request.body ?? {});
    const created = await service.create(body, actor);
    const location = `/v1/grants/${created.grant.id}`;
    if (!created.provisioned)
      return reply.code(202).header('location', location).send(grantView(created.grant));
    return reply
      .code(201)
      .header('location', location)
      .header('cache-control', 'no-store')
      .send({
        ...grantView(created.grant),
        ...(created.credential ? { credential: created.credential } : {}),
      });
  });

  app.get('/v1/grants/:id', async (request) => {
    requireActor(request, 'read');
    const grant = await loadGrant(request);
    return grantView(grant, { trail: await registry.listEvents(grant.id), withEvents: true });
  });

  app.post('/v1/grants/:id/credential', async (request, reply) => {
    const actor = requireActor(request, 'request');
    const grant = await loadGrant(request);
    // The password opens the supplier's account: it goes to the person who asked for it, or to an admin.
    if (grant.requestedBy !== actor.name && !can(actor, 'admin')) {
      throw problem(
        403,
        `${actor.name} did not ask for this grant; only its requester (${grant.requestedBy}) or an admin ` +
          'may take its one-time credential.',
      );
    }
    const answer = await service.claimCredential(grant, actor);
    if (!answer) throw problem(503, 'the grant did not answer in time; try again');
    if (answer.state.status === 'provisioning')
      return reply.code(202).send(grantView(withState(grant, answer.state)));
    if (!answer.credential)
      throw problem(409, 'the credential was already handed out, or this account has none');
    return reply
      .header('cache-control', 'no-store')
      .send({ ...grantView(withState(grant, answer.state)), credential: answer.credential });
  });

  app.post('/v1/grants/:id/extensions', async (request, reply) => {
    const actor = requireActor(request, 'request');
    const body = parseOrInvalid(extendSchema, request.body ?? {});
    const grant = await loadGrant(request);
    const state = await service.requestExtension(grant, actor, body.expiresAt, body.reason);
    if (!state) throw problem(503, 'the grant did not answer in time; the request is queued');
    return reply.code(202).send(grantView(withState(grant, state)));
  });

  app.post('/v1/grants/:id/extensions/approve', async (request) => {
    const actor = requireActor(request, 'approve');
    const body = parseOrInvalid(approveSchema, request.body ?? undefined);
    const grant = await loadGrant(request);
    const state = await service.approveExtension(grant, actor, body?.reason);
    if (!state) throw problem(503, 'the grant did not answer in time; the approval is queued');
    return grantView(withState(grant, state));
  });

  app.post('/v1/grants/:id/extensions/reject', async (request) => {
    const actor = requireActor(request, 'approve');
    const body = parseOrInvalid(reasonSchema, request.body ?? {});
    const grant = await loadGrant(request);
    const state = await service.rejectExtension(grant, actor, body.reason);
    if (!state) throw problem(503, 'the grant did not answer in time; the rejection is queued');
    return grantView(withState(grant, state));
  });

  app.post('/v1/grants/:id/revoke', async (request, reply) => {
    const actor = requireActor(request, 'admin');
    const body = parseOrInvalid(reasonSchema, request.body ?? {});
    const grant = await loadGrant(request);
    const state = await service.revoke(grant, actor, body.reason);
    // Read back from the registry, which holds the ending (and, once the directory answered, the closing): the
    // answer says when and how the grant ended, not only the expiry it will no longer reach.
    const ended = (await registry.getGrant(grant.id)) ?? (state ? withState(grant, state) : grant);
    const view = grantView(ended, { trail: await registry.listEvents(grant.id) });
    // The revoke is recorded in the workflow; the door closes as soon as the directory answers.
    return reply.code(state ? 200 : 202).send(view);
  });
}
