import { supplierDisplayName } from '../../domain/naming.js';
import type { AccountSpec } from '../../providers/types.js';
import { inDays, token } from '../helpers/kit.js';

export { inDays, token };

/**
 * A grant's account spec on the provider under test: a fresh organisation (`<label> <random>`) and account name
 * (`<usernamePrefix><random>`) unless the overrides name them.
 */
export function accountSpec(
  label: string,
  usernamePrefix: string,
  overrides: Partial<AccountSpec> = {},
): AccountSpec {
  const organisation = overrides.organisation ?? `${label} ${token()}`;
  return {
    username: `${usernamePrefix}${token()}`,
    organisation,
    displayName: supplierDisplayName(organisation),
    grantId: `grant-${token()}`,
    expiresAt: inDays(30),
    groups: [],
    ...overrides,
  };
}

/** The supplier's next grant of the same account, naming the closed one as reclaimable. */
export const nextGrant = (earlier: AccountSpec, overrides: Partial<AccountSpec> = {}): AccountSpec => ({
  ...earlier,
  grantId: `grant-${token()}`,
  expiresAt: inDays(60),
  reclaimable: [earlier.grantId],
  ...overrides,
});
