/**
 * `POST /api/v1/authn`: the primary authentication of Okta's Authentication API, the way a person or a tool signs
 * in with a login and a password. Public: it takes no API token.
 *
 *   200 { status: 'SUCCESS', sessionToken, expiresAt, _embedded: { user } }     the password signs in
 *   200 { status: 'PASSWORD_EXPIRED', stateToken, … }                            right, but must be changed first
 *   200 { status: 'LOCKED_OUT' }                                                 locked out (failed attempts)
 *   401 E0000004 Authentication failed                                           anything else: wrong password,
 *        unknown login, or a user who cannot sign in (STAGED, PROVISIONED, RECOVERY, SUSPENDED, DEPROVISIONED)
 *
 * A SUCCESS opens a session (as redeeming the session token would), which `DELETE /api/v1/users/{id}/sessions`
 * ends.
 */
import type { FastifyInstance } from 'fastify';
import type { FakeContext } from './context.js';
import { OktaApiError, validationError } from './errors.js';
import { randomChars } from './ids.js';
import type { FakeUser } from './users.js';

/** E0000004, 401: Okta says no more than this, whatever was wrong. */
export const authenticationFailed = (): OktaApiError =>
  new OktaApiError(401, 'E0000004', 'Authentication failed');

/** Statuses in which a user's password signs in (possibly into the change-password step). */
const WITH_PASSWORD = new Set(['ACTIVE', 'PASSWORD_EXPIRED']);

/** How long a session or state token lives in the answer. */
const TOKEN_LIFETIME_MS = 5 * 60_000;

function text(body: unknown, key: string): string {
  const value =
    body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
}

function embeddedUser(u: FakeUser): Record<string, unknown> {
  const { login, firstName, lastName } = u.profile;
  return {
    id: u.id,
    passwordChanged: u.passwordChanged,
    profile: { login, firstName, lastName, locale: 'en', timeZone: 'America/Los_Angeles' },
  };
}

/** The one path served without an API token. */
export const AUTHN_PATH = '/api/v1/authn';

export function registerAuthnRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.post(AUTHN_PATH, async (req) => {
    const username = text(req.body, 'username');
    const password = text(req.body, 'password');
    if (username === '')
      throw validationError('Api validation failed: username', ['username: may not be empty']);
    let user: FakeUser | undefined;
    try {
      user = ctx.users.resolve(username);
    } catch {
      throw authenticationFailed();
    }
    const expiresAt = new Date(Date.now() + TOKEN_LIFETIME_MS).toISOString();
    if (user.status === 'LOCKED_OUT') return { status: 'LOCKED_OUT', expiresAt };
    if (!WITH_PASSWORD.has(user.status) || user.password === null || user.password !== password) {
      throw authenticationFailed();
    }
    if (user.status === 'PASSWORD_EXPIRED') {
      return {
        stateToken: randomChars(42),
        expiresAt,
        status: 'PASSWORD_EXPIRED',
        _embedded: { user: embeddedUser(user) },
      };
    }
    ctx.users.createSession(user.id);
    return {
      expiresAt,
      status: 'SUCCESS',
      sessionToken: randomChars(40),
      _embedded: { user: embeddedUser(user) },
    };
  });
}
