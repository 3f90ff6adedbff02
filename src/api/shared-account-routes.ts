import type { FastifyInstance } from 'fastify';
import type { ProviderName } from '../../domain/account.js';
import type { RegistryStore } from '../registry/types.js';
import { json, NO_STORE, problemAnswer } from './answers.js';
import { actorOf } from './auth.js';
import { pageAnswer, pageQuery } from './registry-routes.js';
import { emptyWhenAbsent, type ZodTypeProvider } from './route-contract.js';
import {
  custodianCredentialSchema,
  sharedAccountDetailSchema,
  sharedAccountPageSchema,
  sharedAccountSchema,
} from './shared-account-responses.js';
import {
  createSharedAccountSchema,
  listSharedAccountsQuerySchema,
  patchSharedAccountSchema,
  SHARED_ACCOUNT_QUERY_DESCRIPTIONS,
  sharedAccountParams,
} from './shared-account-schemas.js';
import type { SharedAccountService } from './shared-account-service.js';
import { grantView, sharedAccountView } from './views.js';

export interface SharedAccountRoutesOptions {
  sharedAccounts: SharedAccountService;
  registry: RegistryStore;
  providers: readonly ProviderName[];
}

/** Lends shown with a shared account; the whole list is `GET /v1/shared-accounts/{id}/lends`. */
export const RECENT_LENDS = 10;

export const TAGS = ['shared accounts'];

/** Examples shown in the document; the tests check that the schemas accept them. */
export const SHARED_ACCOUNT_EXAMPLES = {
  create: {
    provider: 'ldap',
    account: 'uid=site-admin,ou=people,dc=example,dc=org',
    label: 'Website admin',
    custodian: { name: 'carol', email: 'carol@corp.example' },
    rotationIntervalDays: 90,
  },
  patch: { rotationIntervalDays: null },
};

const CUSTODIAN_ONLY = problemAnswer('Neither the custodian of this account nor an admin.');

/**
 * `POST/GET /v1/shared-accounts`, `GET/PATCH /v1/shared-accounts/{id}`, and the custodian's
 * `POST/DELETE /v1/shared-accounts/{id}/credential` and `POST /v1/shared-accounts/{id}/rotate`; lend-routes.ts
 * the lends.
 */
