import { CliError } from './client.js';
import type { Session } from './session.js';

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
