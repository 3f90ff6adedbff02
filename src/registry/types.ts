import type { ProviderName } from '../../providers/types.js';
import type { GrantEventType, GrantInput, GrantStatus, PendingExtension } from '../../workflows/messages.js';

/** One grant as the registry keeps it, for good: closed grants are never deleted. */
export interface GrantRecord {
  id: string;
  workflowId: string;
  provider: ProviderName;
  organisation: string;
  contactEmail?: string | undefined;
  username: string;
  externalId?: string | undefined;
  displayName: string;
  status: GrantStatus;
  expiresAt: string;
  reason: string;
  ticket?: string | undefined;
  groups: string[];
  requestedBy: string;
  createdAt: string;
  endedAt?: string | undefined;
  pendingExtension?: PendingExtension | undefined;
  failure?: { kind: string; message: string } | undefined;
}

/** One entry of a grant's event trail. */
export interface GrantEvent {
  type: GrantEventType;
  at: string;
  actor: string;
  details?: Record<string, string> | undefined;
}

/** Changes an event brings to its grant; `null` clears a field. */
export interface GrantPatch {
  status?: GrantStatus;
  expiresAt?: string;
  externalId?: string;
  endedAt?: string;
  pendingExtension?: PendingExtension | null;
  failure?: { kind: string; message: string };
}

/** An event as written by the workflow: `seq` is its position in the grant, which makes retries harmless. */
export interface EventRecord extends GrantEvent {
  grantId: string;
  seq: number;
  patch?: GrantPatch | undefined;
}

/** Where grants are kept. Writes are idempotent so a retried activity never duplicates anything. */
export interface RegistryStore {
  /** Adds the grant with its `created` event; does nothing when it is already there. */
  insertGrant(grant: GrantRecord, created: EventRecord): Promise<void>;
  /** Appends the event once and applies its patch unless a later event was already applied. */
  recordEvent(event: EventRecord): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | null>;
  listEvents(grantId: string): Promise<GrantEvent[]>;
  close(): Promise<void>;
}

/** The registry's record of a grant as it is requested, before anything happened to it. */
export function grantRecordFromInput(input: GrantInput, workflowId: string): GrantRecord {
  return {
    id: input.grantId,
    workflowId,
    provider: input.provider,
    organisation: input.supplier.organisation,
    contactEmail: input.supplier.contactEmail,
    username: input.username,
    displayName: input.displayName,
    status: 'provisioning',
    expiresAt: input.expiresAt,
    reason: input.reason,
    ticket: input.ticket,
    groups: input.groups,
    requestedBy: input.requestedBy,
    createdAt: input.createdAt,
  };
}
