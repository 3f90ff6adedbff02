import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEntraProvider } from '../providers/entra/index.js';
import { createLdapProvider } from '../providers/ldap/index.js';
import { createOktaProvider } from '../providers/okta/index.js';
import type { IdentityProvider } from '../providers/types.js';
import type { ProviderName } from '../domain/account.js';
import type { Config } from './config.js';
import { startLocalSlapd, type LocalSlapd } from './local-stack/slapd.js';
import { freePort } from './local-stack/tools.js';
import type { Logger } from './logger.js';

/** Remembers a port in the data dir so the embedded servers come back where they were. */
export async function stablePort(dataDir: string, name: string): Promise<number> {
  const file = join(dataDir, `${name}.port`);
  if (existsSync(file)) return Number(readFileSync(file, 'utf8'));
  const port = await freePort();
  writeFileSync(file, String(port));
  return port;
}

/** The providers the configuration enables; the embedded OpenLDAP when it names none. */
export async function startProviders(config: Config, dataDir: string, logger: Logger) {
  const providers = new Map<ProviderName, IdentityProvider>();
  let slapd: LocalSlapd | undefined;
  if (config.ldap) {
    providers.set('ldap', createLdapProvider(config.ldap));
  } else if (config.embeddedLdap) {
    slapd = await startLocalSlapd({
      dataDir: join(dataDir, 'ldap'),
      port: await stablePort(dataDir, 'ldap'),
      logger,
    });
    providers.set(
      'ldap',
      createLdapProvider({
        url: slapd.url,
        bindDN: slapd.bindDN,
        bindPassword: slapd.bindPassword,
        usersDN: slapd.usersDN,
        groupsDN: slapd.groupsDN,
        dialect: 'openldap',
      }),
    );
  }
  if (config.okta) {
    providers.set(
      'okta',
      createOktaProvider({
        orgUrl: config.okta.orgUrl,
        apiToken: config.okta.apiToken,
        loginDomain: config.okta.loginDomain,
        groups: config.okta.groups,
      }),
    );
  }
  if (config.entra) {
    const { baseUrl, authorityUrl, upnDomain, inviteRedirectUrl, ...required } = config.entra;
    // Unset optional settings fall back to the provider's own defaults (Graph and login.microsoftonline.com).
    providers.set(
      'entra',
      createEntraProvider({
        ...required,
        ...(baseUrl ? { baseUrl } : {}),
        ...(authorityUrl ? { authorityUrl } : {}),
        ...(upnDomain ? { upnDomain } : {}),
        ...(inviteRedirectUrl ? { inviteRedirectUrl } : {}),
      }),
    );
  }
  return { providers, slapd };
}
