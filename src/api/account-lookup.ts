import type { IdentityProvider } from '../../providers/types.js';
import type { ProviderName } from '../../domain/account.js';
import { createProviders, type Directories } from '../providers.js';
import { invalid, problem } from './problem.js';
import type { AccountLookup } from './shared-account-service.js';

/** A DN as compared here: case and the spaces around separators do not make another entry. */
const normalDn = (dn: string) => dn.replace(/\s*([,=+])\s*/g, '$1').toLowerCase();

/**
 * The API's own providers, for looking up the account a shared account is registered for: made at the first
 * registration (a rare, admin-only request), so an API that never registers one opens no directory connection.
 * The account the service itself binds with is refused: its first lend would rotate the service out of its own
 * directory, and nothing could then rotate it back.
 */
export function createAccountLookup(directories: Directories): {
  lookupAccount: AccountLookup;
  close(): Promise<void>;
} {
  let providers: Promise<Map<ProviderName, IdentityProvider>> | undefined;
  const bindDN = directories.settings.ldap?.bindDN;
  return {
    async lookupAccount(name, ref) {
      providers ??= createProviders(directories);
      const provider = (await providers).get(name);
      // The embedded OpenLDAP runs in the worker's process: an API process of its own has no settings for it.
      if (!provider) throw problem(503, `this API process cannot reach the ${name} directory`);
      const found = await provider.lookupAccount(ref);
      if (found && name === 'ldap' && bindDN && normalDn(found.externalId) === normalDn(bindDN)) {
        throw invalid([
          {
            field: 'account',
            rule: 'must not be the account supplier-access itself binds with (LDAP_BIND_DN)',
          },
        ]);
      }
      return found;
    },
    async close() {
      if (!providers) return;
      for (const provider of (await providers).values()) await provider.close();
    },
  };
}
