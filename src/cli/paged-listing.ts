import { Option, type Command } from 'commander';
import { CliError } from './client.js';
import { wholeNumber } from './options.js';
import { registerShowCommand, type Session, type SessionFactory } from './session.js';

/** `--all` stops after this many pages: a server that keeps answering a cursor must not loop us forever. */
const MAX_PAGES = 10_000;

/** One listing of the API (`GET /v1/grants`, `GET /v1/suppliers`) as a CLI command shows it. */
export interface PagedListing<T> {
  /** The API's path; its answer carries the items under `key` and `nextCursor` when more match. */
  path: string;
  key: string;
  /** The query, without the cursor. */
  query: Record<string, string | number | undefined>;
  /** The items as a table, and what is said when none match. */
  table(items: T[]): string[];
  none: string;
}

/**
 * Runs a listing command: one page (from `--cursor`), or every page with `--all`. With `--json`, stdout is the
 * items as one array, for pipes, and how to get the next page goes to stderr.
 */
export async function showListing<T>(
  s: Session,
  options: { cursor?: string | undefined; all?: boolean | undefined },
  listing: PagedListing<T>,
): Promise<void> {
  const items: T[] = [];
  let cursor = options.cursor;
  let nextCursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const { body } = await s.api.call('GET', listing.path, { query: { ...listing.query, cursor } });
    const page = body as Record<string, unknown> | null;
    const found = page?.[listing.key];
    if (!Array.isArray(found))
      throw new CliError(`the API answered GET ${listing.path} without a "${listing.key}" list`);
    items.push(...(found as T[]));
    nextCursor = typeof page?.nextCursor === 'string' && page.nextCursor ? page.nextCursor : undefined;
    if (!options.all || !nextCursor) break;
    if (nextCursor === cursor || pages >= MAX_PAGES)
      throw new CliError(`the API keeps answering more pages (cursor ${nextCursor}); stopped after ${pages}`);
    cursor = nextCursor;
  }
  const more =
    nextCursor && !options.all
      ? [
          `More ${listing.key} match: repeat the command with --cursor ${nextCursor} (or use --all for every page).`,
        ]
      : [];
  if (s.json) {
    s.out.json(items);
    s.out.error(...more);
    return;
  }
  if (items.length === 0) s.out.line(listing.none);
  else s.out.line(...listing.table(items));
  if (more.length) s.out.line('', ...more);
}

/** The options every listing command takes besides its filters. */
export interface PagingOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** One collection of the API (`/v1/manual-doors`) as its `list` and `show <id>` commands present it. */
export interface Collection<T, D, O extends PagingOptions> {
  /** The listing's path; one item's is this path, then its id. */
  path: string;
  /** Where the listing's answer carries the items. */
  key: string;
  /** What a page holds, for `--limit`'s help: "doors". */
  perPage: string;
  /** `list`'s description, the command's own options, and the query they make (without the paging). */
  list: string;
  filters: (list: Command) => Command;
  query: (options: O) => Record<string, string | number | undefined>;
  table: (items: T[]) => string[];
  none: string;
  /** `show`'s description, what its argument is, and how the item is printed. */
  show: string;
  argument: string;
  format: (item: D) => string[];
}

/** `list` (one page, or every page with `--all`) and `show <id>` of one collection. */
export function registerCollectionCommands<T, D, O extends PagingOptions>(
  parent: Command,
  session: SessionFactory,
  collection: Collection<T, D, O>,
): void {
  collection
    .filters(parent.command('list').description(collection.list))
    .addOption(
      new Option('--limit <n>', `${collection.perPage} per page (the API defaults to 100)`).argParser(
        wholeNumber,
      ),
    )
    .option('--cursor <cursor>', 'continue from where a previous page stopped')
    .addOption(new Option('--all', 'follow the pages until the last one'))
    .action(async (options: O, command: Command) =>
      showListing<T>(session(command), options, {
        path: collection.path,
        key: collection.key,
        query: { ...collection.query(options), limit: options.limit },
        table: collection.table,
        none: collection.none,
      }),
    );
  registerShowCommand<D>(parent, session, {
    description: collection.show,
    argument: collection.argument,
    path: (id) => `${collection.path}/${encodeURIComponent(id)}`,
    format: collection.format,
  });
}
