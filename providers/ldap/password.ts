import type { Change, Client, Entry } from 'ldapts';
import { missingAccount, refusedPassword } from '../operation.js';
import { generatePassword, unusableSecret } from '../password.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { hasCode, ResultCode } from './connection.js';
import type { Dialect } from './dialect.js';
import { readEntry } from './entry.js';

/**
 * The password written `dialect.rotationRounds` times: random values nobody keeps first, `last` at the end. On AD
 * the rounds before the last push the password the account had out of "the previous one", which AD accepts for
 * another hour after a reset.
 */
async function replacePassword(client: Client, dialect: Dialect, dn: string, last: Change[]): Promise<void> {
  for (let round = 1; round < dialect.rotationRounds; round++) {
    await client.modify(dn, dialect.rotateChanges(unusableSecret()));
  }
  await client.modify(dn, last);
}

/** Replaces the password with random values nobody keeps; a disabled account stays disabled. */
export async function rotateCredentials(
  client: Client,
  dialect: Dialect,
  account: AccountRef,
): Promise<void> {
  // Nothing left to rotate when the account is gone, which is as safe as rotated.
  const before = await readEntry(client, dialect, account.externalId);
  if (!before) return;
  try {
    await replacePassword(client, dialect, before.dn, dialect.rotateChanges(unusableSecret()));
  } catch (err) {
    if (hasCode(err, ResultCode.noSuchObject)) return;
    throw err;
  }
  // ppolicy clears pwdAccountLockedTime when a password is replaced: lock a disabled account again, or the
  // rotation at the end of deprovisioning would undo the disable.
  if (dialect.readEntry(before).enabled) return;
  const after = await readEntry(client, dialect, before.dn);
  const changes = after ? dialect.disableChanges(after, new Date()) : [];
  if (changes.length > 0) await client.modify(before.dn, changes);
}

/**
 * A fresh password on an existing entry (a shared account), that binds at once: no change asked at first use.
 * The entry keeps its lock, expiry and groups. A password the directory refuses (constraintViolation: its policy's
 * quality, history or minimum age) is a transient failure, so the caller comes back and a new one is made.
 */
export async function resetPassword(
  client: Client,
  dialect: Dialect,
  account: AccountRef,
): Promise<Credential> {
  const before = await readEntry(client, dialect, account.externalId);
  if (!before) throw missingAccount('ldap', account.externalId);
  const password = generatePassword();
  try {
    await replacePassword(client, dialect, before.dn, dialect.resetChanges(password));
  } catch (err) {
    if (hasCode(err, ResultCode.noSuchObject)) throw missingAccount('ldap', account.externalId);
    if (hasCode(err, ResultCode.constraintViolation)) throw refusedPassword('ldap', err);
    throw err;
  }
  await keepLock(client, dialect, before);
  const username = dialect.readEntry(before).username || account.username;
  return { username, password };
}

/** Puts back a lock the password write dropped (slapd's ppolicy clears pwdAccountLockedTime with the password). */
async function keepLock(client: Client, dialect: Dialect, before: Entry): Promise<void> {
  const after = await readEntry(client, dialect, before.dn);
  const changes = after ? dialect.lockKeptChanges(before, after) : [];
  if (changes.length > 0) await client.modify(before.dn, changes);
}
