import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { COVERED_FINDINGS, type ReviewedAccount, type ReviewReport } from '../../domain/review.js';
import type { RegistryStore } from '../registry/types.js';
import { z } from 'zod';
import { csv, json, problemAnswer } from './answers.js';
import { actorOf } from './auth.js';
import { problem } from './problem.js';
import { reviewReportSchema, reviewRunningSchema } from './response-schemas.js';
import type { ReviewService } from './review-service.js';
import type { ZodTypeProvider } from './route-contract.js';

export interface ReviewRoutesOptions {
  registry: RegistryStore;
  reviews: ReviewService;
}

const reviewParams = z.object({
  id: z.uuid('must be a review id (a UUID)').meta({ description: 'The review id.' }),
});
const report = json('The review report.', reviewReportSchema);
const noReview = problemAnswer('No review has finished yet.');

/** `POST /v1/reviews` (admin: run one now) and the reports (`/v1/reviews/latest`, `.csv`, `/v1/reviews/{id}`). */
export function reviewRoutes(app: FastifyInstance, { registry, reviews }: ReviewRoutesOptions): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const review = { permission: 'read' } as const;

  api.post(
    '/v1/reviews',
    {
      config: { permission: 'admin' },
      schema: {
        operationId: 'runReview',
        tags: ['reviews'],
        summary: 'Run an access review now',
        description:
          'Compares every supplier-convention account in every provider with the registry: drift is closed ' +
          'at once, orphans reported (or disabled with REVIEW_DISABLE_ORPHANS), directory expiries corrected. ' +
          'Answers with the report, or 202 when the review takes longer than the answer window.',
        response: { 200: report, 202: json('Still running.', reviewRunningSchema) },
      },
    },
    async (request, reply) => {
      const { reviewId, finished } = await reviews.run(actorOf(request));
      const location = `/v1/reviews/${reviewId}`;
      const done = finished ? await registry.getReview(reviewId) : null;
      if (!done)
        return reply.code(202).header('location', location).send({ id: reviewId, status: 'running' });
      return reply.header('location', location).send(reviewView(done));
    },
  );

  api.get(
    '/v1/reviews/latest',
    {
      config: review,
      schema: {
        operationId: 'getLatestReview',
        tags: ['reviews'],
        summary: 'The latest access review',
        description: 'The report of the last finished review, scheduled or run by hand.',
        response: { 200: report, 404: noReview },
      },
    },
    async () => reviewView(await latest(registry)),
  );

  api.get(
    '/v1/reviews/latest.csv',
    {
      config: review,
      schema: {
        operationId: 'exportLatestReview',
        tags: ['reviews'],
        summary: 'The latest access review, as CSV',
        description: 'One row per supplier-convention account.',
        response: { 200: csv('The review as CSV, with a header row.'), 404: noReview },
      },
    },
    async (_request, reply) => {
      const found = await latest(registry);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="supplier-access-review-${found.id}.csv"`)
        .header('cache-control', 'no-store')
        .send(reviewCsv(found, await registry.supplierIdsOf(grantIdsOf(found))));
    },
  );

  api.get(
    '/v1/reviews/:id',
    {
      config: review,
      schema: {
        operationId: 'getReview',
        tags: ['reviews'],
        summary: 'One access review',
        description: 'A review by its id (the Location of `POST /v1/reviews`).',
        params: reviewParams,
        response: { 200: report, 404: problemAnswer('No such review, or it is still running.') },
      },
    },
    async (request) => {
      const { id } = request.params;
      const found = await registry.getReview(id);
      if (!found) throw problem(404, `no review ${id} (it may still be running)`);
      return reviewView(found);
    },
  );
}

function grantIdsOf(report: ReviewReport): string[] {
  return report.accounts.flatMap((a) => (a.grantId ? [a.grantId] : []));
}

async function latest(registry: RegistryStore): Promise<ReviewReport> {
  const report = await registry.latestReview();
  if (!report) throw problem(404, 'no review has finished yet; POST /v1/reviews runs one');
  return report;
}

/** The report as the API shows it: each account says whether a grant covers it; the inventory beside them. */
export function reviewView(report: ReviewReport) {
  return {
    ...report,
    credentials: report.credentials ?? [],
    accounts: report.accounts.map((account) => ({
      ...account,
      coveredByGrant: COVERED_FINDINGS.includes(account.finding),
    })),
  };
}

const COLUMNS = [
  'provider',
  'username',
  'displayName',
  'enabled',
  'expiresAt',
  'coveredByGrant',
  'grantId',
  'grantStatus',
  'grantExpiresAt',
  'finding',
  'action',
  'error',
  // Added after the others so that spreadsheets reading columns by position keep working.
  'supplierId',
] as const;

/**
 * One row per supplier-convention account, as the review found it, with the supplier of its grant (`supplierIds`:
 * by grant id).
 */
export function reviewCsv(
  report: ReviewReport,
  supplierIds: ReadonlyMap<string, string> = new Map(),
): string {
  const row = (a: ReviewedAccount) => [
    a.provider,
    a.username,
    a.displayName,
    a.enabled ? 'yes' : 'no',
    a.expiresAt ?? '',
    COVERED_FINDINGS.includes(a.finding) ? 'yes' : 'no',
    a.grantId ?? '',
    a.grantStatus ?? '',
    a.grantExpiresAt ?? '',
    a.finding,
    a.action,
    a.error ?? '',
    (a.grantId && supplierIds.get(a.grantId)) ?? '',
  ];
  // Cells starting with = + - @ are prefixed so a spreadsheet never runs an account's name as a formula.
  return stringify([[...COLUMNS], ...report.accounts.map(row)], { escape_formulas: true });
}
