/**
 * A grant as its workflow starts from it and knows it. Types only, plain data that crosses Temporal;
 * deterministic: the workflow bundle loads this file.
 */
import type { AccountRef, ProviderName } from './account.js';
import type { GrantFailure } from './failure.js';
import type { GrantStatus } from './status.js';

export interface Supplier {
  organisation: string;
  contactEmail?: string | undefined;
}

/** Everything a grant workflow starts from; validated by the API before it gets here. */
export interface GrantInput {
  grantId: string;
  provider: ProviderName;
  supplier: Supplier;
  /**
   * The registry's supplier the grant is for (`SupplierRecord.id`); absent in the inputs of grants started before
   * suppliers were recorded (the registry migration gave those grants theirs).
   */
  supplierId?: string | undefined;
  /** The account name and display name derived from the organisation (see `naming.ts`). */
  username: string;
  displayName: string;
  expiresAt: string;
  reason: string;
  ticket?: string | undefined;
  groups: string[];
  kind?: 'guest' | 'member' | undefined;
  requestedBy: string;
  createdAt: string;
  /** The policy in force when the grant was made; extensions are checked against it. */
  maxGrantDays: number;
  /** How long before the expiry reminders go out (`REMINDER_LEAD` when the grant was made); none when absent. */
  reminderLeadsMs?: number[] | undefined;
  /**
   * Whether the server knows the grant search attributes (the API checked at start): only then does the
   * workflow keep them up to date, since an upsert of an unknown attribute would stall the workflow.
   */
  indexed?: boolean | undefined;
}

export interface PendingExtension {
  expiresAt: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
}

/** What the workflow knows of its grant now. */
export interface GrantState {
  grantId: string;
  status: GrantStatus;
  expiresAt: string;
  account?: AccountRef | undefined;
  pendingExtension?: PendingExtension | undefined;
  /** Why provisioning failed, for `failed` grants. */
  failure?: GrantFailure | undefined;
}
