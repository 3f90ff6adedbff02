import { ProviderError } from '../errors.js';
import { generatePassword } from '../password.js';
import type { AccountSpec, ProvisionResult } from '../types.js';
import { isDuplicateLogin, statusOf } from './errors.js';
import { getUser, loginOf, profileOf, type OktaContext, type OktaUser } from './users.js';

const fail = (kind: 'invalid' | 'conflict' | 'transient', message: string): ProviderError =>
  new ProviderError(kind, `createAccount: ${message}`, { provider: 'okta', operation: 'createAccount' });

/** Statuses a retried create can bring to the requested state, per kind of account. */
const REFRESHABLE = {
  password: new Set(['STAGED', 'ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT']),
  activation: new Set(['STAGED', 'PROVISIONED', 'ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT']),
};

/**
 * Creates the supplier user, active. With a contact e-mail it gets no password: Okta e-mails the supplier an
 * activation link (status PROVISIONED) and no secret passes through us. Without one it gets a generated
 * password, returned once, that must be changed at first sign-in (`nextLogin=changePassword`: status
 * PASSWORD_EXPIRED). Group memberships are part of the create request.
 */
export async function createAccount(ctx: OktaContext, spec: AccountSpec): Promise<ProvisionResult> {
  if (spec.username === '' || spec.username.length > ctx.maxUsernameLength) {
    throw fail('invalid', `account name must have 1 to ${ctx.maxUsernameLength} characters`);
  }
  const profile = profileOf(ctx.config, spec);
  await ctx.ensureSchema();
  const password = spec.contactEmail ? undefined : generatePassword();
  const groupIds = [...new Set([...ctx.config.groups, ...spec.groups])];
  let userId: string;
  try {
    const user = await ctx.client.userApi.createUser({
      body: { profile, groupIds, ...(password ? { credentials: { password: { value: password } } } : {}) },
      activate: true,
      ...(password ? { nextLogin: 'changePassword' as const } : {}),
    });
    userId = user.id ?? '';
  } catch (err) {
    // Nothing but a group can be missing in a create.
    if (statusOf(err) === 404) throw fail('invalid', `a group of ${groupIds.join(', ')} does not exist`);
    if (!isDuplicateLogin(err)) throw err;
    userId = await refreshOwnUser(ctx, spec, profile, password, groupIds);
  }
  return {
    account: { username: spec.username, externalId: userId, displayName: spec.displayName },
    credential: password ? { username: spec.username, password } : undefined,
  };
}

/**
 * The login exists: a retried create for the same grant brings the user to the requested state (profile,
 * groups, and a fresh password for a password account, since the first may never have reached anybody);
 * anything else is somebody else's account. A suspended or deactivated user is left alone: an administrator
 * did that, and reviving it is not a retry's business.
 */
async function refreshOwnUser(
  ctx: OktaContext,
  spec: AccountSpec,
  profile: Record<string, string>,
  password: string | undefined,
  groupIds: string[],
): Promise<string> {
  const login = loginOf(ctx.config, spec.username);
  const user = await getUser(ctx, login);
  if (!user) throw fail('transient', `${login} was deleted while being created; try again`);
  const owner = user.profile[ctx.config.grantAttribute];
  if (owner !== spec.grantId) {
    const who = typeof owner === 'string' && owner !== '' ? `grant ${owner}` : 'no supplier-access grant';
    throw fail('conflict', `${login} already exists for ${who}`);
  }
  if (!REFRESHABLE[password ? 'password' : 'activation'].has(user.status)) {
    throw fail('conflict', `${login} exists for this grant but is ${user.status}; not reviving it`);
  }
  const userApi = ctx.client.userApi;
  await userApi.updateUser({
    userId: user.id,
    user: { profile, ...(password ? { credentials: { password: { value: password } } } : {}) },
  });
  await bringToState(ctx, user, password !== undefined);
  for (const groupId of groupIds) {
    try {
      await ctx.client.groupApi.assignUserToGroup({ groupId, userId: user.id });
    } catch (err) {
      if (statusOf(err) === 404) throw fail('invalid', `group ${groupId} does not exist`);
      throw err;
    }
  }
  return user.id;
}

/** A staged user is activated; a password account must change its (new) password at next sign-in. */
async function bringToState(ctx: OktaContext, user: OktaUser, withPassword: boolean): Promise<void> {
  const userApi = ctx.client.userApi;
  if (user.status === 'STAGED') {
    // With a password this makes it ACTIVE; without one Okta e-mails the activation link.
    await userApi.activateUser({ userId: user.id, sendEmail: !withPassword });
  }
  if (withPassword) await userApi.expirePassword({ userId: user.id });
}
