import { AndFilter, EqualityFilter, PresenceFilter, SubstringFilter, type Client, type Filter } from 'ldapts';
import { ProviderError } from '../errors.js';
import type { ReachabilityProbe } from '../module.js';
import { checkUsernameLength, failureOf } from '../operation.js';
import { checkDeletable, holderOf, ownershipOf } from '../ownership.js';
import { generatePassword } from '../password.js';
import type { ServiceCredentialProvider } from '../service-types.js';
import type { AccountSpec, AccountState, IdentityProvider, ProvisionResult } from '../types.js';
import type { AccountRef } from '../../domain/account.js';
import { adDialect } from './ad-dialect.js';
import { resolveLdapConfig, type LdapConfig, type ResolvedLdapConfig } from './config.js';
import { ConnectionPool, hasCode, ResultCode } from './connection.js';
import type { Dialect } from './dialect.js';
import { looksLikeDn, readEntry } from './entry.js';
import { addToGroups, checkGroups, groupsOf, membershipIndex, removeFromAllGroups } from './groups.js';
import { openldapDialect } from './openldap.js';
import { resetPassword, rotateCredentials } from './password.js';
import { createServiceCredential, listServiceCredentials } from './service.js';
import { dnKey } from './syntax.js';

export { ldapConfigSchema, type LdapConfig } from './config.js';

const PAGE_SIZE = 500;

/**
 * The LDAP provider: OpenLDAP with ppolicy (the reference) or Active Directory, chosen by `dialect`. Values
 * reach the directory only as attribute values, filter objects or escaped RDNs, never spliced into a filter
 * or DN string, so an organisation called `*)(uid=*` is stored as exactly that. Service credentials are service
 * accounts in the supplier OU (service.ts), closed as supplier accounts are: disabled, then the password rotated.
 */
export function createLdapProvider(config: LdapConfig): IdentityProvider & ServiceCredentialProvider {
  const cfg: ResolvedLdapConfig = resolveLdapConfig(config);
  const dialect = cfg.dialect === 'ad' ? adDialect : openldapDialect;
  const pool = new ConnectionPool(cfg);
  const run = <T>(operation: string, work: (client: Client) => Promise<T>): Promise<T> =>
    pool.run(operation, work);
  const userDn = (username: string): string => dialect.userDn(cfg.usersDN, username);

  return {
    name: 'ldap',
    maxUsernameLength: dialect.maxUsernameLength,

    createAccount: (spec) => run('createAccount', (client) => createAccount(client, cfg, dialect, spec)),

    findAccount: (username) =>
      run('findAccount', async (client) => {
        if (username === '') return null; // No account has an empty name, and `uid=` is not a DN.
        const entry = await readEntry(client, dialect, userDn(username));
        if (!entry) return null;
        return { ...dialect.readEntry(entry), groups: await groupsOf(client, cfg, dialect, entry.dn) };
      }),

    setExpiry: (account, expiresAt) =>
      run('setExpiry', async (client) => {
        await client.modify(account.externalId, dialect.expiryChanges(expiresAt));
      }),

    disableAccount: (account) =>
      run('disableAccount', (client) => disableAccount(client, cfg, dialect, account)),

    rotateCredentials: (account) =>
      run('rotateCredentials', (client) => rotateCredentials(client, dialect, account)),

    resetPassword: (account) => run('resetPassword', (client) => resetPassword(client, dialect, account)),

    lookupAccount: (ref) =>
      run('lookupAccount', async (client) => {
        // Any entry of the directory, by DN: a shared account is not bound to the supplier OU or naming.
        if (!looksLikeDn(ref)) {
          throw failureOf('ldap', 'lookupAccount')('invalid', 'the account must be a DN', {
            field: 'account',
          });
        }
        const entry = await readEntry(client, dialect, ref);
        if (!entry) return null;
        return { ...dialect.readEntry(entry), groups: await groupsOf(client, cfg, dialect, entry.dn) };
      }),

    deleteAccount: (account, grantId) =>
      run('deleteAccount', (client) => deleteAccount(client, cfg, dialect, account, grantId)),

    listAccounts: (prefix) => run('listAccounts', (client) => listAccounts(client, cfg, dialect, prefix)),

    checkReachable: () => pool.probe(),

    createServiceCredential: (spec) =>
      run('createServiceCredential', (client) => createServiceCredential(client, cfg, dialect, spec)),

    setServiceExpiry: (account, expiresAt) =>
      run('setServiceExpiry', async (client) => {
        await client.modify(account.externalId, dialect.expiryChanges(expiresAt));
        return undefined;
      }),

    closeServiceCredential: (account) =>
      run('closeServiceCredential', async (client) => {
        await disableAccount(client, cfg, dialect, account);
        await rotateCredentials(client, dialect, account);
      }),

    listServiceCredentials: () =>
      run('listServiceCredentials', (client) => listServiceCredentials(client, cfg, dialect)),

    close: () => pool.close(),
  };
}

/** The fresh bind `/readyz` runs, on a pool of its own that keeps no connection. */
export function createLdapProbe(config: LdapConfig): ReachabilityProbe {
  const pool = new ConnectionPool(resolveLdapConfig(config));
  return { check: () => pool.probe(), close: () => pool.close() };
}

