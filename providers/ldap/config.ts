import { z } from 'zod';
import { parentDn } from './syntax.js';

/** The LDAP provider's settings, checked once when the provider is created. */
export const ldapConfigSchema = z.object({
  /** `ldap://host:port` or `ldaps://host:port`; AD only accepts password writes over `ldaps://`. */
  url: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]'),
  /** The service account the provider binds as; it needs write access to usersDN and the groups. */
  bindDN: z.string().min(1),
  bindPassword: z.string().min(1),
  /** Where supplier accounts are created, one level below. */
  usersDN: z.string().min(1),
  /** Where to look for group memberships (whole subtree); default: the parent of usersDN. */
  groupsDN: z.string().min(1).optional(),
  dialect: z.enum(['openldap', 'ad']).default('openldap'),
});

/** What callers pass: `dialect` and `groupsDN` may be left out. */
export type LdapConfig = z.input<typeof ldapConfigSchema>;

/** The settings with every default applied. */
export type ResolvedLdapConfig = z.output<typeof ldapConfigSchema> & { groupsDN: string };

/** Validates the settings (throws a ZodError naming the bad fields) and fills in the defaults. */
export function resolveLdapConfig(config: LdapConfig): ResolvedLdapConfig {
  const parsed = ldapConfigSchema.parse(config);
  return { ...parsed, groupsDN: parsed.groupsDN ?? parentDn(parsed.usersDN) };
}
