/** Users, their credentials, sessions and lifecycle, as Okta's Users and User Lifecycle APIs change them. */
import { fieldValidationError, resourceNotFound, validationError } from './errors.js';
import { isoNow, oktaId } from './ids.js';
import type { Profile, UserSchema } from './schema.js';

export type UserStatus =
  | 'STAGED'
  | 'PROVISIONED'
  | 'ACTIVE'
  | 'RECOVERY'
  | 'PASSWORD_EXPIRED'
  | 'LOCKED_OUT'
  | 'SUSPENDED'
  | 'DEPROVISIONED';

export interface FakeUser {
  id: string;
  status: UserStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  typeId: string;
  profile: Profile;
  /** The current password in clear (a fake's privilege, for assertions); never serialised. */
  password: string | null;
  /** Previous passwords, newest first (Okta's default policy remembers 4). */
  passwordHistory: string[];
  /** Creation order, for stable pagination. */
  seq: number;
}

export interface SentEmail {
  kind: 'activation' | 'reset_password' | 'deactivation';
  userId: string;
  to: string;
  at: string;
}

export interface FakeSession {
  id: string;
  userId: string;
  createdAt: string;
}

const PASSWORD_RULES =
  'password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.';

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** `credentials.password.value` of a request body, if any. */
export function passwordOf(body: unknown): string | undefined {
  const value = field(field(field(body, 'credentials'), 'password'), 'value');
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw fieldValidationError('password', ['password: Does not match required type']);
  return value;
}

