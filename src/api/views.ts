import { endingOf, isClosing } from '../registry/ending.js';
import type { GrantRecord } from '../registry/types.js';
import type { GrantEvent } from '../../domain/events.js';
import { failureView } from '../../domain/failure.js';
import type { SharedAccountRecord } from '../../domain/shared-account.js';
import type { SupplierRecord } from '../../domain/supplier.js';

/** What goes with a grant into its view. */
export interface GrantViewOptions {
  /** The grant's event trail: it says how the grant ended. Without it, the ending's details are left out. */
  trail?: readonly GrantEvent[] | undefined;
  /** Whether the trail itself is shown (`GET /v1/grants/{id}`); listings show the ending only. */
  withEvents?: boolean | undefined;
}

/** The grant as the API shows it (docs/api.md, "The grant"); never a credential. */
export function grantView(grant: GrantRecord, { trail, withEvents = false }: GrantViewOptions = {}) {
  const ending = trail ? endingOf(grant, trail) : undefined;
  const closing = isClosing(grant);
  return {
    id: grant.id,
    provider: grant.provider,
    door: grant.door,
    ...(grant.sharedAccountId ? { sharedAccountId: grant.sharedAccountId } : {}),
    ...(grant.supplierId ? { supplierId: grant.supplierId } : {}),
    supplier: {
      organisation: grant.organisation,
      ...(grant.contactEmail ? { contactEmail: grant.contactEmail } : {}),
    },
    account: {
      username: grant.username,
      externalId: grant.externalId ?? null,
      displayName: grant.displayName,
    },
    status: grant.status,
    expiresAt: grant.expiresAt,
    reason: grant.reason,
    ...(grant.ticket ? { ticket: grant.ticket } : {}),
    ...(grant.groups.length ? { groups: grant.groups } : {}),
    requestedBy: grant.requestedBy,
    createdAt: grant.createdAt,
    ...(grant.endedAt ? { endedAt: grant.endedAt } : {}),
    ...(ending ? { ending: ending.ending, endedBy: ending.endedBy, endReason: ending.endReason } : {}),
    ...(grant.closedAt ? { closedAt: grant.closedAt } : {}),
    ...(closing !== undefined ? { closing } : {}),
    ...(grant.pendingExtension ? { pendingExtension: grant.pendingExtension } : {}),
    ...(grant.failure ? { failure: failureView(grant.failure) } : {}),
    ...(withEvents && trail ? { events: [...trail] } : {}),
  };
}

/** The supplier as the API shows it (docs/api.md, "Suppliers"). */
export function supplierView(supplier: SupplierRecord) {
  return {
    id: supplier.id,
    legalName: supplier.legalName,
    key: supplier.key,
    contactEmails: supplier.contactEmails,
    sponsor: supplier.sponsor,
    ...(supplier.contractEnd ? { contractEnd: supplier.contractEnd } : {}),
    ...(supplier.notes ? { notes: supplier.notes } : {}),
    ...(supplier.block
      ? {
          block: {
            incidentId: supplier.block.incidentId,
            since: supplier.block.since,
            by: supplier.block.by,
          },
        }
      : {}),
    createdBy: supplier.createdBy,
    createdAt: supplier.createdAt,
    updatedAt: supplier.updatedAt,
  };
}

/** The shared account as the API shows it (docs/api.md, "Shared accounts"): whether a password waits, never it. */
export function sharedAccountView(account: SharedAccountRecord) {
  return {
    id: account.id,
    provider: account.provider,
    account: {
      username: account.account.username,
      externalId: account.account.externalId,
      displayName: account.account.displayName,
    },
    label: account.label,
    custodian: {
      name: account.custodian.name,
      ...(account.custodian.email ? { email: account.custodian.email } : {}),
    },
    ...(account.rotationIntervalDays !== undefined
      ? { rotationIntervalDays: account.rotationIntervalDays }
      : {}),
    ...(account.lastRotatedAt ? { lastRotatedAt: account.lastRotatedAt } : {}),
    credentialWaiting: account.custodianCredentialSince !== undefined,
    ...(account.custodianCredentialSince ? { credentialWaitingSince: account.custodianCredentialSince } : {}),
    createdBy: account.createdBy,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}
