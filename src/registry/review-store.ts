import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { ProviderName } from '../../domain/account.js';
import { REVIEW_EVENT_SEQ_BASE, type EventRecord } from '../../domain/events.js';
import type { GrantStatus } from '../../domain/status.js';
import type {
  ProviderReview,
  ReviewAction,
  ReviewedAccount,
  ReviewFinding,
  ReviewReport,
} from '../../domain/review.js';
import { pruneReviewCredentials, reviewCredentials } from './inventory-store.js';
import { owningGrant } from './review-rules.js';
import { eventRow, toGrant } from './rows.js';
import type { Database, GrantsTable, ReviewAccountsTable, ReviewsTable } from './schema.js';
import type { GrantRecord } from './types.js';

/*
 * The review's queries, on a migrated database of either dialect; `KyselyRegistry` delegates to these and
 * `RegistryStore` documents what each promises.
 */

/**
 * Rows per INSERT: 13 parameters each, so 13,000 per statement, under SQLite's 32,766 and PostgreSQL's 65,535;
 * 10,000 accounts take ten statements in one transaction.
 */
const ROWS_PER_INSERT = 1000;

/** Usernames per `IN (…)` list, like the registry's other chunked reads. */
const NAMES_PER_QUERY = 500;

/** See `RegistryStore.latestGrantsByAccount`. */
export async function latestGrantsByAccount(
  db: Kysely<Database>,
  provider: ProviderName,
  usernames?: readonly string[],
): Promise<Map<string, GrantRecord>> {
  const byName = new Map<string, GrantRecord[]>();
  const collect = (rows: Selectable<GrantsTable>[]): void => {
    for (const row of rows) {
      const grants = byName.get(row.username);
      if (grants) grants.push(toGrant(row));
      else byName.set(row.username, [toGrant(row)]);
    }
  };
  // The (provider, username) index finds the grants; picking the owner per name is done here (`owningGrant`)
  // rather than with a window function or a correlated subquery, which would read the same rows in a way each
  // dialect plans differently. An account rarely has more than a few grants.
  // Lends are left out: a shared account is its custodian's, and the review must never disable it.
  const query = db
    .selectFrom('grants')
    .selectAll()
    .where('provider', '=', provider)
    .where('door', '=', 'account');
  if (usernames === undefined) collect(await query.execute());
  else {
    const names = [...new Set(usernames)];
    for (let start = 0; start < names.length; start += NAMES_PER_QUERY) {
      collect(await query.where('username', 'in', names.slice(start, start + NAMES_PER_QUERY)).execute());
    }
  }
  const owners = new Map<string, GrantRecord>();
  for (const [username, grants] of byName) {
    const owner = owningGrant(grants);
    if (owner) owners.set(username, owner);
  }
  return owners;
}

/** See `RegistryStore.recordReviewEvent`. */
export async function recordReviewEvent(
  db: Kysely<Database>,
  event: Omit<EventRecord, 'seq' | 'patch'>,
): Promise<void> {
  await db.transaction().execute((tx) => appendLateEvent(tx, event));
}

/**
 * Appends, within `tx`, an event written after the fact on a grant whose workflow does not write it (the review's,
 * the retention sweep's), under the next free `seq` at or above `REVIEW_EVENT_SEQ_BASE`, unless an event of the
 * same type with the same details is there already. False when it was.
 * @throws when the grant does not exist.
 */
export async function appendLateEvent(
  tx: Transaction<Database>,
  event: Omit<EventRecord, 'seq' | 'patch'>,
): Promise<boolean> {
  // A write first, changing nothing: on PostgreSQL it locks the grant's row, so two reviews appending to
  // one grant queue here instead of both taking the same seq; on SQLite it makes the transaction a writer
  // from the start, so it waits for another writer instead of failing to upgrade later.
  const touched = await tx
    .updateTable('grants')
    .set((eb) => ({ patched_seq: eb.ref('patched_seq') }))
    .where('id', '=', event.grantId)
    .executeTakeFirst();
  if (Number(touched.numUpdatedRows) === 0) throw new Error(`grant ${event.grantId} does not exist`);
  const earlier = await tx
    .selectFrom('grant_events')
    .select(['seq', 'type', 'details'])
    .where('grant_id', '=', event.grantId)
    .where('seq', '>=', REVIEW_EVENT_SEQ_BASE)
    .execute();
  if (earlier.some((e) => e.type === event.type && sameDetails(e.details, event.details))) return false;
  const seq = Math.max(REVIEW_EVENT_SEQ_BASE - 1, ...earlier.map((e) => Number(e.seq))) + 1;
  await tx
    .insertInto('grant_events')
    .values(eventRow({ ...event, seq }))
    .execute();
  return true;
}

