/**
 * The registry's shared accounts, for `KyselyRegistry`; `SharedAccountStore` documents what each promises. Every
 * write to one shared account starts by locking its row ({@link lockDoor}), so writes to one account run one at a
 * time across processes in both dialects, and its trail's sequence numbers never collide.
 */
import type { Kysely, Transaction } from 'kysely';
import type { SharedAccountEvent, SharedAccountRecord } from '../../domain/shared-account.js';
import { newestFirst } from './listing.js';
import type { Database, SharedAccountsTable } from './schema.js';
import { sharedAccountRow, toSharedAccount, toSharedAccountEvent } from './shared-account-rows.js';
import { appendToTrail, lockDoor, readTrail } from './trail.js';
import {
  SharedAccountExistsError,
  type SealedCredential,
  type SharedAccountChanges,
  type SharedAccountPage,
  type SharedAccountStore,
} from './shared-account-store.js';

/** See `SharedAccountStore.insertSharedAccount`. */
export async function insertSharedAccount(
  db: Kysely<Database>,
  record: SharedAccountRecord,
): Promise<SharedAccountRecord> {
  return db.transaction().execute(async (tx) => {
    // The unique (provider, external_id) settles two admins registering one account at once.
    const inserted = await tx
      .insertInto('shared_accounts')
      .values(sharedAccountRow(record))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      const existing = await tx
        .selectFrom('shared_accounts')
        .selectAll()
        .where('provider', '=', record.provider)
        .where('external_id', '=', record.account.externalId)
        .executeTakeFirst();
      // The same record again (a retried request) is answered as stored.
      if (existing?.id === record.id) return toSharedAccount(existing);
      throw new SharedAccountExistsError(existing?.id ?? record.id);
    }
    await appendToTrail(tx, 'shared_accounts', record.id, {
      type: 'registered',
      at: record.createdAt,
      actor: record.createdBy,
    });
    return toSharedAccount({
      ...sharedAccountRow(record),
      custodian_credential: null,
    } as SharedAccountsTable);
  });
}

export async function getSharedAccount(
  db: Kysely<Database>,
  id: string,
): Promise<SharedAccountRecord | null> {
  const row = await db.selectFrom('shared_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSharedAccount(row) : null;
}

/** See `SharedAccountStore.listSharedAccounts`. */
export async function listSharedAccounts(
  db: Kysely<Database>,
  query: Parameters<SharedAccountStore['listSharedAccounts']>[0],
): Promise<SharedAccountPage> {
  let select = db.selectFrom('shared_accounts').selectAll();
  if (query.provider !== undefined) select = select.where('provider', '=', query.provider);
  const { items, next } = await newestFirst(select, query, toSharedAccount);
  return next ? { sharedAccounts: items, next } : { sharedAccounts: items };
}

/** See `SharedAccountStore.updateSharedAccount`. */
export async function updateSharedAccount(
  db: Kysely<Database>,
  id: string,
  changes: SharedAccountChanges,
  actor: string,
  at: string,
): Promise<SharedAccountRecord | null> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockDoor(tx, 'shared_accounts', id))) return null;
    const columns: Partial<SharedAccountsTable> = { updated_at: at };
    if (changes.label !== undefined) columns.label = changes.label;
    if (changes.custodian !== undefined) {
      columns.custodian_name = changes.custodian.name;
      columns.custodian_email = changes.custodian.email ?? null;
    }
    if (changes.rotationIntervalDays !== undefined)
      columns.rotation_interval_days = changes.rotationIntervalDays;
    await tx.updateTable('shared_accounts').set(columns).where('id', '=', id).execute();
    const fields = Object.keys(changes).filter(
      (key) => changes[key as keyof SharedAccountChanges] !== undefined,
    );
    await appendToTrail(tx, 'shared_accounts', id, {
      type: 'updated',
      at,
      actor,
      details: { fields: fields.join(',') },
    });
    const row = await tx
      .selectFrom('shared_accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toSharedAccount(row);
  });
}

export async function listSharedAccountEvents(
  db: Kysely<Database>,
  id: string,
): Promise<SharedAccountEvent[]> {
  return readTrail(db, 'shared_accounts', id, toSharedAccountEvent);
}

/**
 * See `SharedAccountStore.recordRotation`. A retry is told apart from a new rotation by (reason, lend), or by
 * (reason, instant) when no lend caused it. A retry whose activity reset the password again (a later instant)
 * still moves the state on, so the password kept is always the directory's latest; the exact same call repeated
 * changes nothing, so a password the custodian already claimed never comes back.
 */
export async function recordRotation(
  db: Kysely<Database>,
  rotation: Parameters<SharedAccountStore['recordRotation']>[0],
): Promise<void> {
  const { sharedAccountId: id, reason, at, actor, lendId, forCustodian } = rotation;
  await db.transaction().execute(async (tx) => {
    if (!(await lockDoor(tx, 'shared_accounts', id))) throw new Error(`shared account ${id} does not exist`);
    await tx
      .updateTable('shared_accounts')
      .set({
        last_rotated_at: at,
        // Without `forCustodian` the directory no longer takes any password waiting for the custodian.
        custodian_credential: forCustodian?.sealed ?? null,
        custodian_credential_at: forCustodian?.at ?? null,
      })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_rotated_at', 'is', null), eb('last_rotated_at', '<', at)]))
      .execute();
    const rotations = await tx
      .selectFrom('shared_account_events')
      .select(['at', 'details'])
      .where('shared_account_id', '=', id)
      .where('type', '=', 'rotated')
      .execute();
    const recorded = rotations.some(({ at: when, details }) => {
      const seen = details ? (JSON.parse(details) as Record<string, string>) : {};
      return (
        seen.reason === reason &&
        (lendId !== undefined ? seen.lendId === lendId : !seen.lendId && when === at)
      );
    });
    if (recorded) return;
    await appendToTrail(tx, 'shared_accounts', id, {
      type: 'rotated',
      at,
      actor,
      details: { reason, ...(lendId ? { lendId } : {}) },
    });
  });
}

/** See `SharedAccountStore.takeCustodianCredential`. */
export async function takeCustodianCredential(
  db: Kysely<Database>,
  id: string,
  actor: string,
  at: string,
): Promise<SealedCredential | null> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockDoor(tx, 'shared_accounts', id))) return null;
    const row = await tx
      .selectFrom('shared_accounts')
      .select(['custodian_credential', 'custodian_credential_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (row.custodian_credential === null) return null;
    await clearCredential(tx, id);
    await appendToTrail(tx, 'shared_accounts', id, { type: 'credential-claimed', at, actor });
    return { sealed: row.custodian_credential, at: row.custodian_credential_at ?? at };
  });
}

/** See `SharedAccountStore.discardCustodianCredential`. */
export async function discardCustodianCredential(
  db: Kysely<Database>,
  id: string,
  actor: string,
  at: string,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await lockDoor(tx, 'shared_accounts', id))) return false;
    if (!(await clearCredential(tx, id))) return false;
    await appendToTrail(tx, 'shared_accounts', id, { type: 'credential-discarded', at, actor });
    return true;
  });
}

/** Clears the waiting password; false when none waited. */
async function clearCredential(tx: Transaction<Database>, id: string): Promise<boolean> {
  const cleared = await tx
    .updateTable('shared_accounts')
    .set({ custodian_credential: null, custodian_credential_at: null })
    .where('id', '=', id)
    .where('custodian_credential', 'is not', null)
    .executeTakeFirst();
  return Number(cleared.numUpdatedRows) > 0;
}
