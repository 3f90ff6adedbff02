import { AndFilter, EqualityFilter, type Client } from 'ldapts';
import { ProviderError } from '../errors.js';
import { generatePassword, unusableSecret } from '../password.js';
import { holderOf } from '../ownership.js';
import type { ServiceCredentialState, ServiceSpec } from '../service-types.js';
import type { ProvisionResult } from '../types.js';
import type { ResolvedLdapConfig } from './config.js';
import { hasCode, ResultCode } from './connection.js';
import { SERVICE_ACCOUNT_TYPE, type Dialect } from './dialect.js';
import { readEntry } from './entry.js';
import { first, fromGeneralizedTime } from './syntax.js';

/**
 * A service account's password: an application keeps it in its configuration and never types it, so it can be
 * twice as long as a person's.
 */
export const SERVICE_PASSWORD_LENGTH = 48;

const PAGE_SIZE = 500;

const failure = (kind: 'conflict' | 'invalid', message: string, cause?: unknown) =>
  new ProviderError(kind, message, { provider: 'ldap', operation: 'createServiceCredential', cause });

/**
 * Creates the service account in the supplier OU with its expiry and a 48-character password it signs in with at
 * once. A retry for the same grant gives it the requested state and a fresh password (re-enabled if it was
 * disabled); an entry of that name that is not this grant's is a conflict.
 */
export async function createServiceCredential(
  client: Client,
  cfg: ResolvedLdapConfig,
  dialect: Dialect,
  spec: ServiceSpec,
): Promise<ProvisionResult> {
  if (spec.username === '' || spec.username.length > dialect.maxUsernameLength) {
    throw failure('invalid', `a service account name must have 1 to ${dialect.maxUsernameLength} characters`);
  }
  const dn = dialect.userDn(cfg.usersDN, spec.username);
  const password = generatePassword(SERVICE_PASSWORD_LENGTH);
  try {
    await client.add(dn, dialect.serviceEntry(spec, password));
  } catch (err) {
    if (hasCode(err, ResultCode.noSuchObject))
      throw failure('invalid', `usersDN ${cfg.usersDN} does not exist`, err);
    if (!hasCode(err, ResultCode.entryAlreadyExists)) throw err;
    const existing = await readEntry(client, dialect, dn);
    const owner = existing ? dialect.readEntry(existing).grantId : undefined;
    if (!existing || owner !== spec.grantId)
      throw failure('conflict', `${dn} already exists for ${holderOf(owner)}`);
    // As for a supplier account: the lock goes in a modify of its own, before the password is replaced.
    const enable = dialect.enableChanges(existing);
    if (enable.length > 0) await client.modify(dn, enable);
    // AD keeps taking the previous password for an hour after a reset: the earlier answer, which may have reached
    // somebody, is pushed out of reach by the rounds before the last, as a rotation does.
    for (let round = 1; round < dialect.rotationRounds; round++) {
      await client.modify(dn, dialect.rotateChanges(unusableSecret()));
    }
    await client.modify(dn, dialect.serviceRefreshChanges(spec, password));
  }
  return {
    account: { username: spec.username, externalId: dn, displayName: spec.displayName },
    credential: { username: spec.username, password },
  };
}

/**
 * Every service account under the supplier OU (ours and those made by hand), with the expiry its entry holds.
 */
export async function listServiceCredentials(
  client: Client,
  cfg: ResolvedLdapConfig,
  dialect: Dialect,
): Promise<ServiceCredentialState[]> {
  const filter = new AndFilter({
    filters: [
      new EqualityFilter({ attribute: 'objectClass', value: dialect.userObjectClass }),
      new EqualityFilter({ attribute: 'employeeType', value: SERVICE_ACCOUNT_TYPE }),
    ],
  });
  const { searchEntries } = await client.search(cfg.usersDN, {
    scope: 'one',
    filter,
    // `createTimestamp` is operational (slapd and AD both answer it when asked): the review reports the age.
    attributes: [...dialect.readAttributes, 'createTimestamp'],
    paged: { pageSize: PAGE_SIZE },
  });
  return searchEntries
    .map((entry): ServiceCredentialState => {
      const state = dialect.readEntry(entry);
      const createdAt = fromGeneralizedTime(first(entry, 'createTimestamp'));
      return {
        kind: 'service-account',
        id: entry.dn,
        name: state.username,
        owners: [],
        enabled: state.enabled,
        createdAt,
        credentials: [{ id: entry.dn, type: 'password', createdAt, expiresAt: state.expiresAt }],
        grantId: state.grantId,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
