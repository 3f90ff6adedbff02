import { ProviderError } from '../errors.js';
import { generatePassword } from '../password.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { isRefusedPassword, statusOf, unlessNotFound } from './errors.js';
import { removeFromAllGroups } from './groups.js';
import { failureOf, instant, missingAccount, refusedPassword } from '../operation.js';
import { checkDeletable } from '../ownership.js';
import { expiryProperties, getUser, grantOf, isGuest, userPath, type EntraContext } from './users.js';

/**
 * The password a member account is left with at rotation: nobody ever sees it. 64 characters drawn like the
 * handed-out ones, so every character class is present and Entra's complexity rule always accepts it.
 */
const ROTATED_PASSWORD_LENGTH = 64;

/** Moves the expiry recorded on the user; a user that is gone is `not-found`. */
export async function setExpiry(ctx: EntraContext, account: AccountRef, expiresAt: string): Promise<void> {
  const value = instant(expiresAt, 'entra', 'setExpiry');
  if (account.externalId === '') {
    throw new ProviderError('not-found', `setExpiry: ${account.username} has no user id`, {
      provider: 'entra',
      operation: 'setExpiry',
    });
  }
  await ctx.client.api(userPath(account.externalId)).patch(expiryProperties(ctx, value));
}

/**
 * Sign-in blocked, every refresh token and session cookie revoked, and the user taken out of its groups. Each step
 * is safe to repeat, and a user that does not exist (never created, deleted since) is as good as disabled.
 */
export async function disableAccount(ctx: EntraContext, account: AccountRef): Promise<void> {
  const id = account.externalId;
  if (id === '') return;
  const found = await unlessNotFound(
    ctx.client
      .api(userPath(id))
      .patch({ accountEnabled: false })
      .then(() => true),
    false,
  );
  if (!found) return;
  await unlessNotFound(ctx.client.api(userPath(id, '/revokeSignInSessions')).post(undefined), undefined);
  await removeFromAllGroups(ctx, id);
}

/**
 * A member's password is replaced by one nobody keeps, then its sessions are revoked. A guest has no password of
 * ours (it signs in at its own identity provider): revoking its sessions is all there is, and the disable is
 * what keeps it out. A missing user has nothing left to rotate.
 */
export async function rotateCredentials(ctx: EntraContext, account: AccountRef): Promise<void> {
  const user = await getUser(ctx, account.externalId);
  if (!user) return;
  if (!isGuest(user)) {
    const passwordProfile = {
      password: generatePassword(ROTATED_PASSWORD_LENGTH),
      forceChangePasswordNextSignIn: true,
    };
    const done = await unlessNotFound(
      ctx.client
        .api(userPath(user.id))
        .patch({ passwordProfile })
        .then(() => true),
      false,
    );
    if (!done) return;
  }
  await unlessNotFound(ctx.client.api(userPath(user.id, '/revokeSignInSessions')).post(undefined), undefined);
}

/**
 * A fresh password on an existing member (a shared account), with `forceChangePasswordNextSignIn: false` so it
 * signs in at once, then `revokeSignInSessions`, so whoever held the account before is signed out. A password
 * Entra refuses (its complexity rule, or a banned password) is transient: the next attempt makes a new one. A
 * guest signs in at its own identity provider and has no password here: `invalid`.
 */
export async function resetPassword(ctx: EntraContext, account: AccountRef): Promise<Credential> {
  const name = account.externalId || account.username;
  const user = await getUser(ctx, account.externalId);
  if (!user) throw missingAccount('entra', name);
  if (isGuest(user)) {
    throw failureOf('entra', 'resetPassword')(
      'invalid',
      `${name} is a guest: it has no password in this tenant`,
    );
  }
  const password = generatePassword();
  try {
    await ctx.client
      .api(userPath(user.id))
      .patch({ passwordProfile: { password, forceChangePasswordNextSignIn: false } });
  } catch (err) {
    if (statusOf(err) === 404) throw missingAccount('entra', name);
    if (isRefusedPassword(err)) throw refusedPassword('entra', err);
    throw err;
  }
  const revoked = await unlessNotFound(
    ctx.client
      .api(userPath(user.id, '/revokeSignInSessions'))
      .post(undefined)
      .then(() => true),
    null,
  );
  if (revoked === null) throw missingAccount('entra', name);
  return { username: user.userPrincipalName ?? account.username, password };
}

/**
 * `DELETE /users/{id}`: Entra moves the user to its deleted items, where it stays restorable for 30 days and is
 * then removed for good, with its group memberships. A user that is gone already (404) is done.
 */
export async function deleteAccount(ctx: EntraContext, account: AccountRef, grantId: string): Promise<void> {
  const user = await getUser(ctx, account.externalId);
  if (!user) return;
  checkDeletable(grantOf(ctx, user), grantId, 'entra', account.username);
  await unlessNotFound(ctx.client.api(userPath(user.id)).delete(), undefined);
}
