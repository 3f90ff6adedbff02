import type { ProviderName } from '../../domain/account.js';
import { accountNameCandidate, serviceNameCandidate } from '../../domain/naming.js';
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
export function accountNameFor(
  policy: AccountNamePolicy,
  provider: ProviderName,
  key: string,
): Promise<string> {
  return reservedName(policy, provider, key, accountNameCandidate);
}

/**
 * The reservations of supplier integrations' names are held under the supplier's key with this mark, which no
 * supplier key can carry (keys are `[a-z0-9-]`): the integration's name never becomes its supplier's account name.
 */
const SERVICE_RESERVATION = '#service';

/**
 * The name of the supplier's integration on the provider (a `service` grant): reserved like an account name, once
 * per supplier and provider, and never the same as any account's (`sup-acme-svc`). So one live service credential
 * per supplier and provider, beside its account.
 */
export function serviceNameFor(
  policy: AccountNamePolicy,
  provider: ProviderName,
  key: string,
): Promise<string> {
  return reservedName(policy, provider, key, serviceNameCandidate, SERVICE_RESERVATION);
}

async function reservedName(
  policy: AccountNamePolicy,
  provider: ProviderName,
  key: string,
  candidate: (prefix: string, key: string, maxLength: number, attempt: number) => string,
  mark = '',
): Promise<string> {
  const { registry, accountPrefix, usernameLimits } = policy;
  const supplierKey = key + mark;
  const reserved = await registry.accountNameOf(provider, supplierKey);
  if (reserved) return reserved;
  const limit = usernameLimits.get(provider) ?? 64;
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const username = candidate(accountPrefix, key, limit, attempt);
    const reservedAt = new Date().toISOString();
    const holder = await registry.reserveAccountName({ provider, username, supplierKey, reservedAt });
    if (holder === supplierKey) return username;
  }
  throw problem(503, 'no free account name was found for this supplier; try again');
}
