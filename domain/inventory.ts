/**
 * The review's inventory of non-human credentials: every application, service principal, service app, API token and
 * service account a provider holds, ours or not, and what is wrong with the ones nobody answers for. Deterministic:
 * the review workflow loads this file (types and pure functions only).
 */
import type { ProviderName } from './account.js';

/**
 * Why a holder the service did not issue is worth a look:
 * - `no-expiry`: one of its secrets, keys or tokens never expires;
 * - `expiry-beyond-max`: one of them runs past `MAX_GRANT_DAYS` from the review;
 * - `no-owner`: nobody is named as its owner;
 * - `supplier-name-without-grant`: named like a supplier's (the account prefix, or "(supplier" in its name) while no
 *   live grant on that provider has that name.
 */
export const INVENTORY_FLAGS = [
  'no-expiry',
  'expiry-beyond-max',
  'no-owner',
  'supplier-name-without-grant',
] as const;

export type InventoryFlag = (typeof INVENTORY_FLAGS)[number];

/** What kind of holder it is: the providers' `ServiceCredentialKind`, spelled here because the domain imports nothing. */
export type CredentialHolderKind =
  'application' | 'service-principal' | 'service-app' | 'api-token' | 'service-account';

/**
 * A holder as a provider lists it: the part of `ServiceCredentialState` the inventory reads (that type is assignable
 * to this one).
 */
export interface CredentialHolder {
  kind: CredentialHolderKind;
  id: string;
  name: string;
  owners: readonly string[];
  enabled: boolean;
  createdAt?: string | undefined;
  lastUsedAt?: string | undefined;
  credentials: readonly { expiresAt?: string | undefined }[];
  grantId?: string | undefined;
}

/** One credential holder as the review's inventory reports it. */
export interface InventoriedCredential {
  provider: ProviderName;
  kind: CredentialHolderKind;
  /** The provider's own id (Graph object id, Okta app or token id, LDAP DN). */
  id: string;
  name: string;
  owners: string[];
  enabled: boolean;
  createdAt?: string | undefined;
  /** Whole days from `createdAt` to the review; absent when the provider does not say when it was made. */
  ageDays?: number | undefined;
  lastUsedAt?: string | undefined;
  /** How many secrets, keys or tokens it holds. */
  credentials: number;
  /** The latest end among them; absent when one never expires, or it holds none. */
  expiresAt?: string | undefined;
  /**
   * The grant that issued it, when it carries our marker: such a holder is the service door's to repair when it
   * drifts, and is never flagged here.
   */
  grantId?: string | undefined;
  flags: InventoryFlag[];
}

/** What one provider's inventory found, in the review's summary. */
export interface InventorySummary {
  /** Credential holders listed. */
  holders: number;
  /** Those with at least one flag. */
  flagged: number;
  /** Set when the provider could not list them; its holders are then missing from the report. */
  error?: string | undefined;
}

/** What classifying a holder needs besides the holder. */
export interface InventoryContext {
  provider: ProviderName;
  /** `ACCOUNT_PREFIX`: names starting with it are supplier-style. */
  prefix: string;
  maxGrantDays: number;
  /** The review's instant. */
  now: Date;
  /** The names (usernames and display names) of the live grants on this provider. */
  liveGrantNames: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;

/** Whether a name looks like one of ours: the supplier prefix, or marked "(supplier …)". */
export function isSupplierStyleName(name: string, prefix: string): boolean {
  return name.toLowerCase().startsWith(prefix.toLowerCase()) || name.toLowerCase().includes('(supplier');
}

/** The holder as the report gives it, with its flags. */
export function classifyHolder(state: CredentialHolder, context: InventoryContext): InventoriedCredential {
  const ends = state.credentials.map((c) => c.expiresAt);
  const neverEnds = ends.some((end) => end === undefined);
  const latest = ends
    .filter((end): end is string => end !== undefined)
    .reduce<string | undefined>(
      (a, b) => (a === undefined || Date.parse(b) > Date.parse(a) ? b : a),
      undefined,
    );
  const created = state.createdAt === undefined ? Number.NaN : Date.parse(state.createdAt);
  const row: InventoriedCredential = {
    provider: context.provider,
    kind: state.kind,
    id: state.id,
    name: state.name,
    owners: [...state.owners],
    enabled: state.enabled,
    createdAt: state.createdAt,
    ageDays: Number.isNaN(created)
      ? undefined
      : Math.max(0, Math.floor((context.now.getTime() - created) / DAY_MS)),
    lastUsedAt: state.lastUsedAt,
    credentials: state.credentials.length,
    expiresAt: neverEnds ? undefined : latest,
    grantId: state.grantId,
    flags: [],
  };
  // Ours carry the grant's marker: the grant's own workflow and the service door answer for them.
  if (state.grantId !== undefined) return row;
  const limit = context.now.getTime() + context.maxGrantDays * DAY_MS;
  if (neverEnds) row.flags.push('no-expiry');
  if (ends.some((end) => end !== undefined && Date.parse(end) > limit)) row.flags.push('expiry-beyond-max');
  if (state.owners.length === 0) row.flags.push('no-owner');
  if (isSupplierStyleName(state.name, context.prefix) && !context.liveGrantNames.has(state.name)) {
    row.flags.push('supplier-name-without-grant');
  }
  return row;
}
