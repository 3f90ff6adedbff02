import { Option, type Command } from 'commander';
import type { Grant, GrantPage } from './api-types.js';
import { CliError } from './client.js';
import { formatGrantTable } from './format.js';
import { wholeNumber } from './options.js';
import type { Session, SessionFactory } from './session.js';

interface ListOptions {
  status?: string;
  provider?: string;
  supplier?: string;
  organisation?: string;
  expiresBefore?: string;
  expiresAfter?: string;
  activeAt?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** `--all` stops after this many pages: a server that keeps answering a cursor must not loop us forever. */
const MAX_PAGES = 10_000;

/** `grant list`: the registry, filtered, one page at a time or (`--all`) every page. */
export function registerListCommand(grant: Command, session: SessionFactory): void {
  grant
    .command('list')
    .description('list grants from the registry, newest first')
    .option('--status <statuses>', 'only these statuses, comma-separated (e.g. active,extension-requested)')
    .option('--provider <providers>', 'only these providers, comma-separated (e.g. ldap,okta)')
    .option('--supplier <id>', 'only the grants of this supplier')
    .option('--organisation <text>', 'organisation name contains this (ignoring case and accents)')
    .option('--expires-before <instant>', 'expiry strictly before this ISO-8601 instant')
    .option('--expires-after <instant>', 'expiry at or after this ISO-8601 instant')
    .option('--active-at <instant>', 'the account was usable at this ISO-8601 instant')
    .addOption(new Option('--limit <n>', 'grants per page (the API defaults to 100)').argParser(wholeNumber))
    .option('--cursor <cursor>', 'continue from where a previous page stopped')
    .addOption(new Option('--all', 'follow the pages until the last one'))
    .action(async (options: ListOptions, command: Command) => listGrants(session(command), options));
}

async function listGrants(s: Session, options: ListOptions): Promise<void> {
  const grants: Grant[] = [];
  let cursor = options.cursor;
  let nextCursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(s, options, cursor);
    grants.push(...page.grants);
    nextCursor = page.nextCursor;
    if (!options.all || !nextCursor) break;
    if (nextCursor === cursor || pages >= MAX_PAGES)
      throw new CliError(`the API keeps answering more pages (cursor ${nextCursor}); stopped after ${pages}`);
    cursor = nextCursor;
  }
  const more = nextCursor && !options.all ? moreHint(nextCursor) : [];
  if (s.json) {
    s.out.json(grants);
    // stdout stays the grants array for pipes; how to get the next page goes to stderr.
    s.out.error(...more);
    return;
  }
  if (grants.length === 0) s.out.line('No grant matches.');
  else s.out.line(...formatGrantTable(grants));
  if (more.length) s.out.line('', ...more);
}

async function fetchPage(s: Session, options: ListOptions, cursor: string | undefined): Promise<GrantPage> {
  const query = {
    status: options.status,
    provider: options.provider,
    supplierId: options.supplier,
    organisation: options.organisation,
    expiresBefore: options.expiresBefore,
    expiresAfter: options.expiresAfter,
    activeAt: options.activeAt,
    limit: options.limit,
    cursor,
  };
  const { body } = await s.api.call('GET', '/v1/grants', { query });
  const page = body as Partial<GrantPage> | null;
  if (!page || !Array.isArray(page.grants))
    throw new CliError('the API answered GET /v1/grants without a "grants" list');
  return { grants: page.grants, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

function moreHint(cursor: string): string[] {
  return [`More grants match: repeat the command with --cursor ${cursor} (or use --all for every page).`];
}
