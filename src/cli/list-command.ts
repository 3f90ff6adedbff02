import { Option, type Command } from 'commander';
import type { Grant } from './api-types.js';
import { formatGrantTable } from './format.js';
import { wholeNumber } from './options.js';
import { showListing } from './paged-listing.js';
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

function listGrants(s: Session, options: ListOptions): Promise<void> {
  return showListing<Grant>(s, options, {
    path: '/v1/grants',
    key: 'grants',
    query: {
      status: options.status,
      provider: options.provider,
      supplierId: options.supplier,
      organisation: options.organisation,
      expiresBefore: options.expiresBefore,
      expiresAfter: options.expiresAfter,
      activeAt: options.activeAt,
      limit: options.limit,
    },
    table: formatGrantTable,
    none: 'No grant matches.',
  });
}
