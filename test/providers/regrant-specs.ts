import { randomBytes } from 'node:crypto';
import { supplierDisplayName } from '../../providers/naming.js';
import type { AccountSpec } from '../../providers/types.js';

export const token = (): string => randomBytes(4).toString('hex');

/** An instant `days` from now, to the second (as directories keep it). */
export const inDays = (days: number): string =>
  new Date(Math.floor(Date.now() / 1000) * 1000 + days * 86_400_000).toISOString();

/** A supplier's first grant of a fresh account on the provider under test. */
export function firstGrant(label: string, overrides: Partial<AccountSpec> = {}): AccountSpec {
  const organisation = `${label} ${token()}`;
  return {
    username: `sup-rg-${token()}`,
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
