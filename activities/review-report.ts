import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { IdentityProvider } from '../providers/types.js';
import type { ProviderName } from '../domain/account.js';
import type { NotificationChannel } from '../domain/channels.js';
import type { Notifier } from '../src/notify/index.js';
import { NOTEWORTHY_FINDINGS, type ReviewReport } from '../domain/review.js';
import type { RegistryStore } from '../src/registry/types.js';
import { sendNotice } from './reminders.js';

/** How the worker reviews: the supplier convention, whether orphans are disabled, who reads the summary. */
export interface ReviewSettings {
  prefix: string;
  disableOrphans: boolean;
  /** `MAX_GRANT_DAYS`: the inventory flags credentials that run longer than a grant may. */
  maxGrantDays?: number | undefined;
  /** E-mail addresses the summary goes to (`REVIEW_REPORT_TO`); the webhook hears of it regardless. */
  reportTo: string[];
}

export interface ReviewReportDeps {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  registry: RegistryStore;
  logger: Logger;
  notifier?: Notifier | undefined;
  review?: ReviewSettings | undefined;
}

/** Accounts listed by name in a summary; the rest are in the report. */
const LISTED = 20;

/** The review's settings as this worker holds them, and the summary it sends when something was found. */
export function createReviewReportActivities({
  providers,
  registry,
  logger,
  notifier,
  review,
}: ReviewReportDeps) {
  return {
    /** What to review: the providers enabled on this worker, with its settings (read at each run, not frozen in the schedule). */
    async reviewTargets() {
      return {
        providers: [...providers.keys()],
        prefix: review?.prefix ?? 'sup-',
        disableOrphans: review?.disableOrphans ?? false,
      };
    },

    /** Sends the review's summary through one channel; false when that channel is not configured. */
    async deliverReviewSummary({
      channel,
      reviewId,
    }: {
      channel: NotificationChannel;
      reviewId: string;
    }): Promise<boolean> {
      if (!notifier?.channels.includes(channel)) return false;
      const to = review?.reportTo ?? [];
      if (channel === 'email' && to.length === 0) return false;
      const report = await registry.getReview(reviewId);
      if (!report) throw ApplicationFailure.retryable(`review ${reviewId} is not in the registry yet`);
      return sendNotice(
        notifier,
        logger,
        channel,
        { ...summaryMessage(report), to },
        { reviewId },
        'review summary',
      );
    },
  };
}

/** The summary: counts per provider and finding, then the accounts and the credential holders that need a look. */
export function summaryMessage(report: ReviewReport) {
  const noteworthy = report.accounts.filter((a) => NOTEWORTHY_FINDINGS.includes(a.finding));
  const lines = report.providers.map((p) => {
    const counts = Object.entries(p.findings)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([finding, n]) => `${n} ${finding}`);
    const inventory = p.inventory
      ? `; ${p.inventory.holders} service credential holders, ${p.inventory.flagged} flagged${
          p.inventory.error ? ` (inventory failed: ${p.inventory.error})` : ''
        }`
      : '';
    return `${p.provider}: ${p.accounts} supplier accounts${counts.length ? ` (${counts.join(', ')})` : ''}${
      p.error ? ` — could not be reviewed: ${p.error}` : ''
    }${inventory}`;
  });
  const listed = noteworthy
    .slice(0, LISTED)
    .map((a) => `- ${a.provider} ${a.username}: ${a.finding}, ${a.action}${a.error ? ` (${a.error})` : ''}`);
  if (noteworthy.length > LISTED) listed.push(`- … and ${noteworthy.length - LISTED} more`);
  const flagged = (report.credentials ?? []).filter((c) => c.flags.length > 0);
  const credentialLines = flagged
    .slice(0, LISTED)
    .map(
      (c) =>
        `- ${c.provider} ${c.kind} "${c.name}": ${c.flags.join(', ')}` +
        ` (owner: ${c.owners.join(', ') || 'none'}${c.ageDays === undefined ? '' : `, ${c.ageDays} days old`})`,
    );
  if (flagged.length > LISTED) credentialLines.push(`- … and ${flagged.length - LISTED} more`);
  if (credentialLines.length) credentialLines.unshift('Credentials nobody answers for:');
  const subject =
    `Supplier access review: ${noteworthy.length} account(s)` +
    (flagged.length ? ` and ${flagged.length} credential(s)` : '') +
    ' need a look';
  return {
    subject,
    text: [
      `Review ${report.id} (${report.trigger}), ${report.startedAt}.`,
      ...lines,
      '',
      ...listed,
      ...(credentialLines.length ? ['', ...credentialLines] : []),
      '',
      'The full report: GET /v1/reviews/latest (or latest.csv).',
    ].join('\n'),
    data: {
      reviewId: report.id,
      noteworthy: noteworthy.length,
      flaggedCredentials: flagged.length,
      providers: report.providers,
    },
  };
}
