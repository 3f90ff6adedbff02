import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import type { GrantCursor, GrantQuery, GrantRecord, RegistryStore } from '../registry/types.js';
import type { GrantEvent } from '../../domain/events.js';
import { endingOf, isClosing } from '../registry/ending.js';
import { csv, json } from './answers.js';
import { invalid } from './problem.js';
import { registryFilters } from './request-docs.js';
import { grantPageSchema } from './response-schemas.js';
import type { ZodTypeProvider } from './route-contract.js';
import { grantIdSchema, listGrantsQuerySchema, type GrantPolicy } from './schemas.js';
import { grantPages } from '../registry/grant-pages.js';
import { grantView } from './views.js';

export interface RegistryRoutesOptions {
  registry: RegistryStore;
  policy: GrantPolicy;
}

/** Grants per page when the CSV export walks the whole registry. */
const EXPORT_PAGE = 500;

/** `GET /v1/grants` (the registry, filtered and paged) and `GET /v1/registry.csv` (all of it). */
export function registryRoutes(app: FastifyInstance, { registry, policy }: RegistryRoutesOptions): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const querystring = listGrantsQuerySchema(policy.providers);

  api.get(
    '/v1/grants',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'listGrants',
        tags: ['registry'],
        summary: 'List grants (the registry)',
        description:
          'Filters combine with AND; pages are newest first. Follow `nextCursor` for the next page.',
        querystring,
        docs: { query: registryFilters(policy) },
        response: { 200: json('One page of grants.', grantPageSchema) },
      },
    },
    async (request) => {
      const { grants, next } = await registry.listGrants(pageQuery(request.query));
      // The trails say how ended grants ended, in one query for the page; live grants need none.
      const trails = await registry.listEventsOf(grants.filter((g) => g.endedAt).map((g) => g.id));
      return pageAnswer('grants', { items: grants, next }, (grant) =>
        grantView(grant, { trail: trails.get(grant.id) ?? [] }),
      );
    },
  );

  api.get(
    '/v1/registry.csv',
    {
      config: { permission: 'read' },
      schema: {
        operationId: 'exportRegistry',
        tags: ['registry'],
        summary: 'Every grant ever made, as CSV',
        description:
          'Closed grants included; one row per grant: who asked, which system, until when, why, how it ' +
          'ended and who extended it. The filters of `GET /v1/grants` narrow it; it is never paged.',
        querystring,
        // The export walks every page itself: paging parameters are parsed but ignored.
        docs: { query: registryFilters(policy, ['limit', 'cursor']) },
        response: { 200: csv('The registry as CSV, with a header row.') },
      },
    },
    async (request, reply) => {
      // The export is the whole registry (optionally filtered): paging is its own business.
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="supplier-access-registry-${stamp}.csv"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(csvChunks(registry, { ...request.query, after: undefined, limit: EXPORT_PAGE })));
    },
  );
}

/** Cursors are opaque to callers: the last grant of a page, base64url-encoded. */
export function encodeCursor(cursor: GrantCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** `createdAt` as the registry writes it (`toISOString`), so a cursor compares like the rows it points into. */
const isStoredInstant = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;

/**
 * A cursor is the caller's text and reaches the query: only what encodeCursor can have written passes (a NUL in
 * the id made PostgreSQL fail the query, a 500).
 */
export function decodeCursor(text: string): GrantCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      isStoredInstant(value[0]) &&
      typeof value[1] === 'string' &&
      grantIdSchema.safeParse(value[1]).success
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw invalid([{ field: 'cursor', rule: 'must be a nextCursor returned by this API' }]);
}

/** A listing's query as the registry reads it: its filters, and the page's start from the caller's `cursor`. */
export function pageQuery<Q extends { cursor?: string | undefined }>({
  cursor,
  ...filters
}: Q): Omit<Q, 'cursor'> & { after: GrantCursor | undefined } {
  return { ...filters, after: cursor ? decodeCursor(cursor) : undefined };
}

/** A page as the API answers it: its items under `key` as `view` shows them, and `nextCursor` when more match. */
export function pageAnswer<K extends string, T, V>(
  key: K,
  page: { items: T[]; next?: GrantCursor | undefined },
  view: (item: T) => V,
): Record<K, V[]> & { nextCursor?: string } {
  return {
    [key]: page.items.map(view),
    ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
  } as Record<K, V[]> & { nextCursor?: string };
}

export const CSV_COLUMNS = [
  'id',
  'organisation',
  'provider',
  'username',
  'status',
  'requestedBy',
  'reason',
  'ticket',
  'createdAt',
  'provisionedAt',
  'expiresAt',
  'endedAt',
  'ending',
  'endedBy',
  'endReason',
  'extensionsApproved',
  // Added after the others so that spreadsheets reading columns by position keep working.
  'closedAt',
  'closing',
  'supplierId',
  'door',
  'sharedAccountId',
] as const;

/** The CSV, page by page, so an export of the whole registry never sits in memory at once. */
async function* csvChunks(registry: RegistryStore, query: GrantQuery): AsyncGenerator<string> {
  // Cells starting with = + - @ are prefixed so a spreadsheet never runs a supplier's name as a formula.
  const options = { escape_formulas: true, quoted_string: false } as const;
  yield stringify([[...CSV_COLUMNS]], options);
  for await (const grants of grantPages(registry, query)) {
    const trails = await registry.listEventsOf(grants.map((g) => g.id));
    const rows = grants.map((grant) => csvRow(grant, trails.get(grant.id) ?? []));
    if (rows.length) yield stringify(rows, options);
  }
}

/** One grant as an auditor reads it: who asked, why, until when, how it ended, who extended it, when it closed. */
export function csvRow(grant: GrantRecord, events: GrantEvent[]): string[] {
  const ending = endingOf(grant, events);
  const closing = isClosing(grant);
  const approvals = events
    .filter((e) => e.type === 'extension-approved')
    .map(
      (e) =>
        `${e.at} ${e.actor} approved until ${e.details?.expiresAt ?? '?'}` +
        (e.details?.requestedBy ? ` (asked by ${e.details.requestedBy})` : ''),
    );
  return [
    grant.id,
    grant.organisation,
    grant.provider,
    grant.username,
    grant.status,
    grant.requestedBy,
    grant.reason,
    grant.ticket ?? '',
    grant.createdAt,
    grant.provisionedAt ?? '',
    grant.expiresAt,
    grant.endedAt ?? '',
    ending?.ending ?? '',
    ending?.endedBy ?? '',
    ending?.endReason ?? '',
    approvals.join('; '),
    grant.closedAt ?? '',
    closing === undefined ? '' : closing ? 'yes' : 'no',
    grant.supplierId ?? '',
    grant.door,
    grant.sharedAccountId ?? '',
  ];
}
