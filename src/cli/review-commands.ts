import type { Command } from 'commander';
import { formatTable } from './format.js';
import { exportCsv } from './registry-commands.js';
import type { Session, SessionFactory } from './session.js';

interface ReviewedAccount {
  provider: string;
  username: string;
  enabled: boolean;
  coveredByGrant: boolean;
  finding: string;
  action: string;
  error?: string;
}

interface InventoriedCredential {
  provider: string;
  kind: string;
  name: string;
  owners: string[];
  ageDays?: number;
  lastUsedAt?: string;
  expiresAt?: string;
  grantId?: string;
  flags: string[];
}

interface ReviewReport {
  id: string;
  trigger: string;
  startedAt: string;
  finishedAt?: string;
  providers: {
    provider: string;
    accounts: number;
    findings: Record<string, number>;
    error?: string;
    inventory?: { holders: number; flagged: number; error?: string };
  }[];
  accounts: ReviewedAccount[];
  credentials?: InventoriedCredential[];
}

/** `review run`, `review latest`, `review show`: the access review over the API. */
export function registerReviewCommands(review: Command, session: SessionFactory): void {
  review
    .command('run')
    .description('run an access review now (admin) and print its report')
    .option('--all', 'list every account, not only those that need a look')
    .action(async (options: { all?: boolean }, command: Command) => {
      const s = session(command);
      const { status, body } = await s.api.call('POST', '/v1/reviews');
      if (status === 202) {
        const { id } = body as { id: string };
        if (s.json) return s.out.json(body);
        return s.out.line(
          `The review ${id} is still running; its report will be at:`,
          `  supplier-access review show ${id}`,
        );
      }
      printReport(s, body as ReviewReport, options.all === true);
    });

  review
    .command('latest')
    .description('the latest finished review (any role)')
    .option('--all', 'list every account, not only those that need a look')
    .option('--csv', 'the report as CSV (one row per account)')
    .option('--output <file>', 'with --csv: write to this file instead of stdout')
    .action(async (options: { all?: boolean; csv?: boolean; output?: string }, command: Command) => {
      const s = session(command);
      if (!options.csv) {
        const { body } = await s.api.call('GET', '/v1/reviews/latest');
        return printReport(s, body as ReviewReport, options.all === true);
      }
      await exportCsv(s, '/v1/reviews/latest.csv', options.output, 'the review');
    });

  review
    .command('show <id>')
    .description('one review by its id')
    .option('--all', 'list every account, not only those that need a look')
    .action(async (id: string, options: { all?: boolean }, command: Command) => {
      const s = session(command);
      const { body } = await s.api.call('GET', `/v1/reviews/${encodeURIComponent(id)}`);
      printReport(s, body as ReviewReport, options.all === true);
    });
}

const QUIET = new Set(['covered', 'closed']);

function printReport(s: Session, report: ReviewReport, all: boolean): void {
  if (s.json) return s.out.json(report);
  s.out.line(
    `Review ${report.id} (${report.trigger}), ${report.startedAt} → ${report.finishedAt ?? 'running'}`,
  );
  for (const p of report.providers) {
    const counts = Object.entries(p.findings)
      .filter(([, n]) => n > 0)
      .map(([finding, n]) => `${n} ${finding}`)
      .join(', ');
    s.out.line(
      `  ${p.provider}: ${p.accounts} accounts${counts ? ` (${counts})` : ''}${p.error ? ` — ${p.error}` : ''}`,
    );
    if (p.inventory) {
      const { holders, flagged, error } = p.inventory;
      s.out.line(
        `  ${p.provider}: ${holders} service credential holders, ${flagged} flagged${error ? ` — ${error}` : ''}`,
      );
    }
  }
  printCredentials(s, report.credentials ?? [], all);
  const shown = all ? report.accounts : report.accounts.filter((a) => !QUIET.has(a.finding));
  const flagged = (report.credentials ?? []).some((c) => c.flags.length > 0);
  if (shown.length === 0) return flagged ? undefined : s.out.line('', 'Nothing needs a look.');
  s.out.line(
    '',
    ...formatTable(
      ['provider', 'username', 'enabled', 'grant', 'finding', 'action'],
      shown.map((a) => [
        a.provider,
        a.username,
        a.enabled ? 'yes' : 'no',
        a.coveredByGrant ? 'covers it' : 'none',
        a.finding,
        a.action + (a.error ? ` (${a.error})` : ''),
      ]),
    ),
  );
}

/** The inventory's holders: the flagged ones, or every one with `--all`. */
function printCredentials(s: Session, credentials: InventoriedCredential[], all: boolean): void {
  const shown = all ? credentials : credentials.filter((c) => c.flags.length > 0);
  if (shown.length === 0) return;
  s.out.line(
    '',
    ...formatTable(
      ['provider', 'kind', 'name', 'owners', 'age', 'last used', 'expires', 'flags'],
      shown.map((c) => [
        c.provider,
        c.kind,
        c.name,
        c.owners.join(', ') || 'none',
        c.ageDays === undefined ? '?' : `${c.ageDays}d`,
        c.lastUsedAt ?? '',
        c.expiresAt ?? 'never',
        c.grantId ? `ours (grant ${c.grantId})` : c.flags.join(', ') || 'none',
      ]),
    ),
  );
}