async function createAccount(
  client: Client,
  cfg: ResolvedLdapConfig,
  dialect: Dialect,
  spec: AccountSpec,
): Promise<ProvisionResult> {
  checkUsernameLength(spec, dialect.maxUsernameLength, 'ldap');
  // Before anything is made or taken over: a bad group leaves the directory as it was.
  await checkGroups(client, cfg, dialect, spec.groups);
  const dn = dialect.userDn(cfg.usersDN, spec.username);
  const password = generatePassword();
  try {
    await client.add(dn, dialect.newEntry(spec, password));
  } catch (err) {
    if (hasCode(err, ResultCode.noSuchObject)) {
      // The parent is missing: a setup problem, not a missing account.
      throw new ProviderError('invalid', `usersDN ${cfg.usersDN} does not exist`, {
        provider: 'ldap',
        operation: 'createAccount',
        cause: err,
      });
    }
    if (!hasCode(err, ResultCode.entryAlreadyExists)) throw err;
    await refreshOwnEntry(client, cfg, dialect, dn, spec, password);
  }
  await addToGroups(client, dialect, spec.groups, dn);
  const firstSignIn = dialect.firstSignIn(cfg.usersDN, spec.username);
  return {
    account: { username: spec.username, externalId: dn, displayName: spec.displayName },
    credential: { username: spec.username, password, ...(firstSignIn ? { firstSignIn } : {}) },
  };
}

/**
 * The entry exists: a retried create for the same grant gets the requested state and a fresh password (the
 * first one may never have reached anybody); the entry of one of the supplier's closed grants is taken over;
 * anything else is somebody else's account.
 */
async function refreshOwnEntry(
  client: Client,
  cfg: ResolvedLdapConfig,
  dialect: Dialect,
  dn: string,
  spec: AccountSpec,
  password: string,
): Promise<void> {
  const existing = await readEntry(client, dialect, dn);
  const owner = existing ? dialect.readEntry(existing).grantId : undefined;
  const ownership = ownershipOf(owner, spec);
  if (!existing || ownership === 'foreign') {
    throw new ProviderError('conflict', `${dn} already exists for ${holderOf(owner)}`, {
      provider: 'ldap',
      operation: 'createAccount',
    });
  }
  if (ownership === 'own') {
    await client.modify(dn, dialect.refreshChanges(spec, password));
    return;
  }
  // Memberships the closed grant may have left go first, so the account ends with this grant's groups only
  // (the caller adds them). The modify that marks the entry as this grant's comes last: until it succeeds, a
  // retry still sees the closed grant's entry and takes it over again.
  await removeFromAllGroups(client, cfg, dialect, dn);
  // The disable is undone in a modify of its own: slapd's ppolicy drops pwdAccountLockedTime by itself when a
  // modify replaces the password, and fails one that also removes it. In between, the entry still has the
  // rotated password nobody knows (and the past pwdEndTime of the disable), so nobody can use it.
  const enable = dialect.enableChanges(existing);
  if (enable.length > 0) await client.modify(dn, enable);
  await client.modify(dn, dialect.refreshChanges(spec, password));
}

async function disableAccount(
  client: Client,
  cfg: ResolvedLdapConfig,
  dialect: Dialect,
  account: AccountRef,
): Promise<void> {
  const entry = await readEntry(client, dialect, account.externalId);
  if (!entry) return; // Never created or already deleted: nothing can sign in with it.
  const changes = dialect.disableChanges(entry, new Date());
  if (changes.length > 0) {
    try {
      await client.modify(entry.dn, changes);
    } catch (err) {
      if (hasCode(err, ResultCode.noSuchObject)) return; // Deleted since the read.
      throw err;
    }
  }
  await removeFromAllGroups(client, cfg, dialect, entry.dn);
}

/**
 * Leaves every group, then deletes the entry. Memberships go first in both dialects: slapd without the refint
 * overlay would keep the deleted DN in its groups (and give it to whoever is created under that DN next), and a
 * deletion that fails half-way leaves an entry in no group, which a retry then deletes.
 */
async function deleteAccount(
  client: Client,
  cfg: ResolvedLdapConfig,
  dialect: Dialect,
  account: AccountRef,
  grantId: string,
): Promise<void> {
  const entry = await readEntry(client, dialect, account.externalId);
  if (!entry) return; // Never created, or deleted by an earlier attempt.
  checkDeletable(dialect.readEntry(entry).grantId, grantId, 'ldap', entry.dn);
  await removeFromAllGroups(client, cfg, dialect, entry.dn);
  try {
    await client.del(entry.dn);
  } catch (err) {
    if (hasCode(err, ResultCode.noSuchObject)) return; // Deleted since the read.
    throw err;
  }
}

async function listAccounts(
  client: Client,
  cfg: ResolvedLdapConfig,
  dialect: Dialect,
  prefix: string,
): Promise<AccountState[]> {
  const byName: Filter =
    prefix === ''
      ? new PresenceFilter({ attribute: dialect.nameAttribute })
      : new SubstringFilter({ attribute: dialect.nameAttribute, initial: prefix });
  const filter = new AndFilter({
    filters: [new EqualityFilter({ attribute: 'objectClass', value: dialect.userObjectClass }), byName],
  });
  // Paged: directories cap plain searches (slapd 500, AD 1000 entries) and reviews list them all.
  const { searchEntries } = await client.search(cfg.usersDN, {
    scope: 'one',
    filter,
    attributes: dialect.readAttributes,
    paged: { pageSize: PAGE_SIZE },
  });
  const memberships = await membershipIndex(client, cfg, dialect);
  return searchEntries
    .map((entry) => ({ ...dialect.readEntry(entry), groups: memberships.get(dnKey(entry.dn)) ?? [] }))
    .filter((state) => state.username.startsWith(prefix))
    .sort((a, b) => a.username.localeCompare(b.username));
}
