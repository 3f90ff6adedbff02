import type { ProviderName } from '../../domain/account.js';
import { accountNameCandidate } from '../../domain/naming.js';
import type { RegistryStore } from '../registry/types.js';
import { problem } from './problem.js';

/** What naming an account needs: where names are reserved, and the naming policy. */
export interface AccountNamePolicy {
  registry: RegistryStore;
  /** `ACCOUNT_PREFIX`. */
  accountPrefix: string;
  /** Per provider, the longest account name it accepts. */
  usernameLimits: ReadonlyMap<ProviderName, number>;
}

/**
 * Candidates tried before giving up. Another supplier holds a supplier's first candidate only when an earlier
 * release gave it that name (two names that met once accents were dropped), so the second is almost always free.
 */
const MAX_NAME_ATTEMPTS = 20;

/**
 * The account name of the supplier whose canonical key is `key` on the provider: the one reserved for it (every
 * grant it had there, whatever release made it, reserved its name, which never changes), else the first
 * candidate no other supplier holds, reserved now. So two suppliers never share an account, and a closed account
 * is only ever taken over by a new grant of its own supplier.
 */
export async function accountNameFor(
  policy: AccountNamePolicy,
  provider: ProviderName,
  key: string,
): Promise<string> {
  const { registry, accountPrefix, usernameLimits } = policy;
  const reserved = await registry.accountNameOf(provider, key);
  if (reserved) return reserved;
  const limit = usernameLimits.get(provider) ?? 64;
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const username = accountNameCandidate(accountPrefix, key, limit, attempt);
    const reservedAt = new Date().toISOString();
    const holder = await registry.reserveAccountName({ provider, username, supplierKey: key, reservedAt });
    if (holder === key) return username;
  }
  throw problem(503, 'no free account name was found for this supplier; try again');
}
