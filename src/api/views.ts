import type { GrantEvent, GrantRecord } from '../registry/types.js';

/** The grant as the API shows it (DESIGN.md "Grant JSON"); never a credential. */
export function grantView(grant: GrantRecord, events?: GrantEvent[]) {
  return {
    id: grant.id,
    provider: grant.provider,
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
    ...(grant.pendingExtension ? { pendingExtension: grant.pendingExtension } : {}),
    ...(grant.failure ? { failure: grant.failure } : {}),
    ...(events ? { events } : {}),
  };
}
