/**
 * Service credentials: a secret for a supplier's integration (an Entra application's client secret, an Okta service
 * app's, an LDAP/AD service account's password), with an expiry. Types only, plain data that crosses Temporal;
 * deterministic: the workflow bundle loads this file.
 */
import type { GrantInput } from './grant.js';

/**
 * Everything a service credential's workflow starts from. It is a grant of the `service` door: the supplier, the
 * expiry, the reason, the requester, extensions and reminders are a grant's; `username` is the name reserved for
 * the supplier's integration on the provider (not its account's), and no groups or guest/member kind apply.
 */
export interface ServiceInput extends GrantInput {
  door: 'service';
}

/** Whether a grant's input opens a service credential rather than an account. */
export function isServiceInput(input: GrantInput): input is ServiceInput {
  return 'door' in input && (input as { door?: unknown }).door === 'service';
}

/** The display name of a supplier's integration: the organisation as written, marked as a supplier's. */
export function serviceDisplayName(organisation: string): string {
  return `${organisation.trim()} (supplier integration)`;
}
