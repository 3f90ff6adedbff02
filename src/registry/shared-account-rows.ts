import type { Insertable, Selectable } from 'kysely';
import type { ProviderName } from '../../domain/account.js';
import type {
  SharedAccountEvent,
  SharedAccountEventType,
  SharedAccountRecord,
} from '../../domain/shared-account.js';
import type { SharedAccountEventsTable, SharedAccountsTable } from './schema.js';
import { personOf, stampColumns, stampOf } from './columns.js';
import { trailEntry } from './trail.js';

/** The row of a newly registered shared account: nothing rotated yet, no password waiting. */
export function sharedAccountRow(record: SharedAccountRecord): Insertable<SharedAccountsTable> {
  return {
    id: record.id,
    provider: record.provider,
    username: record.account.username,
    external_id: record.account.externalId,
    display_name: record.account.displayName,
    label: record.label,
    custodian_name: record.custodian.name,
    custodian_email: record.custodian.email ?? null,
    rotation_interval_days: record.rotationIntervalDays ?? null,
    last_rotated_at: record.lastRotatedAt ?? null,
    custodian_credential: null,
    custodian_credential_at: null,
    ...stampColumns(record),
  };
}

/** The record as the rest of the service sees it: whether a password waits, never the password itself. */
export function toSharedAccount(row: Selectable<SharedAccountsTable>): SharedAccountRecord {
  return {
    id: row.id,
    provider: row.provider as ProviderName,
    account: { username: row.username, externalId: row.external_id, displayName: row.display_name },
    label: row.label,
    custodian: personOf(row.custodian_name, row.custodian_email),
    rotationIntervalDays: row.rotation_interval_days ?? undefined,
    lastRotatedAt: row.last_rotated_at ?? undefined,
    custodianCredentialSince:
      row.custodian_credential !== null ? (row.custodian_credential_at ?? undefined) : undefined,
    ...stampOf(row),
  };
}

export function toSharedAccountEvent(row: Selectable<SharedAccountEventsTable>): SharedAccountEvent {
  return {
    sharedAccountId: row.shared_account_id,
    type: row.type as SharedAccountEventType,
    ...trailEntry(row),
  };
}
