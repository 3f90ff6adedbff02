import type { Kysely, Transaction } from 'kysely';
import type { ProviderName } from '../../domain/account.js';
import { checkLimit, grantConditions, matchesNothing, pageOf } from './listing.js';
import * as retention from './retention-store.js';
import * as reviews from './review-store.js';
import * as inventory from './inventory-store.js';
import type { InventoriedCredential } from '../../domain/inventory.js';
import * as accountNames from './account-names.js';
import type { ProviderReview, ReviewedAccount, ReviewReport } from '../../domain/review.js';
import { eventRow, grantRow, patchColumns, toEvent, toGrant } from './rows.js';
import type { Database } from './schema.js';
import * as suppliers from './supplier-store.js';
import * as shared from './shared-accounts.js';
import * as lends from './shared-account-lends.js';
import * as manualDoors from './manual-doors.js';
import type { ManualDoorPage, ManualDoorQuery, ManualDoorStore } from './manual-door-store.js';
import type { ManualDoorEvent, ManualDoorRecord } from '../../domain/manual-door.js';
import * as incidents from './incidents.js';
import * as incidentDoors from './incident-doors.js';
import * as incidentTrail from './incident-trail.js';
import { heldDoors } from './held-doors.js';
import type { IncidentChanges, IncidentPage, IncidentQuery, IncidentStore } from './incident-store.js';
import type { HeldDoor, IncidentDoor, IncidentEvent, IncidentRecord } from '../../domain/incident.js';
import type {
  DueRotation,
  SealedCredential,
  SharedAccountChanges,
  SharedAccountPage,
  SharedAccountStore,
} from './shared-account-store.js';
import type { SharedAccountEvent, SharedAccountRecord } from '../../domain/shared-account.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import type {
  AccountNameReservation,
  GrantPage,
  GrantQuery,
  GrantRecord,
  RegistryStore,
  SupplierChanges,
  SupplierPage,
  SupplierQuery,
} from './types.js';
import { CLOSED_STATUSES } from '../../domain/status.js';
import { CLOSING_EVENTS, type EventRecord, type GrantEvent } from '../../domain/events.js';

/** Grant ids per `IN (…)` list: far below PostgreSQL's 65,535 parameters and SQLite's 32,766. */
const IDS_PER_QUERY = 500;

