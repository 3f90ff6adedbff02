import type { IdentityProvider } from '../../providers/types.js';
import type { ProviderName } from '../../domain/account.js';
import { createProviders, type Directories } from '../providers.js';
import { problem } from './problem.js';
import type { AccountLookup } from './shared-account-service.js';

/**
 * The API's own providers, for looking up the account a shared account is registered for: made at the first
 * registration (a rare, admin-only request), so an API that never registers one opens no directory connection.
 */
export function createAccountLookup(directories: Directories): {
  lookupAccount: AccountLookup;
  close(): Promise<void>;
} {
  let providers: Promise<Map<ProviderName, IdentityProvider>> | undefined;
  return {
    async lookupAccount(name, ref) {
      providers ??= createProviders(directories);
      const provider = (await providers).get(name);
      // The embedded OpenLDAP runs in the worker's process: an API process of its own has no settings for it.
      if (!provider) throw problem(503, `this API process cannot reach the ${name} directory`);
      return provider.lookupAccount(ref);
    },
    async close() {
      if (!providers) return;
      for (const provider of (await providers).values()) await provider.close();
    },
  };
}
