import type { Custodian } from '../domain/shared-account.js';
import type { Sponsor } from '../domain/supplier.js';
import type { RegistryStore } from '../src/registry/types.js';

/** Who is told about one grant, as things stand now. */
export interface Recipients {
  sponsor?: Sponsor | undefined;
  /** The supplier's contact addresses; may be empty (none given, or erased once kept long enough). */
  contactEmails: string[];
  /** For a lend: the shared account lent, whose custodian hears of the lend too. */
  sharedAccount?: { label: string; custodian: Custodian } | undefined;
}

/**
 * Where a grant's notifications go. Asked each time a reminder or a notice goes out, not when the grant is made:
 * a sponsor or a contact changed meanwhile is the one told, and contact data erased meanwhile is not used.
 */
export interface GrantRecipients {
  /** The grant's sponsor and supplier contacts now; no one when the registry does not know the grant. */
  recipientsOf(grantId: string): Promise<Recipients>;
}

/**
 * The recipients the registry holds now: the sponsor of the grant's supplier, and the supplier's contacts with the
 * grant's own contact first (each address once, whatever its case); for a lend, the shared account's custodian too.
 * A grant the registry does not know, or whose supplier is gone, tells only its own contact.
 */
export function registryRecipients(
  registry: Pick<RegistryStore, 'getGrant' | 'getSupplier' | 'getSharedAccount'>,
): GrantRecipients {
  return {
    async recipientsOf(grantId) {
      const grant = await registry.getGrant(grantId);
      const supplier = grant?.supplierId ? await registry.getSupplier(grant.supplierId) : undefined;
      const addresses = [
        ...(grant?.contactEmail ? [grant.contactEmail] : []),
        ...(supplier?.contactEmails ?? []),
      ];
      const seen = new Set<string>();
      const contactEmails = addresses.filter((address) => {
        const key = address.toLowerCase();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      const shared = grant?.sharedAccountId ? await registry.getSharedAccount(grant.sharedAccountId) : null;
      return {
        ...(supplier ? { sponsor: supplier.sponsor } : {}),
        contactEmails,
        ...(shared ? { sharedAccount: { label: shared.label, custodian: shared.custodian } } : {}),
      };
    },
  };
}
