import type { FastifyInstance } from 'fastify';
import type { RegistryStore } from '../registry/types.js';
import { json, problemAnswer } from './answers.js';
import { actorOf } from './auth.js';
import {
  manualDoorDetailSchema,
  manualDoorPageSchema,
  manualDoorSchema,
  manualDoorView,
} from './manual-door-responses.js';
import {
  attestSchema,
  createManualDoorSchema,
  listManualDoorsQuerySchema,
  MANUAL_DOOR_QUERY_DESCRIPTIONS,
  manualDoorParams,
} from './manual-door-schemas.js';
import type { ManualDoorService } from './manual-door-service.js';
import { pageAnswer, pageQuery } from './registry-routes.js';
import { emptyWhenAbsent, type ZodTypeProvider } from './route-contract.js';
import type { GrantPolicy } from './schemas.js';

export interface ManualDoorRoutesOptions {
  manualDoors: ManualDoorService;
  registry: RegistryStore;
  policy: GrantPolicy;
  now?: (() => number) | undefined;
}

const TAGS = ['manual doors'];

/** Examples shown in the document; the tests check that the schemas accept them. */
export const MANUAL_DOOR_EXAMPLES = {
  create: {
    supplier: { organisation: 'Acme Printers' },
    what: 'Zapier connection to the CRM',
    where: 'zapier.com, team workspace "Sales"',
    custodian: { name: 'carol', email: 'carol@corp.example' },
    durationDays: 30,
    reason: 'Lead import during the CRM migration',
  },
  attest: { note: 'Deleted the Zap and revoked its CRM token' },
};

/** `POST/GET /v1/manual-doors`, `GET /v1/manual-doors/{id}`, `POST /v1/manual-doors/{id}/attest`. */
export function manualDoorRoutes(app: FastifyInstance, options: ManualDoorRoutesOptions): void {
  const { manualDoors, registry } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const one = { tags: TAGS, params: manualDoorParams } as const;

  api.post(
    '/v1/manual-doors',
    {
      config: { permission: 'request' },
      schema: {
        operationId: 'createManualDoor',
        tags: TAGS,
        summary: 'Record a door no API can close',
        description:
          'A Zapier connection, a webhook at a hosting provider, a password in another SaaS: what, where, for which ' +
          'supplier, whose, until when. Its custodian is reminded before `until` (`REMINDER_LEAD`); past `until` ' +
          'it is `overdue` and admins are told every day until someone attests it closed. `until` is held to ' +
          "`MAX_GRANT_DAYS` and to the supplier's contract end.",
        body: emptyWhenAbsent(createManualDoorSchema(options.policy, options.now ?? Date.now)),
        docs: { example: MANUAL_DOOR_EXAMPLES.create },
        response: {
          201: json('Recorded.', manualDoorSchema, {
            Location: { description: 'The manual door.', schema: { type: 'string' } },
          }),
        },
      },
    },
    async (request, reply) => {
      const door = await manualDoors.create(request.body, actorOf(request));
      return reply.code(201).header('location', `/v1/manual-doors/${door.id}`).send(manualDoorView(door));
    },
  );

  api.get(
    '/v1/manual-doors',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'listManualDoors',
        tags: TAGS,
        summary: 'List manual doors',
        description: 'Newest first. Follow `nextCursor` for the next page.',
        querystring: listManualDoorsQuerySchema,
        docs: { query: { descriptions: MANUAL_DOOR_QUERY_DESCRIPTIONS } },
        response: { 200: json('One page of manual doors.', manualDoorPageSchema) },
      },
    },
    async (request) => {
      const { manualDoors: items, next } = await registry.listManualDoors(pageQuery(request.query));
      return pageAnswer('manualDoors', { items, next }, manualDoorView);
    },
  );

  api.get(
    '/v1/manual-doors/:id',
    {
      config: { permission: 'read' },
      schema: {
        ...one,
        operationId: 'getManualDoor',
        summary: 'One manual door with its trail',
        response: { 200: json('The manual door.', manualDoorDetailSchema) },
      },
    },
    async (request) => {
      const door = await manualDoors.get(request.params.id);
      return { ...manualDoorView(door), events: await registry.listManualDoorEvents(door.id) };
    },
  );

  api.post(
    '/v1/manual-doors/:id/attest',
    {
      config: { permission: 'read' },
      schema: {
        ...one,
        operationId: 'attestManualDoor',
        summary: 'Attest the door closed',
        description:
          'The custodian (the token named `custodian.name`) or an admin says the door is closed; recorded as ' +
          '`attested-closed` with who and the note. Its reminders and escalations stop.',
        body: emptyWhenAbsent(attestSchema),
        docs: { example: MANUAL_DOOR_EXAMPLES.attest },
        response: {
          200: json('Closed.', manualDoorSchema),
          403: problemAnswer('Neither the custodian of this door nor an admin.'),
          409: problemAnswer('The door was attested closed already.'),
        },
      },
    },
    async (request) =>
      manualDoorView(await manualDoors.attest(request.params.id, actorOf(request), request.body.note)),
  );
}
