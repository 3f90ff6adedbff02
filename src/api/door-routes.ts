import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { openDoors, type OpenDoors, type OpenDoorSources } from '../registry/open-doors.js';
import { csv, json } from './answers.js';
import { csvTable } from './csv-table.js';
import { openDoorsSchema } from './door-responses.js';
import type { ZodTypeProvider } from './route-contract.js';
import { instant, supplierIdSchema, utc } from './schemas.js';

export interface DoorRoutesOptions {
  registry: OpenDoorSources['registry'];
  now?: (() => number) | undefined;
}

const doorsQuery = z.strictObject({
  activeAt: instant
    .transform(utc)
    .optional()
    .meta({ description: 'The instant to answer for (ISO-8601); default now.' }),
  supplierId: supplierIdSchema.optional().meta({ description: "Only this supplier's doors." }),
});

/** `GET /v1/doors` and `GET /v1/doors.csv`: every door open at an instant, by supplier (any role). */
export function doorRoutes(app: FastifyInstance, options: DoorRoutesOptions): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const now = options.now ?? Date.now;
  const answer = (query: z.output<typeof doorsQuery>) =>
    openDoors(options, {
      activeAt: query.activeAt ?? new Date(now()).toISOString(),
      supplierId: query.supplierId,
    });

  api.get(
    '/v1/doors',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'listOpenDoors',
        tags: ['doors'],
        summary: 'Every door open now (or at `activeAt`), by supplier',
        description:
          'Live grants (accounts), lends, service credentials and manual doors, grouped by supplier with totals ' +
          'per kind. A grant counts until its account is closed, as in `GET /v1/grants?activeAt=`.',
        querystring: doorsQuery,
        response: { 200: json('The open doors.', openDoorsSchema) },
      },
    },
    async (request) => answer(request.query),
  );

  api.get(
    '/v1/doors.csv',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'exportOpenDoors',
        tags: ['doors'],
        summary: 'Every door open now (or at `activeAt`), as CSV',
        description: 'One row per open door, the same doors as `GET /v1/doors`.',
        querystring: doorsQuery,
        response: { 200: csv('The open doors as CSV, with a header row.') },
      },
    },
    async (request, reply) => {
      const doors = await answer(request.query);
      const stamp = doors.activeAt.slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="supplier-access-doors-${stamp}.csv"`)
        .header('cache-control', 'no-store')
        .send(doorsCsv(doors));
    },
  );
}

export const DOOR_CSV_COLUMNS = [
  'supplierId',
  'supplier',
  'kind',
  'id',
  'provider',
  'account',
  'what',
  'where',
  'custodian',
  'status',
  'since',
  'until',
  'requestedBy',
] as const;

/** One row per open door, suppliers in the answer's order. */
export function doorsCsv(doors: OpenDoors): string {
  const rows = doors.suppliers.flatMap((s) =>
    s.doors.map((d) => [
      d.supplierId ?? '',
      d.supplier,
      d.kind,
      d.id,
      d.provider ?? '',
      d.account ?? '',
      d.what ?? '',
      d.where ?? '',
      d.custodian ?? '',
      d.status,
      d.since,
      d.until,
      d.requestedBy,
    ]),
  );
  return csvTable(DOOR_CSV_COLUMNS, rows);
}
