import type { FastifyInstance } from 'fastify';
import { INCIDENT_FIELDS } from '../../domain/incident.js';
import { csv, json, problemAnswer } from './answers.js';
import { actorOf } from './auth.js';
import { csvTable } from './csv-table.js';
import {
  incidentDetailSchema,
  incidentExportSchema,
  incidentPageSchema,
  incidentView,
  openedIncidentSchema,
} from './incident-responses.js';
import {
  exportIncidentsQuerySchema,
  INCIDENT_QUERY_DESCRIPTIONS,
  incidentParams,
  liftBlockSchema,
  listIncidentsQuerySchema,
  openIncidentSchema,
  patchIncidentSchema,
} from './incident-schemas.js';
import type { IncidentDetail, IncidentService } from './incident-service.js';
import { pageAnswer, pageQuery } from './registry-routes.js';
import { emptyWhenAbsent, type ZodTypeProvider } from './route-contract.js';
import { supplierSchema } from './supplier-responses.js';
import { supplierParams } from './supplier-schemas.js';
import { supplierView } from './views.js';

export interface IncidentRoutesOptions {
  incidents: IncidentService;
  now?: (() => number) | undefined;
}

const TAGS = ['incidents'];

/** Examples shown in the document; the tests check that the schemas accept them. */
export const INCIDENT_EXAMPLES = {
  open: {
    reason: 'Supplier reports ransomware on the laptops of its technicians',
    discoveredAt: '2026-11-30T14:05:00Z',
    occurredFrom: '2026-11-28T00:00:00Z',
  },
  create: {
    reason: 'The accounting clerk account logged in from an unknown country',
    discoveredAt: '2026-11-30T09:00:00Z',
    circumstances: 'Internal account accounting-clerk; password reused on a breached forum',
  },
  patch: {
    personsConcerned: 1200,
    seriousRisk: true,
    commissionNotifiedAt: '2026-12-02T10:00:00Z',
  },
  lift: { reason: 'Laptops reinstalled; the supplier passed our security review' },
};

const TOO_LATE = 'discoveredAt in the future, or occurredFrom after occurredUntil: `errors` names the field.';

/**
 * `POST /v1/suppliers/{id}/incident`, `DELETE /v1/suppliers/{id}/block`, `POST/GET /v1/incidents`,
 * `GET/PATCH /v1/incidents/{id}`, `GET /v1/incidents.csv` and `GET /v1/incidents.json`.
 */
