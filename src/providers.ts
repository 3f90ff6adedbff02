import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReachabilityProbe } from '../providers/module.js';
import { moduleOf, PROVIDER_MODULES, type ProviderSettings } from '../providers/modules.js';
import type { IdentityProvider } from '../providers/types.js';
import { PROVIDER_NAMES, type ProviderName } from '../domain/account.js';
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

/** The directories this process grants access in, and the settings it reaches each one with. */
export interface Directories {
  /** Every provider the service offers, in the API's order: the configured ones, or the embedded OpenLDAP. */
  names: ProviderName[];
  /** The settings of each provider this process can reach: the embedded OpenLDAP's only once started here. */
  settings: Partial<ProviderSettings>;
  /** The embedded OpenLDAP, when this process started it. */
  slapd?: LocalSlapd | undefined;
}

/**
 * The providers the configuration enables; the embedded OpenLDAP when it names none, started only by a process
 * that runs the worker (`startEmbedded`): the API alone needs no directory to derive account names.
 */
export async function startDirectories(
  config: Config,
  dataDir: string,
  logger: Logger,
  startEmbedded: boolean,
): Promise<Directories> {
  const settings: Partial<ProviderSettings> = { ldap: config.ldap, okta: config.okta, entra: config.entra };
  if (!config.embeddedLdap) {
    return { names: PROVIDER_NAMES.filter((name) => settings[name]), settings };
  }
  if (!startEmbedded) return { names: ['ldap'], settings: {} };
  const slapd = await startLocalSlapd({
    dataDir: join(dataDir, 'ldap'),
    port: await stablePort(dataDir, 'ldap'),
    logger,
  });
  const { url, bindDN, bindPassword, usersDN, groupsDN } = slapd;
  return {
    names: ['ldap'],
    settings: { ldap: { url, bindDN, bindPassword, usersDN, groupsDN, dialect: 'openldap' } },
    slapd,
  };
}

/** The worker's providers, one instance each, shared by its activities. */
export const createProviders = (directories: Directories): Promise<Map<ProviderName, IdentityProvider>> =>
  eachReachable(directories, (name, settings) => moduleOf(name).create(settings));

/** The API's reachability checks, one per provider it can reach, without building the providers. */
export const reachabilityProbes = (directories: Directories): Promise<Map<ProviderName, ReachabilityProbe>> =>
  eachReachable(directories, (name, settings) => moduleOf(name).probe(settings));

/** Per provider, the longest account name it takes, from its settings alone. */
export function usernameLimits(directories: Directories): Map<ProviderName, number> {
  return new Map(
    directories.names.map((name) => {
      const settings = directories.settings[name];
      // The embedded OpenLDAP another process runs: its dialect is all the limit depends on.
      if (!settings) return [name, PROVIDER_MODULES.ldap.usernameLimit({ dialect: 'openldap' })];
      return [name, moduleOf(name).usernameLimit(settings)];
    }),
  );
}

/** `make` of every provider this process has the settings of, in the API's order. */
async function eachReachable<T>(
  directories: Directories,
  make: <N extends ProviderName>(name: N, settings: ProviderSettings[N]) => Promise<T>,
): Promise<Map<ProviderName, T>> {
  const made = new Map<ProviderName, T>();
  for (const name of directories.names) {
    const settings = directories.settings[name];
    if (settings) made.set(name, await make(name, settings));
  }
  return made;
}
