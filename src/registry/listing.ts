import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { containsPattern, LIKE_ESCAPE } from './fold.js';
import type { Database } from './schema.js';
import type { GrantCursor, GrantQuery } from './types.js';

/** The most grants one page may hold, as `GrantQuery.limit` documents. */
export const MAX_PAGE_SIZE = 500;

type GrantsExpressions = ExpressionBuilder<Database, 'grants'>;

/**
 * The instant as the registry stores instants (`toISOString()`). Stored instants compare as text, which
 * is chronological only between strings of that one form: "…T10:00:00Z" sorts after "…T10:00:00.000Z".
 */
export function storedInstant(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${JSON.stringify(value)}`);
  return date.toISOString();
}

/** Whether the query cannot match anything whatever the data (an empty "any of" list). */
export function matchesNothing(query: GrantQuery): boolean {
  return query.status?.length === 0 || query.provider?.length === 0 || query.door?.length === 0;
}

/** Throws unless `limit` is a whole number of grants a page may hold. */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  }
}

/** The query's filters and cursor as conditions to AND together (none: every grant). */
export function grantConditions(eb: GrantsExpressions, query: GrantQuery, now: Date): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (query.status) conditions.push(eb('status', 'in', query.status));
  if (query.provider) conditions.push(eb('provider', 'in', query.provider));
  if (query.supplierId !== undefined) conditions.push(eb('supplier_id', '=', query.supplierId));
  if (query.door) conditions.push(eb('door', 'in', query.door));
  if (query.sharedAccountId !== undefined) {
    conditions.push(eb('shared_account_id', '=', query.sharedAccountId));
  }
  if (query.organisation !== undefined) {
    // The escape character is spelled out: SQLite has no default one, PostgreSQL's is the same backslash.
    const pattern = containsPattern(query.organisation);
    conditions.push(sql<SqlBool>`${eb.ref('organisation_key')} like ${pattern} escape ${LIKE_ESCAPE}`);
  }
  if (query.expiresBefore !== undefined) {
    conditions.push(eb('expires_at', '<', storedInstant(query.expiresBefore)));
  }
  if (query.expiresAfter !== undefined) {
    conditions.push(eb('expires_at', '>=', storedInstant(query.expiresAfter)));
  }
  if (query.activeAt !== undefined) conditions.push(activeAt(eb, storedInstant(query.activeAt), now));
  if (query.after) {
    // Row-value comparison: "strictly after the cursor" in (created_at desc, id desc) order, in one
    // predicate both dialects can answer by walking the (created_at, id) index from the cursor on.
    conditions.push(
      eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(query.after.createdAt, query.after.id)),
    );
  }
  return conditions;
}

/**
 * Grants whose account was usable at `at`: not failed, provisioned (or, before the provisioned event is
 * recorded, created) at or before it, and not closed then. The account of a grant that ended (or ran past its
 * expiry) stays usable until the workflow has disabled it and rotated its credentials — with the directory down,
 * long after `endedAt` — so a past instant counts every grant not closed by then. An instant in the future counts
 * only the grants that have not ended and are planned to run past it.
 */
function activeAt(eb: GrantsExpressions, at: string, now: Date): Expression<SqlBool> {
  const notClosed =
    at <= now.toISOString()
      ? eb('closed_at', 'is', null)
      : eb.and([eb('closed_at', 'is', null), eb('ended_at', 'is', null), eb('expires_at', '>', at)]);
  return eb.and([
    eb('status', '!=', 'failed'),
    eb(eb.fn.coalesce('provisioned_at', 'created_at'), '<=', at),
    eb.or([eb('closed_at', '>', at), notClosed]),
  ]);
}

/**
 * The page of a listing read newest first with `limit + 1` rows: at most `limit` items, and where the next page
 * starts when the extra row shows there is one.
 */
export function pageOf<T extends GrantCursor>(rows: T[], limit: number): { items: T[]; next?: GrantCursor } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last
    ? { items, next: { createdAt: last.createdAt, id: last.id } }
    : { items };
}

/** The tables listed newest first by `(created_at, id)`, each with an index in that order. */
type ListedTable = 'incidents' | 'manual_doors' | 'shared_accounts' | 'suppliers';

/**
 * One page of a listing newest first, from the cursor on: `select` holds the filters, this the rest. The row-value
 * comparison lets both dialects walk the table's `(created_at, id)` index backwards from the cursor, as for grants.
 */
export async function newestFirst<T extends ListedTable, O, R extends GrantCursor>(
  select: SelectQueryBuilder<Database, T, O>,
  query: { limit: number; after?: GrantCursor | undefined },
  toItem: (row: O) => R,
): Promise<{ items: R[]; next?: GrantCursor }> {
  checkLimit(query.limit);
  const [createdAt, id] = [sql.ref('created_at'), sql.ref('id')];
  const { after } = query;
  const from = after
    ? select.where(sql<SqlBool>`(${createdAt}, ${id}) < (${after.createdAt}, ${after.id})`)
    : select;
  const rows = await from
    .orderBy(createdAt, 'desc')
    .orderBy(id, 'desc')
    .limit(query.limit + 1)
    .execute();
  return pageOf(rows.map(toItem), query.limit);
}