export function incidentRoutes(app: FastifyInstance, options: IncidentRoutesOptions): void {
  const { incidents } = options;
  const now = options.now ?? Date.now;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/v1/suppliers/:id/incident',
    {
      config: { permission: 'admin' },
      schema: {
        operationId: 'openSupplierIncident',
        tags: TAGS,
        summary: 'The supplier was breached: close every door it holds, block it, open the register entry',
        description:
          'Revokes every live grant of the supplier, ends every lend (rotating the password), removes every ' +
          'service credential and flags every manual door to its custodian, all at once; blocks the supplier ' +
          '(no new door until an admin lifts the block); opens the confidentiality-incident register entry; tells ' +
          'the admins. Answers once every door but the manual ones is closed, or after `API_ANSWER_WITHIN` with ' +
          'what is still pending (a directory that is down: its doors close when it returns, and the entry ' +
          'records when). A manual door stays `pending` until its custodian attests it closed.',
        params: supplierParams,
        body: emptyWhenAbsent(openIncidentSchema(now)),
        docs: { example: INCIDENT_EXAMPLES.open },
        response: {
          201: json('Opened: the doors closed and those still pending.', openedIncidentSchema, {
            Location: {
              description: 'The register entry, `/v1/incidents/{id}`.',
              schema: { type: 'string' },
            },
          }),
          400: problemAnswer(TOO_LATE),
          409: problemAnswer('The supplier is already blocked by an incident (`incidentId`).'),
        },
      },
    },
    async (request, reply) => {
      const opened = await incidents.open(request.params.id, request.body, actorOf(request));
      return reply.code(201).header('location', `/v1/incidents/${opened.incident.id}`).send(opened);
    },
  );

  api.delete(
    '/v1/suppliers/:id/block',
    {
      config: { permission: 'admin' },
      schema: {
        operationId: 'liftSupplierBlock',
        tags: TAGS,
        summary: "Lift an incident's block on the supplier",
        description:
          'The supplier may have new doors again; recorded as `block-lifted`, with who and why, on the incident ' +
          'that set the block.',
        params: supplierParams,
        body: emptyWhenAbsent(liftBlockSchema),
        docs: { example: INCIDENT_EXAMPLES.lift },
        response: {
          200: json('Lifted: the supplier, without `block`.', supplierSchema),
          409: problemAnswer('The supplier is not blocked.'),
        },
      },
    },
    async (request) =>
      supplierView(await incidents.liftBlock(request.params.id, request.body.reason, actorOf(request))),
  );

  api.post(
    '/v1/incidents',
    {
      config: { permission: 'admin' },
      schema: {
        operationId: 'createIncident',
        tags: TAGS,
        summary: 'Record an incident without a supplier (an internal account)',
        description: 'The same register; nothing is closed or blocked (`doors: none`).',
        body: emptyWhenAbsent(openIncidentSchema(now)),
        docs: { example: INCIDENT_EXAMPLES.create },
        response: {
          201: json('Recorded.', incidentDetailSchema, {
            Location: { description: 'The register entry.', schema: { type: 'string' } },
          }),
          400: problemAnswer(TOO_LATE),
        },
      },
    },
    async (request, reply) => {
      const detail = await incidents.create(request.body, actorOf(request));
      return reply.code(201).header('location', `/v1/incidents/${detail.incident.id}`).send(detail);
    },
  );

  api.get(
    '/v1/incidents',
    {
      config: { permission: 'audit' },
      schema: {
        operationId: 'listIncidents',
        tags: TAGS,
        summary: 'The confidentiality-incident register',
        description: 'Newest first. Follow `nextCursor` for the next page.',
        querystring: listIncidentsQuerySchema,
        docs: { query: { descriptions: INCIDENT_QUERY_DESCRIPTIONS } },
        response: { 200: json('One page of the register.', incidentPageSchema) },
      },
    },
    async (request) => {
      const { incidents: items, next } = await incidents.list(pageQuery(request.query));
      return pageAnswer('incidents', { items, next }, incidentView);
    },
  );

  const exportRoute = (format: 'csv' | 'json') => ({
    config: { permission: 'audit' as const },
    schema: {
      operationId: format === 'csv' ? 'exportIncidentsCsv' : 'exportIncidentsJson',
      tags: TAGS,
      summary: `The register as ${format.toUpperCase()}, for the Commission`,
      description:
        format === 'csv'
          ? 'One row per entry: the Law 25 fields, the supplier, how many doors it closed and when the last ' +
            'closed, and until when the entry is kept. Same filters as `GET /v1/incidents`, never paged.'
          : 'Every entry in full, as `GET /v1/incidents/{id}` answers it. Same filters as `GET /v1/incidents`, ' +
            'never paged.',
      querystring: exportIncidentsQuerySchema,
      docs: { query: { descriptions: INCIDENT_QUERY_DESCRIPTIONS } },
      response: {
        200:
          format === 'csv'
            ? csv('The register as CSV, with a header row.')
            : json('The register.', incidentExportSchema),
      },
    },
  });

  api.get('/v1/incidents.csv', exportRoute('csv'), async (request, reply) => {
    const details = await incidents.export(request.query);
    const stamp = new Date(now()).toISOString();
    return reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="supplier-access-incidents-${stamp.slice(0, 10)}.csv"`,
      )
      .header('cache-control', 'no-store')
      .send(incidentsCsv(details));
  });

  api.get('/v1/incidents.json', exportRoute('json'), async (request, reply) => {
    const details = await incidents.export(request.query);
    const stamp = new Date(now()).toISOString();
    return reply
      .header(
        'content-disposition',
        `attachment; filename="supplier-access-incidents-${stamp.slice(0, 10)}.json"`,
      )
      .header('cache-control', 'no-store')
      .send({ exportedAt: stamp, incidents: details });
  });

  api.get(
    '/v1/incidents/:id',
    {
      config: { permission: 'audit' },
      schema: {
        operationId: 'getIncident',
        tags: TAGS,
        summary: 'One register entry, pre-filled from the registry, with its trail',
        description:
          'The entry; the doors it closes and when each closed; every door the supplier held from `occurredFrom` ' +
          '(or `discoveredAt`) to `occurredUntil` (or now); every change; and until when it is kept.',
        params: incidentParams,
        response: { 200: json('The entry.', incidentDetailSchema) },
      },
    },
    async (request) => incidents.detail(request.params.id),
  );

  api.patch(
    '/v1/incidents/:id',
    {
      config: { permission: 'admin' },
      schema: {
        operationId: 'updateIncident',
        tags: TAGS,
        summary: 'Complete or correct a register entry',
        description:
          'Absent fields stay as they are; `null` clears a field that may be unknown (not `reason` nor ' +
          '`discoveredAt`). Every change is kept: an `updated` event holds each field before and after.',
        params: incidentParams,
        body: emptyWhenAbsent(patchIncidentSchema(now)),
        docs: { example: INCIDENT_EXAMPLES.patch },
        response: { 200: json('Changed: the entry.', incidentDetailSchema), 400: problemAnswer(TOO_LATE) },
      },
    },
    async (request) => incidents.update(request.params.id, request.body, actorOf(request)),
  );
}

export const INCIDENT_CSV_COLUMNS = [
  'id',
  'supplierId',
  'supplier',
  ...INCIDENT_FIELDS,
  'doors',
  'doorCount',
  'doorsClosedAt',
  'keepUntil',
  'createdBy',
  'createdAt',
  'updatedAt',
  'revision',
] as const;

/** One row per entry, newest first. */
export function incidentsCsv(details: readonly IncidentDetail[]): string {
  const rows = details.map(({ incident, doors, keepUntil }) => [
    incident.id,
    incident.supplierId,
    incident.supplierName,
    ...INCIDENT_FIELDS.map((field) => incident[field]),
    incident.doors,
    doors.length,
    incident.doorsClosedAt,
    keepUntil,
    incident.createdBy,
    incident.createdAt,
    incident.updatedAt,
    incident.revision,
  ]);
  return csvTable(INCIDENT_CSV_COLUMNS, rows);
}
