import type { AccountRef, Credential } from '../domain/account.js';
import type { ProvisionResult } from './types.js';

/** What a `service` grant asks a provider to create: a credential for a supplier's integration, with its expiry. */
export interface ServiceSpec {
  /** The name reserved for the supplier's integration on this provider (an account or application name). */
  username: string;
  /** The supplier organisation as written by the requester. */
  organisation: string;
  /** The integration marked as a supplier's, e.g. `Acme Inc. (supplier integration)`. */
  displayName: string;
  /** The grant this credential belongs to; written on it so ownership can be checked on retry and by the review. */
  grantId: string;
  /** The expiry, ISO-8601 UTC; attached to the credential itself where the provider can hold it (Entra, LDAP/AD). */
  expiresAt: string;
}

/** What kind of non-human credential the inventory found. */
export type ServiceCredentialKind =
  'application' | 'service-principal' | 'service-app' | 'api-token' | 'service-account';

/** One non-human credential holder as the provider lists it, for the review's inventory. */
export interface ServiceCredentialState {
  kind: ServiceCredentialKind;
  /** The provider's own id (Graph object id, Okta app or token id, LDAP DN). */
  id: string;
  name: string;
  /** Owners as the provider names them (user ids, UPNs or logins); empty when it has none. */
  owners: string[];
  enabled: boolean;
  createdAt?: string | undefined;
  /** When it was last used, where the provider says (Okta API tokens). */
  lastUsedAt?: string | undefined;
  /** Its secrets or keys; `expiresAt` absent means the credential never expires. */
  credentials: {
    id: string;
    type: 'password' | 'key' | 'token';
    createdAt?: string | undefined;
    expiresAt?: string | undefined;
  }[];
  /** The grant that issued it, when it carries our marker. */
  grantId?: string | undefined;
}

/**
 * Service credentials on one provider: issued for a supplier's integration with an expiry, closed at its end, and
 * listed for the review's inventory. Every method is safe to repeat, like `IdentityProvider`'s, and throws
 * `ProviderError` only.
 */
export interface ServiceCredentialProvider {
  /**
   * Creates the integration's identity (Entra: application + service principal; Okta: service app; LDAP/AD: service
   * account) named after the supplier, marked with the grant, and one secret with the expiry attached where the
   * provider holds one. The credential is `{ username: <client id or account name>, password: <secret> }`. A retry for
   * the same grant brings it to that state and issues a fresh secret (the earlier one may be lost), removing the
   * earlier ones. Throws `conflict` when the name is taken by anything that is not this grant's.
   */
  createServiceCredential(spec: ServiceSpec): Promise<ProvisionResult>;
  /**
   * Moves the expiry (an approved extension or a shortening). Where the provider keeps the expiry on a secret that
   * cannot change (Entra), adds a new secret with the new expiry and answers it (the supplier claims it once); the
   * older secrets keep their own end, or are removed when the new expiry is earlier. Otherwise answers undefined.
   */
  setServiceExpiry(account: AccountRef, expiresAt: string): Promise<Credential | undefined>;
  /**
   * Closes it for good: every secret removed (LDAP/AD: disabled and the password rotated), the identity disabled
   * (Entra: service principal `accountEnabled: false`; Okta: app deactivated). Gone already counts as done.
   */
  closeServiceCredential(account: AccountRef): Promise<void>;
  /** Every non-human credential holder the provider has (not only ours), for the review's inventory. */
  listServiceCredentials(): Promise<ServiceCredentialState[]>;
}
