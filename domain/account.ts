/**
 * The identity providers and the accounts a grant makes in them, as plain data that crosses Temporal.
 * Deterministic: the workflow bundle loads this file.
 */

/** The identity providers supplier-access can grant access in, by their name in the API. */
export const PROVIDER_NAMES = ['ldap', 'okta', 'entra'] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** How we point at an account once it exists. */
export interface AccountRef {
  username: string;
  /** The provider's own id: a DN for LDAP, a user id for Okta and Graph. */
  externalId: string;
  displayName: string;
}

/** A one-time credential handed to the supplier, shown once and never stored by us. */
export interface Credential {
  username: string;
  password: string;
  /**
   * What the supplier must do with the one-time password before it works for what they need, where the provider
   * asks more than using it once (AD: change it through Kerberos or a Windows sign-in before LDAP binds work).
   */
  firstSignIn?: string | undefined;
}
