import type { FastifyInstance } from 'fastify';
import type { RegistryStore } from '../registry/types.js';
import { json, LOCATION, NO_STORE, problemAnswer } from './answers.js';
import { actorOf } from './auth.js';
import { withState, type GrantService } from './grant-service.js';
import { NOT_ANSWERED, REFUSED, sendCreated } from './grants.js';
import { createdGrantSchema, grantSchema } from './response-schemas.js';
import { emptyWhenAbsent, type ZodTypeProvider } from './route-contract.js';
import { lendListSchema } from './shared-account-responses.js';
import { TAGS } from './shared-account-routes.js';
import { lendSchema, sharedAccountParams } from './shared-account-schemas.js';
import type { SharedAccountService } from './shared-account-service.js';
import { reasonSchema, type GrantPolicy } from './schemas.js';
import { grantView } from './views.js';

export interface LendRoutesOptions {
  sharedAccounts: SharedAccountService;
  grants: GrantService;
  registry: RegistryStore;
  policy: GrantPolicy;
  now?: () => number;
}

/** Examples shown in the document; the tests check that the schemas accept them. */
export const LEND_EXAMPLES = {
  lend: {
    supplier: { organisation: 'Webagence Tremblay' },
    durationDays: 3,
    reason: 'Theme upgrade',
    ticket: 'CHG-1234',
  },
  return: { reason: 'Upgrade done' },
};

/**
 * Lends listed per shared account. No query: a path and a query both wrong would be told about the query only
 * (route-contract.ts checks the path last), and the registry pages every lend already.
 */
export const LENDS_SHOWN = 500;

const HELD = problemAnswer(
  'The account is lent already: `holder` (the supplier), `until` and `lendId` say to whom and until when. Or ' +
    'its password is being rotated: try again shortly.',
);

/** `POST/GET /v1/shared-accounts/{id}/lends` and `POST /v1/shared-accounts/{id}/return`. */
export function lendRoutes(app: FastifyInstance, options: LendRoutesOptions): void {
  const { sharedAccounts, grants, registry, policy, now = Date.now } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const one = { tags: TAGS, params: sharedAccountParams } as const;

  api.post(
    '/v1/shared-accounts/:id/lends',
    {
      config: { permission: 'request' },
      schema: {
        ...one,
        operationId: 'lendSharedAccount',
        summary: 'Lend the account to a supplier',
        description:
          'Checked as a grant is (the supplier, `until` in the future, at most MAX_GRANT_DAYS ' +
          `(${policy.maxGrantDays}) days away and not after the supplier's contract end). The password is ` +
          'rotated first: `201` hands the new one out once; `202` when the directory is slow, then ' +
          '`POST /v1/grants/{lendId}/credential` does. The lend is a grant (`door: lend`): extensions, ' +
          'approvals and revoke go through `/v1/grants/{lendId}`.',
        body: emptyWhenAbsent(lendSchema(policy, now)),
        docs: { example: LEND_EXAMPLES.lend },
        response: {
          201: json('Lent; `credential` is in this response only.', createdGrantSchema, {
            ...LOCATION,
            ...NO_STORE,
          }),
          202: json('The password is not rotated yet; claim the credential later.', grantSchema, LOCATION),
          409: HELD,
          502: REFUSED,
        },
      },
    },
    async (request, reply) => {
      const created = await sharedAccounts.lend(request.params.id, request.body, actorOf(request));
      return sendCreated(reply, created);
    },
  );

  api.get(
    '/v1/shared-accounts/:id/lends',
    {
      config: { permission: 'read' },
      schema: {
        ...one,
        operationId: 'listLends',
        summary: 'The lends of a shared account',
        description:
          `Who held the account, from when to when, why: the ${LENDS_SHOWN} most recent lends, newest first. ` +
          'Every lend, page by page: `GET /v1/grants?sharedAccountId={id}`.',
        response: { 200: json('The lends.', lendListSchema) },
      },
    },
    async (request) => {
      const shared = await sharedAccounts.get(request.params.id);
      const lends = await registry.lendsOf(shared.id, LENDS_SHOWN);
      const trails = await registry.listEventsOf(lends.filter((l) => l.endedAt).map((l) => l.id));
      return { lends: lends.map((lend) => grantView(lend, { trail: trails.get(lend.id) ?? [] })) };
    },
  );

  api.post(
    '/v1/shared-accounts/:id/return',
    {
      config: { permission: 'request' },
      schema: {
        ...one,
        operationId: 'returnSharedAccount',
        summary: 'End the live lend now',
        description:
          "The lend's requester or an admin ends it early; the password is rotated at once, and the new one " +
          'waits for the custodian.',
        body: emptyWhenAbsent(reasonSchema),
        docs: { example: LEND_EXAMPLES.return },
        response: {
          200: json('Returned: the password is rotated.', grantSchema),
          202: json('Recorded; the password is rotated as soon as the directory answers.', grantSchema),
          403: problemAnswer('Neither the requester of the lend nor an admin.'),
          409: problemAnswer('The account is not lent.'),
          503: NOT_ANSWERED,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const lend = await sharedAccounts.liveLendFor(request.params.id, actor);
      const state = await grants.revoke(lend, actor, request.body.reason);
      // As revoke does: the registry holds the ending and, once the directory answered, the closing.
      const ended = (await registry.getGrant(lend.id)) ?? (state ? withState(lend, state) : lend);
      const view = grantView(ended, { trail: await registry.listEvents(lend.id) });
      return reply.code(state ? 200 : 202).send(view);
    },
  );
}
