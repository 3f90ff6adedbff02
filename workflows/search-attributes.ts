/**
 * Search attributes on grant workflows, so operators can filter grants in the Temporal UI
 * (`SupplierAccessStatus = 'active' AND SupplierAccessExpiresAt < '2026-12-01T00:00:00Z'`).
 * Search attributes are stored in plaintext by the server and never pass through the payload codec: they carry
 * the provider, the organisation, the account name, the expiry and the status, and nothing personal or secret
 * (no e-mail address, no password, no reason).
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { GrantPatch } from '../domain/events.js';
import type { GrantInput } from '../domain/grant.js';
import type { GrantStatus } from '../domain/status.js';

export const PROVIDER_KEY = defineSearchAttributeKey('SupplierAccessProvider', SearchAttributeType.KEYWORD);
export const ORGANISATION_KEY = defineSearchAttributeKey(
  'SupplierAccessOrganisation',
  SearchAttributeType.KEYWORD,
);
export const ACCOUNT_KEY = defineSearchAttributeKey('SupplierAccessAccount', SearchAttributeType.KEYWORD);
export const EXPIRES_AT_KEY = defineSearchAttributeKey(
  'SupplierAccessExpiresAt',
  SearchAttributeType.DATETIME,
);
export const STATUS_KEY = defineSearchAttributeKey('SupplierAccessStatus', SearchAttributeType.KEYWORD);

/** Every attribute the service sets, for registering them with the server. */
export const GRANT_SEARCH_ATTRIBUTES = [
  PROVIDER_KEY,
  ORGANISATION_KEY,
  ACCOUNT_KEY,
  EXPIRES_AT_KEY,
  STATUS_KEY,
];

/** The attributes a grant workflow starts with. */
export function initialSearchAttributes(input: GrantInput): SearchAttributePair[] {
  return [
    { key: PROVIDER_KEY, value: input.provider },
    { key: ORGANISATION_KEY, value: input.supplier.organisation },
    { key: ACCOUNT_KEY, value: input.username },
    { key: EXPIRES_AT_KEY, value: new Date(input.expiresAt) },
    { key: STATUS_KEY, value: 'provisioning' satisfies GrantStatus },
  ];
}

/**
 * Keeps the status and expiry attributes in step with the registry (called by the workflow with each recorded
 * change). Only for grants started with `indexed`: the upsert of an attribute the server does not know would
 * stall the workflow, and grants started before attributes existed must replay without new commands.
 */
export function indexGrant(input: GrantInput, patch: GrantPatch): void {
  if (!input.indexed || (!patch.status && !patch.expiresAt)) return;
  upsertSearchAttributes([
    ...(patch.status ? [{ key: STATUS_KEY, value: patch.status }] : []),
    ...(patch.expiresAt ? [{ key: EXPIRES_AT_KEY, value: new Date(patch.expiresAt) }] : []),
  ]);
}
