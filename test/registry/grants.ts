import { randomUUID } from 'node:crypto';
import type { ProviderName } from '../../domain/account.js';
import { supplierKey } from '../../domain/naming.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import type { GrantRecord, RegistryStore } from '../../src/registry/types.js';
import type { EventRecord } from '../../domain/events.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The instants tests talk about are offsets from this one. */
export const T0 = Date.parse('2031-03-01T08:00:00.000Z');

/** `T0 + offset`, in the form the registry stores instants. */
export function at(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}

/** A supplier as the API records it when it is created, at the tests' origin. */
export function supplierRecord(legalName: string): SupplierRecord {
  return {
    id: randomUUID(),
    legalName,
    key: supplierKey(legalName),
    contactEmails: ['office@supplier.example'],
    sponsor: { name: 'Sam Sponsor' },
    createdBy: 'rita',
    createdAt: at(0),
    updatedAt: at(0),
  };
}

let made = 0;

/** A grant as the API records it before its workflow ran, with made-up but unique identifiers. */
export function grantRecord(overrides: Partial<GrantRecord> = {}): GrantRecord {
  const n = ++made;
  const provider: ProviderName = overrides.provider ?? 'ldap';
  return {
    id: `grant-${String(n).padStart(6, '0')}`,
    workflowId: `grant-wf-${n}`,
    provider,
    organisation: 'Acme Supplies',
    username: `sup-acme-${n}`,
    displayName: 'Acme Supplies (supplier)',
    status: 'provisioning',
    expiresAt: at(30 * DAY),
    reason: 'quarterly audit',
    groups: ['auditors'],
    requestedBy: 'alice',
    createdAt: at(0),
    door: 'account',
    ...overrides,
  };
}

export function createdEvent(grant: GrantRecord): EventRecord {
  return { grantId: grant.id, seq: 1, type: 'created', at: grant.createdAt, actor: grant.requestedBy };
}

/** Inserts a new grant with its `created` event. */
export async function addGrant(
  store: RegistryStore,
  overrides: Partial<GrantRecord> = {},
): Promise<GrantRecord> {
  const grant = grantRecord(overrides);
  await store.insertGrant(grant, createdEvent(grant));
  return grant;
}

/** What the workflow records once the account exists. */
export async function provision(store: RegistryStore, grant: GrantRecord, when: string): Promise<void> {
  await store.recordEvent({
    grantId: grant.id,
    seq: 2,
    type: 'provisioned',
    at: when,
    actor: 'system',
    patch: { status: 'active', externalId: `uid=${grant.username}` },
  });
}

/** What the workflow records when the account could not be created. */
export async function failProvisioning(
  store: RegistryStore,
  grant: GrantRecord,
  when: string,
): Promise<void> {
  await store.recordEvent({
    grantId: grant.id,
    seq: 2,
    type: 'provisioning-failed',
    at: when,
    actor: 'system',
    patch: {
      status: 'failed',
      failure: { kind: 'provider-invalid', field: 'groups', message: 'no such group' },
    },
  });
}

/**
 * What the workflow records when the grant ends at expiry (or on revocation): the ending, then — once the directory
 * did it, at `closedAt` (by default the same instant) — `disabled` and `credentials-rotated`. `closedAt: null`
 * leaves the account open: the directory was down and the workflow is still trying.
 */
export async function end(
  store: RegistryStore,
  grant: GrantRecord,
  when: string,
  type: 'expired' | 'revoked' = 'expired',
  closedAt: string | null = when,
): Promise<void> {
  await store.recordEvent({
    grantId: grant.id,
    seq: 3,
    type,
    at: when,
    actor: type === 'expired' ? 'system' : 'bob',
    details: type === 'expired' ? { expiresAt: grant.expiresAt } : { reason: 'contract ended' },
    patch: { status: type, endedAt: when },
  });
  if (closedAt !== null) await closeAccount(store, grant, closedAt);
}

/** What the workflow records once the directory disabled the account and rotated its credentials. */
export async function closeAccount(store: RegistryStore, grant: GrantRecord, when: string): Promise<void> {
  await store.recordEvent({ grantId: grant.id, seq: 4, type: 'disabled', at: when, actor: 'system' });
  await store.recordEvent({
    grantId: grant.id,
    seq: 5,
    type: 'credentials-rotated',
    at: when,
    actor: 'system',
  });
}
