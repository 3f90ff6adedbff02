import type { Client } from '@okta/okta-sdk-nodejs';
import { instant } from '../operation.js';
import type { AccountSpec, AccountState } from '../types.js';
import type { AccountRef } from '../../domain/account.js';
import type { ResolvedOktaConfig } from './config.js';
import { unlessNotFound } from './errors.js';

/** What the provider shares between its operations. */
export interface OktaContext {
  client: Client;
  config: ResolvedOktaConfig;
  maxUsernameLength: number;
  /** Makes sure the two custom profile attributes exist (once per provider instance). */
  ensureSchema(): Promise<void>;
}

/** A user as the provider reads it: plain data, no SDK model. */
export interface OktaUser {
  id: string;
  status: string;
  profile: Record<string, unknown>;
}

/** Okta's base schema caps firstName at 50 characters. */
const FIRST_NAME_MAX = 50;

export const loginOf = (config: ResolvedOktaConfig, username: string): string =>
  `${username}@${config.loginDomain}`;

/** The username of a login in our domain, or undefined for a login elsewhere. */
export function usernameOf(config: ResolvedOktaConfig, login: string): string | undefined {
  const suffix = `@${config.loginDomain}`.toLowerCase();
  return login.toLowerCase().endsWith(suffix) ? login.slice(0, -suffix.length) : undefined;
}

/** The organisation cut to Okta's firstName limit, by code points so no surrogate pair is split. */
export function firstNameOf(organisation: string): string {
  const cut = Array.from(organisation.trim()).slice(0, FIRST_NAME_MAX).join('').trimEnd();
  return cut === '' ? 'Supplier' : cut;
}

/**
 * The profile of a supplier account: named after the organisation, never a person. Okta requires an e-mail:
 * without a contact address it is the login itself, so the login domain should not deliver to anybody.
 */
export function profileOf(config: ResolvedOktaConfig, spec: AccountSpec): Record<string, string> {
  const login = loginOf(config, spec.username);
  return {
    login,
    email: spec.contactEmail || login,
    firstName: firstNameOf(spec.organisation),
    lastName: 'Supplier',
    displayName: spec.displayName,
    organization: spec.organisation,
    [config.expiryAttribute]: instant(spec.expiresAt, 'okta', 'createAccount'),
    [config.grantAttribute]: spec.grantId,
  };
}

/** Reads the fields we use off an SDK user. */
export function plainUser(user: { id?: string; status?: unknown; profile?: object }): OktaUser {
  return {
    id: user.id ?? '',
    status: typeof user.status === 'string' ? user.status : '',
    profile: { ...(user.profile ?? {}) },
  };
}

/** Okta user ids: `00u` and 17 more letters or digits. */
const USER_ID = /^00u[A-Za-z0-9]{17}$/;

/** The user by id or login, or null when Okta has none. */
export async function getUser(ctx: OktaContext, idOrLogin: string): Promise<OktaUser | null> {
  const user = await unlessNotFound(ctx.client.userApi.getUser({ userId: idOrLogin }), null);
  return user ? plainUser(user) : null;
}

/**
 * The user an AccountRef points at. Its externalId is the Okta id; a ref without one (a registry row left by a
 * failed create) is looked up by the full login, never by the bare name: Okta would match that against the
 * short name of any login, in any domain.
 */
export function resolveUser(ctx: OktaContext, account: AccountRef): Promise<OktaUser | null> {
  if (USER_ID.test(account.externalId)) return getUser(ctx, account.externalId);
  if (account.username === '') return Promise.resolve(null);
  return getUser(ctx, loginOf(ctx.config, account.username));
}

/** The Okta id an AccountRef points at: its externalId, or a lookup by login when it has none. */
export async function userIdOf(ctx: OktaContext, account: AccountRef): Promise<string | null> {
  if (USER_ID.test(account.externalId)) return account.externalId;
  return (await resolveUser(ctx, account))?.id ?? null;
}

/** A group the user is in, as far as membership goes. */
export interface Membership {
  id: string;
  /** OKTA_GROUP (ours to change), APP_GROUP (mastered by an app) or BUILT_IN (Everyone). */
  type: string;
}

/** The user's groups, or [] when the user is gone. */
export async function membershipsOf(ctx: OktaContext, userId: string): Promise<Membership[]> {
  const groups = await unlessNotFound(ctx.client.userApi.listUserGroups({ userId }), null);
  const memberships: Membership[] = [];
  if (!groups) return memberships;
  for await (const group of groups) {
    if (group?.id) memberships.push({ id: group.id, type: String(group.type ?? '') });
  }
  return memberships;
}

/** Everyone holds every user and cannot be left: it is no membership worth reporting. */
export const reportedGroups = (memberships: Membership[]): string[] =>
  memberships.filter((m) => m.type !== 'BUILT_IN').map((m) => m.id);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Statuses in which the account cannot be used (deactivated, or suspended by an admin). */
const DISABLED = new Set(['SUSPENDED', 'DEPROVISIONED']);

export function stateOf(ctx: OktaContext, user: OktaUser, groups: string[]): AccountState {
  const login = text(user.profile.login) ?? '';
  return {
    username: usernameOf(ctx.config, login) ?? login,
    externalId: user.id,
    displayName: text(user.profile.displayName) ?? '',
    enabled: !DISABLED.has(user.status),
    expiresAt: text(user.profile[ctx.config.expiryAttribute]),
    grantId: text(user.profile[ctx.config.grantAttribute]),
    organisation: text(user.profile.organization),
    groups,
  };
}
