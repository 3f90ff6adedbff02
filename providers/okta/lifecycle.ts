import { missingAccount, refusedPassword } from '../operation.js';
import { checkDeletable } from '../ownership.js';
import { generatePassword } from '../password.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { errorCodeOf, isRefusedPassword, statusOf, unlessNotFound } from './errors.js';
import { membershipsOf, resolveUser, type OktaContext } from './users.js';

/**
 * Length of the password nobody keeps. `unusableSecret()` is base64url, which may lack a digit or a case and
 * fail Okta's password policy; `generatePassword` has every class. 32 stays well under Okta's maximum.
 */
const ROTATED_PASSWORD_LENGTH = 32;

/** Statuses in which Okta accepts `expire_password`. */
const EXPIRABLE = new Set(['ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT']);

/** Ends every session of the user and revokes the OAuth tokens Okta issued to it. False when it is gone. */
async function endSessions(ctx: OktaContext, userId: string): Promise<boolean> {
  const done = await unlessNotFound(
    ctx.client.userApi.revokeUserSessions({ userId, oauthTokens: true }),
    null,
  );
  return done !== null;
}

/**
 * Resets every enrolled factor. A user in a status that has no factors to reset (one that never activated)
 * makes Okta answer 403 E0000038: nothing to do, and deactivation follows anyway.
 */
async function resetFactors(ctx: OktaContext, userId: string): Promise<void> {
  try {
    await ctx.client.userApi.resetFactors({ userId });
  } catch (err) {
    if (statusOf(err) === 404) return;
    if (statusOf(err) === 403 && errorCodeOf(err) === 'E0000038') return;
    throw err;
  }
}

/**
 * Leaves every group Okta lets us change. Everyone (BUILT_IN) cannot be left, and APP_GROUP memberships are
 * mastered by the app that pushes them (e.g. AD): Okta refuses to change them, so they are left to that app.
 */
async function leaveGroups(ctx: OktaContext, userId: string): Promise<void> {
  for (const membership of await membershipsOf(ctx, userId)) {
    if (membership.type !== 'OKTA_GROUP') continue;
    // 404: the group (or the user) went away meanwhile, which is as good as left.
    await unlessNotFound(ctx.client.groupApi.unassignUserFromGroup({ groupId: membership.id, userId }), null);
  }
}

/**
 * Disables the account for good: ends its sessions and OAuth tokens, resets its factors, deactivates it
 * (DEPROVISIONED: it can no longer sign in, and its password is gone), then leaves its groups. A user that
 * does not exist is done; one already deprovisioned only has its groups checked, since its sessions and
 * credentials went with the deactivation. Every step is safe to repeat, so a retry after any failure just
 * runs the rest again.
 */
export async function disableAccount(ctx: OktaContext, account: AccountRef): Promise<void> {
  const user = await resolveUser(ctx, account);
  if (!user) return;
  if (user.status !== 'DEPROVISIONED') {
    if (!(await endSessions(ctx, user.id))) return; // Deleted since the read.
    await resetFactors(ctx, user.id);
    // 404 here: deactivated (or deleted) since the read, by a concurrent attempt or an admin.
    await unlessNotFound(ctx.client.userApi.deactivateUser({ userId: user.id, sendEmail: false }), null);
  }
  await leaveGroups(ctx, user.id);
}

/**
 * Replaces the credentials with ones nobody keeps and ends the sessions. A deprovisioned user (the usual case:
 * the workflow disables first) has no credentials left, and Okta refuses to change it: done. A user waiting for
 * activation gets a fresh activation token that nobody receives; the deactivation in disableAccount is what
 * finally voids the link e-mailed to the supplier. Everyone else gets a random password, expired where Okta
 * allows it, so even a leaked copy would have to be changed at sign-in.
 */
export async function rotateCredentials(ctx: OktaContext, account: AccountRef): Promise<void> {
  const user = await resolveUser(ctx, account);
  if (!user || user.status === 'DEPROVISIONED') return;
  const userApi = ctx.client.userApi;
  let present: unknown;
  if (user.status === 'PROVISIONED') {
    present = await unlessNotFound(userApi.reactivateUser({ userId: user.id, sendEmail: false }), null);
  } else {
    const password = generatePassword(ROTATED_PASSWORD_LENGTH);
    const update = userApi.updateUser({
      userId: user.id,
      user: { credentials: { password: { value: password } } },
    });
    present = await unlessNotFound(update, null);
    if (present !== null && EXPIRABLE.has(user.status)) {
      present = await unlessNotFound(userApi.expirePassword({ userId: user.id }), null);
    }
  }
  // Gone or deactivated since the read: nothing left to rotate.
  if (present === null) return;
  await endSessions(ctx, user.id);
}

/**
 * A fresh password on an existing user (a shared account), set by the administrator (`credentials.password.value`
 * through the Users API) and not expired, so it signs in at once; then every session and OAuth token of the user
 * is revoked, so whoever held the account before is signed out. Nothing else changes: a suspended user stays
 * suspended. Okta answers 404 for a deactivated user, whose password can no longer change: `not-found`, like a
 * deleted one. A password Okta's policy refuses (requirements, history) is transient: the next attempt makes a
 * new one.
 */
export async function resetPassword(ctx: OktaContext, account: AccountRef): Promise<Credential> {
  const name = account.externalId || account.username;
  const user = await resolveUser(ctx, account);
  if (!user || user.status === 'DEPROVISIONED') throw missingAccount('okta', name);
  const password = generatePassword();
  try {
    await ctx.client.userApi.updateUser({
      userId: user.id,
      user: { credentials: { password: { value: password } } },
    });
  } catch (err) {
    if (statusOf(err) === 404) throw missingAccount('okta', name);
    if (isRefusedPassword(err)) throw refusedPassword('okta', err);
    throw err;
  }
  if (!(await endSessions(ctx, user.id))) throw missingAccount('okta', name);
  const login = typeof user.profile.login === 'string' ? user.profile.login : account.username;
  return { username: login, password };
}

/**
 * Deletes the user for good. Okta deletes only a DEPROVISIONED user: `DELETE /api/v1/users/{id}` on any other
 * deactivates it instead, so a user that is not deactivated yet gets the DELETE twice. Its groups go with it.
 * A 404 at any point (deleted meanwhile, by an earlier attempt or an admin) is done.
 */
export async function deleteAccount(ctx: OktaContext, account: AccountRef, grantId: string): Promise<void> {
  const user = await resolveUser(ctx, account);
  if (!user) return;
  checkDeletable(stringOr(user.profile[ctx.config.grantAttribute]), grantId, 'okta', account.username);
  const remove = () =>
    unlessNotFound(ctx.client.userApi.deleteUser({ userId: user.id, sendEmail: false }), null);
  if (user.status !== 'DEPROVISIONED') await remove();
  await remove();
}

const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
