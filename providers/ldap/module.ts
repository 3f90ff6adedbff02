import { existsSync } from 'node:fs';
import { providerEnvironment, type ProviderModule } from '../module.js';
import { LDAP_USERNAME_LIMITS, ldapConfigSchema, type LdapConfig } from './config.js';

/** The LDAP provider (OpenLDAP or Active Directory) as the service configures it: `LDAP_*`. */
export const ldapModule = {
  name: 'ldap',
  variables: ['LDAP_URL', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_USERS_DN'],
  environment: providerEnvironment({
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
    check: ({ url, dialect, caFile }) => [
      // AD takes passwords (unicodePwd) over TLS only, and refuses or exposes simple binds on plain LDAP.
      ...(dialect === 'ad' && !String(url).startsWith('ldaps://')
        ? [['LDAP_URL', 'must be ldaps://host[:port] when LDAP_DIALECT=ad'] as [string, string]]
        : []),
      ...(typeof caFile === 'string' && !existsSync(caFile)
        ? [['LDAP_CA_FILE', 'must name a PEM file that exists'] as [string, string]]
        : []),
    ],
  }),
  usernameLimit: (settings: Pick<LdapConfig, 'dialect'>) =>
    LDAP_USERNAME_LIMITS[settings.dialect ?? 'openldap'],
  create: async (settings: LdapConfig) => (await import('./index.js')).createLdapProvider(settings),
  probe: async (settings: LdapConfig) => (await import('./index.js')).createLdapProbe(settings),
} as const satisfies ProviderModule<LdapConfig>;
