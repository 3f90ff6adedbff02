/**
 * `POST /api/v1/users/{id}/lifecycle/{op}` and `DELETE /api/v1/users/{id}`: which status moves Okta allows,
 * and the errors it answers otherwise.
 *
 *   STAGED ──activate──► ACTIVE (has a password) | PROVISIONED (no password: welcome flow, e-mail)
 *   PROVISIONED ──reactivate──► PROVISIONED (new activation token / e-mail)
 *   PROVISIONED ──password set by an admin (POST /api/v1/users/{id}, users.ts)──► ACTIVE
 *   ACTIVE ──suspend──► SUSPENDED ──unsuspend──► ACTIVE        (else 400 E0000001)
 *   ACTIVE|PASSWORD_EXPIRED|RECOVERY|LOCKED_OUT ──expire_password──► PASSWORD_EXPIRED
 *                                              ──reset_password──► RECOVERY        (else 403 E0000038)
 *   LOCKED_OUT ──unlock──► ACTIVE
 *   any but DEPROVISIONED ──deactivate──► DEPROVISIONED      (on DEPROVISIONED: 404 E0000007)
 *   DEPROVISIONED ──activate──► PROVISIONED (old password dropped)
 *   activate on any other status: 403 E0000016
 */
import {
  activationFailed,
  notAllowedInStatus,
  OktaApiError,
  resourceNotFound,
  validationError,
} from './errors.js';
import { isoNow, randomChars } from './ids.js';
import type { FakeUser, UserStatus, Users } from './users.js';

const PASSWORD_STATES: UserStatus[] = ['ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT'];

function activationResult(sendEmail: boolean, orgUrl: string): Record<string, string> {
  if (sendEmail) return {};
  const token = randomChars(20);
  return { activationUrl: `${orgUrl}/welcome/${token}`, activationToken: token };
}

export function activate(
  users: Users,
  u: FakeUser,
  sendEmail: boolean,
  orgUrl: string,
): Record<string, string> {
  if (u.status !== 'STAGED' && u.status !== 'DEPROVISIONED') throw activationFailed();
  const now = isoNow();
  if (u.status === 'STAGED' && u.password !== null) {
    users.setStatus(u, 'ACTIVE', now);
    u.activated = now;
  } else {
    // A reactivated deprovisioned user goes through the welcome flow again: old credentials are gone.
    if (u.status === 'DEPROVISIONED') u.password = null;
    users.setStatus(u, 'PROVISIONED', now);
    if (sendEmail) users.email(u, 'activation');
  }
  return activationResult(sendEmail, orgUrl);
}

export function reactivate(
  users: Users,
  u: FakeUser,
  sendEmail: boolean,
  orgUrl: string,
): Record<string, string> {
  if (u.status !== 'PROVISIONED') throw notAllowedInStatus();
  if (sendEmail) users.email(u, 'activation');
  u.lastUpdated = isoNow();
  return activationResult(sendEmail, orgUrl);
}

/** Deactivation also ends the user's sessions. */
export function deactivate(users: Users, u: FakeUser, sendEmail: boolean): void {
  if (u.status === 'DEPROVISIONED') throw resourceNotFound(u.id, 'User');
  users.setStatus(u, 'DEPROVISIONED');
  users.clearSessions(u);
  if (sendEmail) users.email(u, 'deactivation');
}

/** `DELETE /api/v1/users/{id}`: deactivates a live user; deletes a DEPROVISIONED one. True when deleted. */
export function deleteUser(users: Users, u: FakeUser, sendEmail: boolean): boolean {
  if (u.status !== 'DEPROVISIONED') {
    deactivate(users, u, sendEmail);
    return false;
  }
  users.remove(u);
  return true;
}

export function suspend(users: Users, u: FakeUser): void {
  if (u.status !== 'ACTIVE') throw validationError('Cannot suspend a user that is not active');
  users.setStatus(u, 'SUSPENDED');
}

export function unsuspend(users: Users, u: FakeUser): void {
  if (u.status !== 'SUSPENDED') throw validationError('Cannot unsuspend a user that is not suspended');
  users.setStatus(u, 'ACTIVE');
}

export function unlock(users: Users, u: FakeUser): void {
  if (u.status !== 'LOCKED_OUT')
    throw new OktaApiError(403, 'E0000032', 'Unlock is not allowed for this user.');
  users.setStatus(u, 'ACTIVE');
}

export function expirePassword(users: Users, u: FakeUser): void {
  if (!PASSWORD_STATES.includes(u.status)) throw notAllowedInStatus();
  users.setStatus(u, 'PASSWORD_EXPIRED');
}

export function resetPassword(
  users: Users,
  u: FakeUser,
  sendEmail: boolean,
  orgUrl: string,
): Record<string, string> {
  if (!PASSWORD_STATES.includes(u.status)) throw notAllowedInStatus();
  users.setStatus(u, 'RECOVERY');
  if (sendEmail) {
    users.email(u, 'reset_password');
    return {};
  }
  return { resetPasswordUrl: `${orgUrl}/reset_password/${randomChars(20)}` };
}

export function resetFactors(users: Users, u: FakeUser): void {
  users.factorResets.push({ userId: u.id, at: isoNow() });
  u.lastUpdated = isoNow();
}
