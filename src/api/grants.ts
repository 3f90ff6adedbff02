import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RegistryStore } from '../registry/types.js';
import { json, LOCATION, NO_STORE, problemAnswer } from './answers.js';
import { actorOf, can } from './auth.js';
import { withState, type CreatedGrant, type GrantService } from './grant-service.js';
import { problem } from './problem.js';
import { createRules, exampleBodies } from './request-docs.js';
import { createdGrantSchema, grantSchema } from './response-schemas.js';
import { emptyWhenAbsent, type ZodTypeProvider } from './route-contract.js';
import { createGrantSchema, grantParams, type GrantPolicy } from './schemas.js';
import { grantView } from './views.js';

export interface GrantRoutesOptions {
  service: GrantService;
  registry: RegistryStore;
  policy: GrantPolicy;
  now?: () => number;
}

/** The grant of a route's `{id}`, or a 404. */
export function grantLoader(registry: RegistryStore) {
  return async (id: string) => {
    const grant = await registry.getGrant(id);
    if (!grant) throw problem(404, `no grant ${id}`);
    return grant;
  };
}

/** Answers of the grant routes that several of them give. */
export const REFUSED = problemAnswer('The provider refused the account; the grant is `failed`.');
export const NOT_ANSWERED = problemAnswer(
  'The grant did not answer in time; the request stays queued. Try again.',
);

/** `POST /v1/grants`, `GET /v1/grants/{id}` and `POST /v1/grants/{id}/credential`; grant-changes.ts the rest. */
export function grantRoutes(app: FastifyInstance, options: GrantRoutesOptions): void {
  const { service, registry, policy, now = Date.now } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const loadGrant = grantLoader(registry);

  api.post(
    '/v1/grants',
    {
      config: { permission: 'request' },
      schema: {
        operationId: 'createGrant',
        tags: ['grants'],
        summary: 'Grant a supplier an expiring account',
        description:
          'Creates the account in the provider with the expiry attached. Answers `201` once the account ' +
          'exists, or `202` (status `provisioning`) when the provider is slow; then ' +
          '`POST /v1/grants/{id}/credential` hands the credential out once.',
        body: emptyWhenAbsent(createGrantSchema(policy, now)),
        docs: { rules: createRules(policy), example: exampleBodies(policy).create },
        response: {
          201: json('The account exists; `credential` is in this response only.', createdGrantSchema, {
            ...LOCATION,
            ...NO_STORE,
          }),
          202: json('Still provisioning; claim the credential later.', grantSchema, LOCATION),
          409: problemAnswer(
            'A live grant already covers this account (`liveGrantId`): extend it instead. Or the provider ' +
              'already has an account of that name that no grant made.',
          ),
          502: REFUSED,
        },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.body, actorOf(request));
      return sendCreated(reply, created);
    },
  );

  api.get(
    '/v1/grants/:id',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'getGrant',
        tags: ['grants'],
        summary: 'One grant with its event trail',
        description: 'The grant and every event of its lifecycle, each with `at` and `actor`.',
        params: grantParams,
        response: { 200: json('The grant, with `events`.', grantSchema) },
      },
    },
    async (request) => {
      const grant = await loadGrant(request.params.id);
      return grantView(grant, { trail: await registry.listEvents(grant.id), withEvents: true });
    },
  );

  api.post(
    '/v1/grants/:id/credential',
    {
      config: { permission: 'request' },
      schema: {
        operationId: 'claimCredential',
        tags: ['grants'],
        summary: 'Claim the one-time credential of a grant answered with 202',
        description:
          'Hands the credential out once, to the requester of the grant or an admin, and records who took ' +
          'it (`credential-claimed`); afterwards it is gone for good.',
        params: grantParams,
        response: {
          200: json('The account exists; here is its credential.', createdGrantSchema, NO_STORE),
          202: json('Still provisioning; try again later.', grantSchema),
          403: problemAnswer('The role does not allow it, or someone else asked for the grant.'),
          409: problemAnswer('The credential was already handed out, or the account has none.'),
          502: REFUSED,
          503: NOT_ANSWERED,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const grant = await loadGrant(request.params.id);
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
    },
  );
}

/**
 * Answers a grant or a lend just made: 201 with its one-time credential (not to be stored by anything on the way),
 * or 202 while its door is still opening; both point at it.
 */
export function sendCreated(reply: FastifyReply, created: CreatedGrant) {
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
}
