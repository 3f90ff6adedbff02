import type { FastifyInstance } from 'fastify';
import type { GrantRecord } from '../registry/types.js';
import { json, problemAnswer } from './answers.js';
import { actorOf } from './auth.js';
import { withState } from './grant-service.js';
import { grantLoader, NOT_ANSWERED, type GrantRoutesOptions } from './grants.js';
import { problem } from './problem.js';
import { exampleBodies } from './request-docs.js';
import { grantSchema } from './response-schemas.js';
import { emptyWhenAbsent, type ZodTypeProvider } from './route-contract.js';
import { approveSchema, extensionSchema, grantParams, reasonSchema, shortenSchema } from './schemas.js';
import { grantView } from './views.js';

/** The grant as the workflow answered a change, or a 503 when it did not answer in time (the change stays queued). */
function answered(
  grant: GrantRecord,
  state: Parameters<typeof withState>[1] | null | undefined,
  change: string,
) {
  if (!state) throw problem(503, `the grant did not answer in time; the ${change} is queued`);
  return grantView(withState(grant, state));
}

const NOT_LIVE = problemAnswer('The grant is no longer live, or (for extensions) nothing is pending.');
const grant = (description: string) => json(description, grantSchema);

/** What every change of one grant declares: `{id}` in the path, the tag. */
const ONE_GRANT = { tags: ['grants'], params: grantParams } as const;

/**
 * `POST /v1/grants/{id}/extensions`, `…/extensions/approve`, `…/extensions/reject`, `…/shorten` and `…/revoke`.
 */
export function grantChangeRoutes(app: FastifyInstance, options: GrantRoutesOptions): void {
  const { service, registry, policy, now = Date.now } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const loadGrant = grantLoader(registry);
  const examples = exampleBodies(policy);
  const reasonBody = { body: emptyWhenAbsent(reasonSchema), docs: { example: examples.reason } };

  api.post(
    '/v1/grants/:id/extensions',
    {
      config: { permission: 'request' },
      schema: {
        ...ONE_GRANT,
        operationId: 'requestExtension',
        summary: 'Ask for a later expiry',
        description:
          'The new expiry must be in the future and at most ' +
          `MAX_GRANT_DAYS (${policy.maxGrantDays}) days away; another person approves it.`,
        body: emptyWhenAbsent(extensionSchema(policy, now)),
        docs: { example: examples.extension },
        response: {
          202: grant('Recorded; status `extension-requested`.'),
          409: NOT_LIVE,
          503: NOT_ANSWERED,
        },
      },
    },
    async (request, reply) => {
      const grant = await loadGrant(request.params.id);
      const { expiresAt, reason } = request.body;
      const state = await service.requestExtension(grant, actorOf(request), expiresAt, reason);
      return reply.code(202).send(answered(grant, state, 'request'));
    },
  );

  api.post(
    '/v1/grants/:id/extensions/approve',
    {
      config: { permission: 'approve' },
      schema: {
        ...ONE_GRANT,
        operationId: 'approveExtension',
        summary: 'Approve the pending extension',
        description: 'Applies the new expiry in the provider. Four eyes: whoever asked may not approve.',
        body: approveSchema,
        response: {
          200: grant('Approved; the new expiry is applied.'),
          403: problemAnswer(
            'The role does not allow it, or the approver asked for the extension (four eyes).',
          ),
          409: NOT_LIVE,
          503: NOT_ANSWERED,
        },
      },
    },
    async (request) => {
      const grant = await loadGrant(request.params.id);
      return answered(
        grant,
        await service.approveExtension(grant, actorOf(request), request.body?.reason),
        'approval',
      );
    },
  );

  api.post(
    '/v1/grants/:id/extensions/reject',
    {
      config: { permission: 'approve' },
      schema: {
        ...ONE_GRANT,
        operationId: 'rejectExtension',
        summary: 'Reject the pending extension',
        description: 'The grant keeps its current expiry.',
        ...reasonBody,
        response: { 200: grant('Rejected.'), 409: NOT_LIVE, 503: NOT_ANSWERED },
      },
    },
    async (request) => {
      const grant = await loadGrant(request.params.id);
      return answered(
        grant,
        await service.rejectExtension(grant, actorOf(request), request.body.reason),
        'rejection',
      );
    },
  );

  api.post(
    '/v1/grants/:id/shorten',
    {
      config: { permission: 'request' },
      schema: {
        ...ONE_GRANT,
        operationId: 'shortenGrant',
        summary: 'Move the expiry earlier',
        description:
          'Moves the expiry earlier, in the provider too, and drops a pending extension; the sponsor and the ' +
          'supplier contacts are told. An instant now or past closes the account at once, as expiry would. ' +
          'An instant later than the current expiry is refused (`400` naming `expiresAt`): that is an extension.',
        body: emptyWhenAbsent(shortenSchema),
        docs: { example: examples.shorten },
        response: {
          200: grant('Shortened (for an instant now or past: the account is disabled and rotated).'),
          202: grant('Recorded; the provider is updated (or the account closed) as soon as it answers.'),
          409: NOT_LIVE,
        },
      },
    },
    async (request, reply) => {
      const grant = await loadGrant(request.params.id);
      const { expiresAt, reason } = request.body;
      const state = await service.shorten(grant, expiresAt, actorOf(request), reason);
      if (state) return grantView(withState(grant, state));
      // Recorded in the workflow; the registry shows how far it got.
      return reply.code(202).send(grantView((await registry.getGrant(grant.id)) ?? grant));
    },
  );

  api.post(
    '/v1/grants/:id/revoke',
    {
      config: { permission: 'admin' },
      schema: {
        ...ONE_GRANT,
        operationId: 'revokeGrant',
        summary: 'End a grant now',
        description: 'Disables the account and rotates its credentials now, as expiry would.',
        ...reasonBody,
        response: {
          200: grant('Revoked: the account is disabled and rotated.'),
          202: grant('Recorded; the account is disabled as soon as the directory answers.'),
          409: NOT_LIVE,
        },
      },
    },
    async (request, reply) => {
      const grant = await loadGrant(request.params.id);
      const state = await service.revoke(grant, actorOf(request), request.body.reason);
      // Read back from the registry, which holds the ending (and, once the directory answered, the closing):
      // the answer says when and how the grant ended, not only the expiry it will no longer reach.
      const ended = (await registry.getGrant(grant.id)) ?? (state ? withState(grant, state) : grant);
      const view = grantView(ended, { trail: await registry.listEvents(grant.id) });
      // The revoke is recorded in the workflow; the door closes as soon as the directory answers.
      return reply.code(state ? 200 : 202).send(view);
    },
  );
}