/** Whether stored details (JSON text) say the same as these, whatever the order of their keys. */
function sameDetails(stored: string | null, details: Record<string, string> | undefined): boolean {
  const canonical = (d: Record<string, string> | undefined): string =>
    JSON.stringify(Object.entries(d ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  return (
    canonical(stored ? (JSON.parse(stored) as Record<string, string>) : undefined) === canonical(details)
  );
}

/** See `RegistryStore.startReview`. */
export async function startReview(
  db: Kysely<Database>,
  review: { id: string; trigger: string; startedAt: string },
): Promise<void> {
  await db
    .insertInto('reviews')
    .values({
      id: review.id,
      trigger: review.trigger,
      started_at: review.startedAt,
      finished_at: null,
      providers: '[]',
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** See `RegistryStore.saveReviewedAccounts`. */
export async function saveReviewedAccounts(
  db: Kysely<Database>,
  reviewId: string,
  accounts: readonly ReviewedAccount[],
): Promise<void> {
  if (accounts.length === 0) return;
  const rows = accounts.map((account) => reviewAccountRow(reviewId, account));
  await db.transaction().execute(async (tx) => {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      await tx
        .insertInto('review_accounts')
        .values(rows.slice(start, start + ROWS_PER_INSERT))
        .onConflict((oc) =>
          oc.columns(['review_id', 'provider', 'username']).doUpdateSet((eb) => ({
            external_id: eb.ref('excluded.external_id'),
            display_name: eb.ref('excluded.display_name'),
            enabled: eb.ref('excluded.enabled'),
            expires_at: eb.ref('excluded.expires_at'),
            grant_id: eb.ref('excluded.grant_id'),
            grant_status: eb.ref('excluded.grant_status'),
            grant_expires_at: eb.ref('excluded.grant_expires_at'),
            finding: eb.ref('excluded.finding'),
            action: eb.ref('excluded.action'),
            error: eb.ref('excluded.error'),
          })),
        )
        .execute();
    }
  });
}

/** See `RegistryStore.finishReview`. */
export async function finishReview(
  db: Kysely<Database>,
  id: string,
  finishedAt: string,
  providers: readonly ProviderReview[],
): Promise<void> {
  const updated = await db
    .updateTable('reviews')
    .set({ finished_at: finishedAt, providers: JSON.stringify(providers) })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) throw new Error(`review ${id} was never started`);
  await pruneReviewDetail(db, finishedAt);
}

/**
 * How long a review keeps its per-account rows. An hourly review of 10,000 accounts writes 87 million rows a
 * year; the reviews themselves (who ran them, when, the counts per provider and finding) are kept for good,
 * and every correction a review made stays on its grant's event trail.
 */
export const REVIEW_DETAIL_DAYS = 30;

async function pruneReviewDetail(db: Kysely<Database>, now: string): Promise<void> {
  const cutoff = new Date(Date.parse(now) - REVIEW_DETAIL_DAYS * 86_400_000).toISOString();
  await db
    .deleteFrom('review_accounts')
    .where('review_id', 'in', (sub) =>
      sub.selectFrom('reviews').select('id').where('finished_at', '<', cutoff),
    )
    .execute();
  await pruneReviewCredentials(db, cutoff);
}

/** See `RegistryStore.getReview`. */
export async function getReview(db: Kysely<Database>, id: string): Promise<ReviewReport | null> {
  const review = await db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst();
  return review ? withAccounts(db, review) : null;
}

/** See `RegistryStore.latestReview`. */
export async function latestReview(db: Kysely<Database>): Promise<ReviewReport | null> {
  const review = await db
    .selectFrom('reviews')
    .selectAll()
    .where('finished_at', 'is not', null)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return review ? withAccounts(db, review) : null;
}

async function withAccounts(db: Kysely<Database>, review: Selectable<ReviewsTable>): Promise<ReviewReport> {
  const rows = await db
    .selectFrom('review_accounts')
    .selectAll()
    .where('review_id', '=', review.id)
    .execute();
  // Sorted here, not by ORDER BY: PostgreSQL's ICU collation and SQLite's byte order disagree on names
  // with punctuation (`sup-a-b` / `sup-ab`), and the report must read the same from either store.
  const accounts = rows.map(toReviewedAccount).sort(byProviderThenUsername);
  return {
    id: review.id,
    trigger: review.trigger,
    startedAt: review.started_at,
    finishedAt: review.finished_at ?? undefined,
    providers: JSON.parse(review.providers) as ProviderReview[],
    accounts,
    credentials: await reviewCredentials(db, review.id),
  };
}

/** Code-unit order, the same on every machine and in every locale. */
function byProviderThenUsername(a: ReviewedAccount, b: ReviewedAccount): number {
  if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
  if (a.username !== b.username) return a.username < b.username ? -1 : 1;
  return 0;
}

function reviewAccountRow(reviewId: string, account: ReviewedAccount): Insertable<ReviewAccountsTable> {
  return {
    review_id: reviewId,
    provider: account.provider,
    username: account.username,
    external_id: account.externalId,
    display_name: account.displayName,
    enabled: account.enabled ? 1 : 0,
    expires_at: account.expiresAt ?? null,
    grant_id: account.grantId ?? null,
    grant_status: account.grantStatus ?? null,
    grant_expires_at: account.grantExpiresAt ?? null,
    finding: account.finding,
    action: account.action,
    error: account.error ?? null,
  };
}

function toReviewedAccount(row: Selectable<ReviewAccountsTable>): ReviewedAccount {
  return {
    provider: row.provider as ProviderName,
    username: row.username,
    externalId: row.external_id,
    displayName: row.display_name,
    enabled: Number(row.enabled) === 1,
    expiresAt: row.expires_at ?? undefined,
    grantId: row.grant_id ?? undefined,
    grantStatus: (row.grant_status ?? undefined) as GrantStatus | undefined,
    grantExpiresAt: row.grant_expires_at ?? undefined,
    finding: row.finding as ReviewFinding,
    action: row.action as ReviewAction,
    error: row.error ?? undefined,
  };
}
