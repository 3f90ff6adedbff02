import { existsSync } from 'node:fs';
import { providerEnvironment, type ProviderModule } from '../module.js';
import { LDAP_USERNAME_LIMITS, ldapConfigSchema, type LdapConfig } from './config.js';

/** What the settings schema cannot see: how the variables relate, and the file one of them names. */
function environmentProblems({ url, dialect, caFile }: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  if (dialect === 'ad' && !String(url).startsWith('ldaps://')) {
    // AD takes passwords (unicodePwd) over TLS only, and refuses or exposes simple binds on plain LDAP.
    problems.push(['LDAP_URL', 'must be ldaps://host[:port] when LDAP_DIALECT=ad']);
  }
  if (typeof caFile === 'string' && !existsSync(caFile)) {
    problems.push(['LDAP_CA_FILE', 'must name a PEM file that exists']);
  }
  return problems;
}

/** The LDAP provider (OpenLDAP or Active Directory) as the service configures it: `LDAP_*`. */
export const ldapModule = {
  name: 'ldap',
  ...providerEnvironment({
    label: 'LDAP',
    schema: ldapConfigSchema,
    variables: {
      url: 'LDAP_URL',
      bindDN: 'LDAP_BIND_DN',
      bindPassword: 'LDAP_BIND_PASSWORD',
      usersDN: 'LDAP_USERS_DN',
      groupsDN: 'LDAP_GROUPS_DN',
      dialect: 'LDAP_DIALECT',
      caFile: 'LDAP_CA_FILE',
    },
    required: ['url', 'bindDN', 'bindPassword', 'usersDN'],
    check: environmentProblems,
  }),
  usernameLimit: (settings: Pick<LdapConfig, 'dialect'>) =>
    LDAP_USERNAME_LIMITS[settings.dialect ?? 'openldap'],
  create: async (settings: LdapConfig) => (await import('./index.js')).createLdapProvider(settings),
  probe: async (settings: LdapConfig) => (await import('./index.js')).createLdapProbe(settings),
} as const satisfies ProviderModule<LdapConfig>;