export class Users {
  readonly byId = new Map<string, FakeUser>();
  readonly emails: SentEmail[] = [];
  readonly factorResets: { userId: string; at: string }[] = [];
  private readonly sessions = new Map<string, FakeSession[]>();
  /** How many of the next passwords set are refused by the password policy (`refusePasswords`). */
  private refusals = 0;
  /** Seq of every id ever issued, so an `after` cursor survives the deletion of its user. */
  private readonly seqOfId = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly schema: UserSchema,
    readonly userTypeId: string,
  ) {}

  /** The next `count` passwords set (create or update) are refused as the org's password policy would. */
  refusePasswords(count: number): void {
    this.refusals = Math.max(0, count);
  }

  reset(): void {
    this.refusals = 0;
    this.byId.clear();
    this.emails.length = 0;
    this.factorResets.length = 0;
    this.sessions.clear();
  }

  seqOf(id: string): number | undefined {
    return this.seqOfId.get(id);
  }

  all(): FakeUser[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq);
  }

  findByLogin(login: string): FakeUser | undefined {
    const l = login.toLowerCase();
    for (const u of this.byId.values()) if (String(u.profile.login).toLowerCase() === l) return u;
    return undefined;
  }

  /** An id, a login, or an unambiguous login short name (the part before '@'), as Okta accepts; else 404. */
  resolve(idOrLogin: string): FakeUser {
    const byId = this.byId.get(idOrLogin);
    if (byId) return byId;
    const byLogin = this.findByLogin(idOrLogin);
    if (byLogin) return byLogin;
    const short = idOrLogin.toLowerCase();
    const matches = [...this.byId.values()].filter(
      (u) => String(u.profile.login).toLowerCase().split('@')[0] === short,
    );
    if (matches.length === 1 && matches[0]) return matches[0];
    throw resourceNotFound(idOrLogin, 'User');
  }

  /** Only a user id (group membership endpoints take ids). */
  requireId(id: string): FakeUser {
    const u = this.byId.get(id);
    if (!u) throw resourceNotFound(id, 'User');
    return u;
  }

  private checkPassword(password: string, login: string, user?: FakeUser): void {
    const local = login.split('@')[0]?.toLowerCase() ?? '';
    const ok =
      password.length >= 8 &&
      /[a-z]/.test(password) &&
      /[A-Z]/.test(password) &&
      /[0-9]/.test(password) &&
      !(local.length >= 3 && password.toLowerCase().includes(local));
    if (!ok || this.refusals > 0) {
      this.refusals = Math.max(0, this.refusals - 1);
      throw fieldValidationError('password', [PASSWORD_RULES]);
    }
    if (user && (user.password === password || user.passwordHistory.includes(password))) {
      throw fieldValidationError('password', ['password: Password has been used too recently']);
    }
  }

  private assertLoginFree(login: unknown, self?: FakeUser): void {
    if (typeof login !== 'string') return;
    const other = this.findByLogin(login);
    if (other && other !== self) {
      throw fieldValidationError('login', [
        'login: An object with this field already exists in the current organization',
      ]);
    }
  }

  private setPassword(u: FakeUser, password: string, now: string): void {
    if (u.password !== null) u.passwordHistory = [u.password, ...u.passwordHistory].slice(0, 4);
    u.password = password;
    u.passwordChanged = now;
  }

  /** Moves a user to a status (lifecycle.ts decides which moves are allowed). */
  setStatus(u: FakeUser, status: UserStatus, now = isoNow()): void {
    u.status = status;
    u.statusChanged = now;
    u.lastUpdated = now;
  }

  /** Records an e-mail Okta would send. */
  email(u: FakeUser, kind: SentEmail['kind']): void {
    this.emails.push({ kind, userId: u.id, to: String(u.profile.email), at: isoNow() });
  }

  /** `POST /api/v1/users?activate=…&nextLogin=…`. */
  create(body: unknown, opts: { activate: boolean; nextLogin?: string }): FakeUser {
    if (body === null || typeof body !== 'object')
      throw fieldValidationError('profile', ['profile: The field cannot be left blank']);
    const profile = this.schema.validate(field(body, 'profile'), true);
    const password = passwordOf(body);
    if (password !== undefined) this.checkPassword(password, String(profile.login));
    this.assertLoginFree(profile.login);
    if (opts.nextLogin !== undefined) {
      if (opts.nextLogin !== 'changePassword') throw validationError('Api validation failed: nextLogin');
      if (!opts.activate || password === undefined) {
        throw validationError('Api validation failed: nextLogin', [
          'nextLogin: changePassword needs activate=true and a password',
        ]);
      }
    }
    const now = isoNow();
    const id = oktaId('00u');
    let status: UserStatus = 'STAGED';
    if (opts.activate) {
      if (password === undefined) status = 'PROVISIONED';
      else status = opts.nextLogin === 'changePassword' ? 'PASSWORD_EXPIRED' : 'ACTIVE';
    }
    const user: FakeUser = {
      id,
      status,
      created: now,
      activated: status === 'ACTIVE' || status === 'PASSWORD_EXPIRED' ? now : null,
      statusChanged: status === 'STAGED' ? null : now,
      lastLogin: null,
      lastUpdated: now,
      passwordChanged: password === undefined ? null : now,
      typeId: this.userTypeId,
      profile: dropNulls(profile),
      password: password ?? null,
      passwordHistory: [],
      seq: ++this.seq,
    };
    this.seqOfId.set(id, user.seq);
    this.byId.set(id, user);
    if (status === 'PROVISIONED') this.email(user, 'activation');
    return user;
  }

  /** `POST /api/v1/users/{id}` (partial: merges profile; nulls clear) or `PUT` (replaces the profile). */
  update(u: FakeUser, body: unknown, mode: 'partial' | 'replace'): FakeUser {
    // Okta refuses profile updates of deactivated users (unless an org setting allows them): 404 E0000007.
    if (u.status === 'DEPROVISIONED') throw resourceNotFound(u.id, 'User');
    if (body === null || typeof body !== 'object')
      throw fieldValidationError('profile', ['profile: The field cannot be left blank']);
    const rawProfile = field(body, 'profile');
    let profile: Profile | undefined;
    if (mode === 'replace') {
      profile = dropNulls(this.schema.validate(rawProfile, true));
    } else if (rawProfile !== undefined) {
      const changes = this.schema.validate(rawProfile, false);
      profile = dropNulls({ ...u.profile, ...changes });
    }
    if (profile) this.assertLoginFree(profile.login, u);
    const password = passwordOf(body);
    if (password !== undefined) this.checkPassword(password, String((profile ?? u.profile).login), u);
    const now = isoNow();
    if (profile) u.profile = profile;
    if (password !== undefined) this.setPassword(u, password, now);
    u.lastUpdated = now;
    // A PROVISIONED user has no credential yet: a password set by an admin completes its activation.
    if (password !== undefined && u.status === 'PROVISIONED') {
      this.setStatus(u, 'ACTIVE', now);
      u.activated = now;
    }
    // A password an admin sets replaces the expired (or being recovered) one: the user signs in with it as it is.
    if (password !== undefined && (u.status === 'PASSWORD_EXPIRED' || u.status === 'RECOVERY')) {
      this.setStatus(u, 'ACTIVE', now);
    }
    return u;
  }

  /** Removes a user for good (the second `DELETE /api/v1/users/{id}`, see lifecycle.ts). */
  remove(u: FakeUser): void {
    this.byId.delete(u.id);
    this.sessions.delete(u.id);
  }

  // --- sessions ----------------------------------------------------------------------------------------

  createSession(userId: string): FakeSession {
    const u = this.requireId(userId);
    const session: FakeSession = { id: oktaId('102'), userId: u.id, createdAt: isoNow() };
    this.sessions.set(u.id, [...(this.sessions.get(u.id) ?? []), session]);
    u.lastLogin = session.createdAt;
    return session;
  }

  sessionsOf(userId: string): FakeSession[] {
    return [...(this.sessions.get(userId) ?? [])];
  }

  clearSessions(u: FakeUser): void {
    this.sessions.delete(u.id);
  }
}

function dropNulls(profile: Profile): Profile {
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== null && v !== undefined));
}
