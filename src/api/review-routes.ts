import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { COVERED_FINDINGS, type ReviewedAccount, type ReviewReport } from '../../domain/review.js';
import type { RegistryStore } from '../registry/types.js';
import { requireActor } from './auth.js';
import { invalid, problem } from './problem.js';
import type { ReviewService } from './review-service.js';
import { grantIdSchema } from './schemas.js';

export interface ReviewRoutesOptions {
  registry: RegistryStore;
  reviews: ReviewService;
}

/** `POST /v1/reviews` (admin: run one now) and the reports (`/v1/reviews/latest`, `.csv`, `/v1/reviews/{id}`). */
export function reviewRoutes(app: FastifyInstance, { registry, reviews }: ReviewRoutesOptions): void {
  app.post('/v1/reviews', async (request, reply) => {
    const actor = requireActor(request, 'admin');
    const { reviewId, finished } = await reviews.run(actor);
    const location = `/v1/reviews/${reviewId}`;
    const report = finished ? await registry.getReview(reviewId) : null;
    if (!report)
      return reply.code(202).header('location', location).send({ id: reviewId, status: 'running' });
    return reply.header('location', location).send(reviewView(report));
  });

  app.get('/v1/reviews/latest', async (request) => {
    requireActor(request, 'read');
    return reviewView(await latest(registry));
  });

  app.get('/v1/reviews/latest.csv', async (request, reply) => {
    requireActor(request, 'read');
    const report = await latest(registry);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="supplier-access-review-${report.id}.csv"`)
      .header('cache-control', 'no-store')
      .send(reviewCsv(report));
  });

  app.get('/v1/reviews/:id', async (request) => {
    requireActor(request, 'read');
    const { id } = request.params as { id: string };
    if (!grantIdSchema.safeParse(id).success)
      throw invalid([{ field: 'id', rule: 'must be a review id (a UUID)' }]);
    const report = await registry.getReview(id);
    if (!report) throw problem(404, `no review ${id} (it may still be running)`);
    return reviewView(report);
  });
}

async function latest(registry: RegistryStore): Promise<ReviewReport> {
  const report = await registry.latestReview();
  if (!report) throw problem(404, 'no review has finished yet; POST /v1/reviews runs one');
  return report;
}

/** The report as the API shows it: each account says whether a grant covers it. */
export function reviewView(report: ReviewReport) {
  return {
    ...report,
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
] as const;

/** One row per supplier-convention account, as the review found it. */
export function reviewCsv(report: ReviewReport): string {
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
  ];
  // Cells starting with = + - @ are prefixed so a spreadsheet never runs an account's name as a formula.
  return stringify([[...COLUMNS], ...report.accounts.map(row)], { escape_formulas: true });
}