/** The registry on a migrated database, SQLite or PostgreSQL alike: the queries use no dialect-only SQL. */
export class KyselyRegistry implements RegistryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertGrant(grant: GrantRecord, created: EventRecord): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('grants')
        .values(grantRow(grant))
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
      await tx
        .insertInto('grant_events')
        .values(eventRow(created))
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }

  async recordEvent(event: EventRecord): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('grant_events')
        .values(eventRow(event))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
      if (event.type === 'provisioned') {
        // Not part of the patch ordering: whenever it arrives, the provisioned event says when the
        // account came to be. The first one recorded wins should a grant ever have two.
        await tx
          .updateTable('grants')
          .set({ provisioned_at: event.at })
          .where('id', '=', event.grantId)
          .where('provisioned_at', 'is', null)
          .execute();
      }
      if (isClosingEvent(event.type)) await markClosed(tx, event);
      const changes = event.patch ? patchColumns(event.patch) : {};
      if (Object.keys(changes).length === 0) return;
      await tx
        .updateTable('grants')
        .set({ ...changes, patched_seq: event.seq })
        .where('id', '=', event.grantId)
        .where('patched_seq', '<', event.seq)
        .execute();
    });
  }

  async getGrant(id: string): Promise<GrantRecord | null> {
    const row = await this.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toGrant(row) : null;
  }

  async listEvents(grantId: string): Promise<GrantEvent[]> {
    const rows = await this.db
      .selectFrom('grant_events')
      .selectAll()
      .where('grant_id', '=', grantId)
      .orderBy('seq')
      .execute();
    return rows.map(toEvent);
  }

  async listEventsOf(grantIds: readonly string[]): Promise<Map<string, GrantEvent[]>> {
    const trails = new Map<string, GrantEvent[]>();
    const ids = [...new Set(grantIds)];
    for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
      // Ordered like the primary key (grant_id, seq), so the index gives the rows in order.
      const rows = await this.db
        .selectFrom('grant_events')
        .selectAll()
        .where('grant_id', 'in', ids.slice(start, start + IDS_PER_QUERY))
        .orderBy('grant_id')
        .orderBy('seq')
        .execute();
      for (const row of rows) {
        const trail = trails.get(row.grant_id);
        if (trail) trail.push(toEvent(row));
        else trails.set(row.grant_id, [toEvent(row)]);
      }
    }
    return trails;
  }

  async listGrants(query: GrantQuery, now = new Date()): Promise<GrantPage> {
    checkLimit(query.limit);
    if (matchesNothing(query)) return { grants: [] };
    // One row more than the page tells whether there is a next page without counting.
    const rows = await this.db
      .selectFrom('grants')
      .selectAll()
      .where((eb) => eb.and(grantConditions(eb, query, now)))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const { items: grants, next } = pageOf(rows.map(toGrant), query.limit);
    return next ? { grants, next } : { grants };
  }

  latestGrantsByAccount(
    provider: ProviderName,
    usernames?: readonly string[],
  ): Promise<Map<string, GrantRecord>> {
    return reviews.latestGrantsByAccount(this.db, provider, usernames);
  }

  async closedGrantIds(provider: ProviderName, username: string): Promise<string[]> {
    // The (provider, username) index finds the account's few grants; the status test runs on those.
    const rows = await this.db
      .selectFrom('grants')
      .select('id')
      .where('provider', '=', provider)
      .where('username', '=', username)
      .where('status', 'in', [...CLOSED_STATUSES])
      // A lent shared account is never a supplier's account to take over.
      .where('door', '=', 'account')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => row.id);
  }

  recordReviewEvent(event: Omit<EventRecord, 'seq' | 'patch'>): Promise<void> {
    return reviews.recordReviewEvent(this.db, event);
  }

  accountNameOf(provider: ProviderName, supplierKey: string): Promise<string | null> {
    return accountNames.accountNameOf(this.db, provider, supplierKey);
  }

  reserveAccountName(reservation: AccountNameReservation): Promise<string> {
    return accountNames.reserveAccountName(this.db, reservation);
  }

  accountsDueForDeletion(
    provider: ProviderName,
    closedBefore: string,
    limit: number,
    after?: retention.ClosingCursor,
  ): Promise<GrantRecord[]> {
    return retention.accountsDueForDeletion(this.db, provider, closedBefore, limit, after);
  }

  recordAccountDeleted(grantId: string, at: string, details: Record<string, string>): Promise<void> {
    return retention.recordAccountDeleted(this.db, grantId, at, details);
  }

  contactsDueForErasure(endedBefore: string, limit: number): Promise<GrantRecord[]> {
    return retention.contactsDueForErasure(this.db, endedBefore, limit);
  }

  eraseContact(grantId: string, at: string): Promise<boolean> {
    return retention.eraseContact(this.db, grantId, at);
  }

  startReview(review: { id: string; trigger: string; startedAt: string }): Promise<void> {
    return reviews.startReview(this.db, review);
  }

  saveReviewedAccounts(reviewId: string, accounts: readonly ReviewedAccount[]): Promise<void> {
    return reviews.saveReviewedAccounts(this.db, reviewId, accounts);
  }

  saveReviewCredentials(reviewId: string, holders: readonly InventoriedCredential[]): Promise<void> {
    return inventory.saveReviewCredentials(this.db, reviewId, holders);
  }

  finishReview(id: string, finishedAt: string, providers: readonly ProviderReview[]): Promise<void> {
    return reviews.finishReview(this.db, id, finishedAt, providers);
  }

  getReview(id: string): Promise<ReviewReport | null> {
    return reviews.getReview(this.db, id);
  }

  latestReview(): Promise<ReviewReport | null> {
    return reviews.latestReview(this.db);
  }

  insertSupplier(supplier: SupplierRecord): Promise<SupplierRecord> {
    return suppliers.insertSupplier(this.db, supplier);
  }

  getSupplier(id: string): Promise<SupplierRecord | null> {
    return suppliers.getSupplier(this.db, id);
  }

  getSupplierByKey(key: string): Promise<SupplierRecord | null> {
    return suppliers.getSupplierByKey(this.db, key);
  }

  updateSupplier(id: string, changes: SupplierChanges, updatedAt: string): Promise<SupplierRecord | null> {
    return suppliers.updateSupplier(this.db, id, changes, updatedAt);
  }

  eraseRetiredSupplierContacts(endedBefore: string, at: string, limit: number): Promise<number> {
    return suppliers.eraseRetiredSupplierContacts(this.db, endedBefore, at, limit);
  }

  async supplierIdsOf(grantIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const ids = [...new Set(grantIds)];
    for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
      const rows = await this.db
        .selectFrom('grants')
        .select(['id', 'supplier_id'])
        .where('id', 'in', ids.slice(start, start + IDS_PER_QUERY))
        .where('supplier_id', 'is not', null)
        .execute();
      for (const row of rows) if (row.supplier_id) found.set(row.id, row.supplier_id);
    }
    return found;
  }

  listSuppliers(query: SupplierQuery): Promise<SupplierPage> {
    return suppliers.listSuppliers(this.db, query);
  }

  insertSharedAccount(record: SharedAccountRecord): Promise<SharedAccountRecord> {
    return shared.insertSharedAccount(this.db, record);
  }

  getSharedAccount(id: string): Promise<SharedAccountRecord | null> {
    return shared.getSharedAccount(this.db, id);
  }

  listSharedAccounts(
    query: Parameters<SharedAccountStore['listSharedAccounts']>[0],
  ): Promise<SharedAccountPage> {
    return shared.listSharedAccounts(this.db, query);
  }

  updateSharedAccount(
    id: string,
    changes: SharedAccountChanges,
    actor: string,
    at: string,
  ): Promise<SharedAccountRecord | null> {
    return shared.updateSharedAccount(this.db, id, changes, actor, at);
  }

  listSharedAccountEvents(id: string): Promise<SharedAccountEvent[]> {
    return shared.listSharedAccountEvents(this.db, id);
  }

  recordRotation(rotation: Parameters<SharedAccountStore['recordRotation']>[0]): Promise<void> {
    return shared.recordRotation(this.db, rotation);
  }

  takeCustodianCredential(id: string, actor: string, at: string): Promise<SealedCredential | null> {
    return shared.takeCustodianCredential(this.db, id, actor, at);
  }

  discardCustodianCredential(id: string, actor: string, at: string): Promise<boolean> {
    return shared.discardCustodianCredential(this.db, id, actor, at);
  }

  lendsOf(sharedAccountId: string, limit: number): Promise<GrantRecord[]> {
    return lends.lendsOf(this.db, sharedAccountId, limit);
  }

  liveLendOf(sharedAccountId: string): Promise<GrantRecord | null> {
    return lends.liveLendOf(this.db, sharedAccountId);
  }

  dueRotations(now: string, limit: number): Promise<DueRotation[]> {
    return lends.dueRotations(this.db, now, limit);
  }

  insertManualDoor(record: ManualDoorRecord): Promise<ManualDoorRecord> {
    return manualDoors.insertManualDoor(this.db, record);
  }

  getManualDoor(id: string): Promise<ManualDoorRecord | null> {
    return manualDoors.getManualDoor(this.db, id);
  }

  listManualDoors(query: ManualDoorQuery): Promise<ManualDoorPage> {
    return manualDoors.listManualDoors(this.db, query);
  }

  liveManualDoors(activeAt?: string): Promise<ManualDoorRecord[]> {
    return manualDoors.liveManualDoors(this.db, activeAt);
  }

  listManualDoorEvents(id: string): Promise<ManualDoorEvent[]> {
    return manualDoors.listManualDoorEvents(this.db, id);
  }

  recordManualDoorNotice(notice: Parameters<ManualDoorStore['recordManualDoorNotice']>[0]): Promise<boolean> {
    return manualDoors.recordManualDoorNotice(this.db, notice);
  }

  markManualDoorOverdue(id: string): Promise<ManualDoorRecord | null> {
    return manualDoors.markManualDoorOverdue(this.db, id);
  }

  closeManualDoor(
    id: string,
    attestation: Parameters<ManualDoorStore['closeManualDoor']>[1],
  ): Promise<ManualDoorRecord | null> {
    return manualDoors.closeManualDoor(this.db, id, attestation);
  }

  openIncident(
    record: IncidentRecord,
    doors: readonly IncidentDoor[],
  ): Promise<{ incident: IncidentRecord } | { blockedBy: string }> {
    return incidents.openIncident(this.db, record, doors);
  }

  getIncident(id: string): Promise<IncidentRecord | null> {
    return incidents.getIncident(this.db, id);
  }

  listIncidents(query: IncidentQuery): Promise<IncidentPage> {
    return incidents.listIncidents(this.db, query);
  }

  updateIncident(
    id: string,
    changes: IncidentChanges,
    by: { actor: string; at: string },
  ): ReturnType<IncidentStore['updateIncident']> {
    return incidents.updateIncident(this.db, id, changes, by);
  }

  listIncidentDoors(incidentId: string): Promise<IncidentDoor[]> {
    return incidentDoors.listIncidentDoors(this.db, incidentId);
  }

  addIncidentDoors(incidentId: string, doors: readonly IncidentDoor[]): Promise<void> {
    return incidentDoors.addIncidentDoors(this.db, incidentId, doors);
  }

  markIncidentDoorClosed(incidentId: string, doorId: string, closedAt: string): Promise<void> {
    return incidentDoors.markIncidentDoorClosed(this.db, incidentId, doorId, closedAt);
  }

  markIncidentDoorsClosed(incidentId: string, doorsClosedAt: string): Promise<void> {
    return incidentDoors.markIncidentDoorsClosed(this.db, incidentId, doorsClosedAt);
  }

  recordIncidentEvent(event: Parameters<IncidentStore['recordIncidentEvent']>[0]): Promise<void> {
    return incidentTrail.recordIncidentEvent(this.db, event);
  }

  listIncidentEvents(incidentId: string): Promise<IncidentEvent[]> {
    return incidentTrail.listIncidentEvents(this.db, incidentId);
  }

  liftSupplierBlock(
    supplierId: string,
    by: { actor: string; at: string; reason: string },
  ): Promise<{ incidentId: string } | null> {
    return incidents.liftSupplierBlock(this.db, supplierId, by);
  }

  heldDoors(supplierId: string, from: string, until: string): Promise<HeldDoor[]> {
    return heldDoors(this.db, supplierId, from, until);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function isClosingEvent(type: string): type is (typeof CLOSING_EVENTS)[number] {
  return (CLOSING_EVENTS as readonly string[]).includes(type);
}

/**
 * Sets `closed_at` once both closing events are recorded, to the later of the two: only then is the account
 * disabled and its credentials rotated. A lend's shared account is never disabled (it stays its custodian's):
 * its return rotation alone closes it. Like `provisioned_at`, it stands apart from the patch ordering.
 */
async function markClosed(tx: Transaction<Database>, event: EventRecord): Promise<void> {
  const grant = await tx
    .selectFrom('grants')
    .select('door')
    .where('id', '=', event.grantId)
    .executeTakeFirst();
  let closedAt = event.at;
  if (grant?.door === 'lend') {
    if (event.type !== 'credentials-rotated') return;
  } else {
    const other = CLOSING_EVENTS.find((type) => type !== event.type);
    const done = await tx
      .selectFrom('grant_events')
      .select('at')
      .where('grant_id', '=', event.grantId)
      .where('type', '=', other as string)
      .orderBy('seq')
      .executeTakeFirst();
    if (!done) return;
    if (done.at > closedAt) closedAt = done.at;
  }
  await tx
    .updateTable('grants')
    .set({ closed_at: closedAt })
    .where('id', '=', event.grantId)
    .where('closed_at', 'is', null)
    .execute();
}
