import type { Insertable, Selectable } from 'kysely';
import type { ProviderName } from '../../domain/account.js';
import type { GrantEventType, EventRecord, GrantEvent, GrantPatch } from '../../domain/events.js';
import type { GrantStatus } from '../../domain/status.js';
import type { DoorKind } from '../../domain/shared-account.js';
import { foldOrganisation } from './fold.js';
import type { GrantEventsTable, GrantsTable } from './schema.js';
import type { GrantRecord } from './types.js';

/** The row for a new grant; JSON-valued fields are stored as text so both dialects keep them alike. */
export function grantRow(grant: GrantRecord): Insertable<GrantsTable> {
  return {
    id: grant.id,
    workflow_id: grant.workflowId,
    provider: grant.provider,
    supplier_id: grant.supplierId ?? null,
    organisation: grant.organisation,
    organisation_key: foldOrganisation(grant.organisation),
    contact_email: grant.contactEmail ?? null,
    username: grant.username,
    external_id: grant.externalId ?? null,
    display_name: grant.displayName,
    status: grant.status,
    expires_at: grant.expiresAt,
    reason: grant.reason,
    ticket: grant.ticket ?? null,
    groups: JSON.stringify(grant.groups),
    requested_by: grant.requestedBy,
    created_at: grant.createdAt,
    ended_at: null,
    pending_extension: null,
    failure: null,
    provisioned_at: grant.provisionedAt ?? null,
    closed_at: grant.closedAt ?? null,
    account_deleted_at: grant.accountDeletedAt ?? null,
    door: grant.door,
    shared_account_id: grant.sharedAccountId ?? null,
    patched_seq: 0,
  };
}

export function eventRow(event: EventRecord): Insertable<GrantEventsTable> {
  return {
    grant_id: event.grantId,
    seq: event.seq,
    type: event.type,
    at: event.at,
    actor: event.actor,
    details: event.details ? JSON.stringify(event.details) : null,
  };
}

/** The columns an event's patch changes; `null` in the patch clears, absent leaves alone. */
export function patchColumns(patch: GrantPatch): Partial<GrantsTable> {
  const changes: Partial<GrantsTable> = {};
  if (patch.status) changes.status = patch.status;
  if (patch.expiresAt) changes.expires_at = patch.expiresAt;
  if (patch.externalId) changes.external_id = patch.externalId;
  if (patch.endedAt) changes.ended_at = patch.endedAt;
  if (patch.failure) changes.failure = JSON.stringify(patch.failure);
  if (patch.pendingExtension !== undefined) {
    changes.pending_extension =
      patch.pendingExtension === null ? null : JSON.stringify(patch.pendingExtension);
  }
  return changes;
}

export function toGrant(row: Selectable<GrantsTable>): GrantRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    provider: row.provider as ProviderName,
    supplierId: row.supplier_id ?? undefined,
    organisation: row.organisation,
    contactEmail: row.contact_email ?? undefined,
    username: row.username,
    externalId: row.external_id ?? undefined,
    displayName: row.display_name,
    status: row.status as GrantStatus,
    expiresAt: row.expires_at,
    reason: row.reason,
    ticket: row.ticket ?? undefined,
    groups: JSON.parse(row.groups) as string[],
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    endedAt: row.ended_at ?? undefined,
    pendingExtension: row.pending_extension
      ? (JSON.parse(row.pending_extension) as GrantRecord['pendingExtension'])
      : undefined,
    failure: row.failure ? (JSON.parse(row.failure) as GrantRecord['failure']) : undefined,
    provisionedAt: row.provisioned_at ?? undefined,
    closedAt: row.closed_at ?? undefined,
    accountDeletedAt: row.account_deleted_at ?? undefined,
    door: row.door as DoorKind,
    ...(row.shared_account_id ? { sharedAccountId: row.shared_account_id } : {}),
  };
}

export function toEvent(row: Selectable<GrantEventsTable>): GrantEvent {
  return {
    type: row.type as GrantEventType,
    at: row.at,
    actor: row.actor,
    ...(row.details ? { details: JSON.parse(row.details) as Record<string, string> } : {}),
  };
}
