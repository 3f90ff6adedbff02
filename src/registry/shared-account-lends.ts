/** A shared account's lends (grant rows of the `lend` door) and its due rotations, for `KyselyRegistry`. */
import type { Kysely } from 'kysely';
import { LIVE_STATUSES } from '../../domain/status.js';
import { storedInstant } from './listing.js';
import { toGrant } from './rows.js';
import type { Database } from './schema.js';
import { toSharedAccount } from './shared-account-rows.js';
import type { DueRotation } from './shared-account-store.js';
import type { GrantRecord } from './types.js';

const DAY_MS = 86_400_000;

/** See `SharedAccountStore.lendsOf`. */
export async function lendsOf(
  db: Kysely<Database>,
  sharedAccountId: string,
  limit: number,
): Promise<GrantRecord[]> {
  const rows = await db
    .selectFrom('grants')
    .selectAll()
    .where('shared_account_id', '=', sharedAccountId)
    .where('door', '=', 'lend')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toGrant);
}

/** See `SharedAccountStore.liveLendOf`. */
export async function liveLendOf(db: Kysely<Database>, sharedAccountId: string): Promise<GrantRecord | null> {
  const row = await db
    .selectFrom('grants')
    .selectAll()
    .where('shared_account_id', '=', sharedAccountId)
    .where('door', '=', 'lend')
    .where('status', 'in', [...LIVE_STATUSES])
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? toGrant(row) : null;
}

/**
 * See `SharedAccountStore.dueRotations`. Shared accounts are few (a business's handful of admin and service
 * logins), so the due instants are computed here rather than in each dialect's own date arithmetic.
 */
export async function dueRotations(db: Kysely<Database>, now: string, limit: number): Promise<DueRotation[]> {
  const rows = await db
    .selectFrom('shared_accounts')
    .selectAll()
    .where('rotation_interval_days', 'is not', null)
    .execute();
  const due = rows
    .map((row) => {
      const since = Date.parse(row.last_rotated_at ?? row.created_at);
      return { row, dueAt: new Date(since + (row.rotation_interval_days ?? 0) * DAY_MS).toISOString() };
    })
    .filter(({ dueAt }) => dueAt <= storedInstant(now))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.row.id.localeCompare(b.row.id))
    .slice(0, limit);
  const answers: DueRotation[] = [];
  for (const { row, dueAt } of due) {
    const lentIn = await liveLendOf(db, row.id);
    answers.push({ sharedAccount: toSharedAccount(row), dueAt, ...(lentIn ? { lentIn } : {}) });
  }
  return answers;
}
