import type { RegistryStore } from '../src/registry/types.js';

/** The internal person answerable for a supplier: told of its grants' reminders and shortenings. */
export interface Sponsor {
  name: string;
  /** Where the sponsor is e-mailed; without it the sponsor is named in the messages but not sent one. */
  email?: string | undefined;
}

/** Who is told about one grant, as things stand now. */
export interface Recipients {
  sponsor?: Sponsor | undefined;
  /** The supplier's contact addresses; may be empty (none given, or erased once kept long enough). */
  contactEmails: string[];
}

/**
 * Where a grant's notifications go. Asked each time a reminder or a notice goes out, not when the grant is made:
 * a sponsor or a contact changed meanwhile is the one told, and contact data erased meanwhile is not used.
 */
export interface GrantRecipients {
  /** The grant's sponsor and supplier contacts now; no one when the registry does not know the grant. */
  recipientsOf(grantId: string): Promise<Recipients>;
}

/** The recipients the registry's grant record holds: its supplier contact, and no sponsor. */
export function registryRecipients(registry: Pick<RegistryStore, 'getGrant'>): GrantRecipients {
  return {
    async recipientsOf(grantId) {
      const grant = await registry.getGrant(grantId);
      return { contactEmails: grant?.contactEmail ? [grant.contactEmail] : [] };
    },
  };
}
