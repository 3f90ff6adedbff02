import { ProviderError } from '../errors.js';
import { generatePassword } from '../password.js';
import type { AccountRef } from '../../domain/account.js';
import { unlessNotFound } from './errors.js';
import { removeFromAllGroups } from './groups.js';
import { instant } from '../operation.js';
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
 * `DELETE /users/{id}`: Entra moves the user to its deleted items, where it stays restorable for 30 days and is
 * then removed for good, with its group memberships. A user that is gone already (404) is done.
 */
export async function deleteAccount(ctx: EntraContext, account: AccountRef, grantId: string): Promise<void> {
  const user = await getUser(ctx, account.externalId);
  if (!user) return;
  checkDeletable(grantOf(ctx, user), grantId, 'entra', account.username);
  await unlessNotFound(ctx.client.api(userPath(user.id)).delete(), undefined);
}