export function sharedAccountRoutes(app: FastifyInstance, options: SharedAccountRoutesOptions): void {
  const { sharedAccounts, registry } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const one = { tags: TAGS, params: sharedAccountParams } as const;

  api.post(
    '/v1/shared-accounts',
    {
      config: { permission: 'admin' },
      schema: {
        operationId: 'createSharedAccount',
        tags: TAGS,
        summary: 'Register an existing account to lend',
        description:
          'The provider looks `account` up (a DN; an Okta user id or login; an Entra user id or ' +
          'userPrincipalName): none found is a `400` naming `account`. The account is not changed.',
        body: emptyWhenAbsent(createSharedAccountSchema(options.providers)),
        docs: { example: SHARED_ACCOUNT_EXAMPLES.create },
        response: {
          201: json('Registered.', sharedAccountSchema, {
            Location: { description: 'The shared account.', schema: { type: 'string' } },
          }),
          409: problemAnswer('The account is registered already (`sharedAccountId`).'),
          503: problemAnswer('The directory did not answer; try again.'),
        },
      },
    },
    async (request, reply) => {
      const created = await sharedAccounts.register(request.body, actorOf(request));
      return reply
        .code(201)
        .header('location', `/v1/shared-accounts/${created.id}`)
        .send(sharedAccountView(created));
    },
  );

  api.get(
    '/v1/shared-accounts',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'listSharedAccounts',
        tags: TAGS,
        summary: 'List shared accounts',
        description: 'Newest first. Follow `nextCursor` for the next page.',
        querystring: listSharedAccountsQuerySchema(options.providers),
        docs: { query: { descriptions: SHARED_ACCOUNT_QUERY_DESCRIPTIONS } },
        response: { 200: json('One page of shared accounts.', sharedAccountPageSchema) },
      },
    },
    async (request) => {
      const { sharedAccounts: items, next } = await registry.listSharedAccounts(pageQuery(request.query));
      return pageAnswer('sharedAccounts', { items, next }, sharedAccountView);
    },
  );

  api.get(
    '/v1/shared-accounts/:id',
    {
      config: { permission: 'read' },
      schema: {
        ...one,
        operationId: 'getSharedAccount',
        summary: 'One shared account, its live lend, recent lends and trail',
        description: `Whether a password waits for the custodian (\`credentialWaiting\`), never the password; the ${RECENT_LENDS} most recent lends.`,
        response: { 200: json('The shared account.', sharedAccountDetailSchema) },
      },
    },
    async (request) => {
      const shared = await sharedAccounts.get(request.params.id);
      const [lends, live, events] = await Promise.all([
        registry.lendsOf(shared.id, RECENT_LENDS),
        registry.liveLendOf(shared.id),
        registry.listSharedAccountEvents(shared.id),
      ]);
      const trails = await registry.listEventsOf(lends.filter((l) => l.endedAt).map((l) => l.id));
      return {
        ...sharedAccountView(shared),
        ...(live ? { liveLend: grantView(live) } : {}),
        lends: lends.map((lend) => grantView(lend, { trail: trails.get(lend.id) ?? [] })),
        events,
      };
    },
  );

  api.patch(
    '/v1/shared-accounts/:id',
    {
      config: { permission: 'admin' },
      schema: {
        ...one,
        operationId: 'updateSharedAccount',
        summary: 'Change a shared account',
        description: 'Absent fields stay as they are; `rotationIntervalDays: null` stops scheduled rotation.',
        body: emptyWhenAbsent(patchSharedAccountSchema),
        docs: { example: SHARED_ACCOUNT_EXAMPLES.patch },
        response: { 200: json('Changed.', sharedAccountSchema) },
      },
    },
    async (request) =>
      sharedAccountView(await sharedAccounts.update(request.params.id, request.body, actorOf(request))),
  );

  api.post(
    '/v1/shared-accounts/:id/credential',
    {
      config: { permission: 'read' },
      schema: {
        ...one,
        operationId: 'claimCustodianCredential',
        summary: "Take the password waiting for the account's custodian, once",
        description:
          'After a lend ends or a scheduled or manual rotation, the new password waits sealed for the custodian ' +
          '(the token named `custodian.name`) or an admin. This hands it out once and records who took it.',
        response: {
          200: json('The password, in this response only.', custodianCredentialSchema, NO_STORE),
          403: CUSTODIAN_ONLY,
          404: problemAnswer('No such shared account, or no password waits.'),
        },
      },
    },
    async (request, reply) => {
      const answer = await sharedAccounts.claimForCustodian(request.params.id, actorOf(request));
      return reply.header('cache-control', 'no-store').send(answer);
    },
  );

  api.delete(
    '/v1/shared-accounts/:id/credential',
    {
      config: { permission: 'read' },
      schema: {
        ...one,
        operationId: 'discardCustodianCredential',
        summary: 'Throw the waiting password away unseen',
        description:
          'For a custodian who resets the password themselves; recorded as `credential-discarded`.',
        response: {
          204: { description: 'Thrown away.', content: {} },
          403: CUSTODIAN_ONLY,
          404: problemAnswer('No such shared account, or no password waits.'),
        },
      },
    },
    async (request, reply) => {
      await sharedAccounts.discardForCustodian(request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );

  api.post(
    '/v1/shared-accounts/:id/rotate',
    {
      config: { permission: 'read' },
      schema: {
        ...one,
        operationId: 'rotateSharedAccount',
        summary: 'Rotate the password now',
        description:
          'The custodian or an admin starts a rotation; the new password then waits for the custodian. Refused ' +
          'while the account is lent (its return rotates it) or a rotation runs.',
        response: {
          202: json('The rotation runs.', sharedAccountSchema),
          403: CUSTODIAN_ONLY,
          409: problemAnswer('The account is lent (`holder`, `until`, `lendId`), or a rotation runs.'),
        },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(sharedAccountView(await sharedAccounts.rotate(request.params.id, actorOf(request)))),
  );
}
