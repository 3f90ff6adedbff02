import type { ProviderError } from '../errors.js';
import { checkUsernameLength, failureOf } from '../operation.js';
import { holderOf, ownershipOf } from '../ownership.js';
import { generatePassword } from '../password.js';
import type { AccountSpec, ProvisionResult } from '../types.js';
import { isDuplicateLogin, statusOf, unlessNotFound } from './errors.js';
import { disableAccount } from './lifecycle.js';
import { getUser, loginOf, profileOf, type OktaContext, type OktaUser } from './users.js';

const failure = failureOf('okta', 'createAccount');
const fail = (kind: 'invalid' | 'conflict' | 'transient', message: string, field?: string): ProviderError =>
  failure(kind, message, field === undefined ? {} : { field });

/**
 * A group that does not exist: one the request named is a bad request on its `groups` field; a configured one
 * (OKTA_GROUP_IDS) is a setting to fix, not the requester's fault.
 */
const missingGroup = (spec: AccountSpec, groupId: string): ProviderError =>
  spec.groups.includes(groupId)
    ? fail('invalid', `group ${groupId} does not exist`, 'groups')
    : fail('invalid', `the configured group ${groupId} (OKTA_GROUP_IDS) does not exist`);

/** Statuses a retried create can bring to the requested state, per kind of account. */
const REFRESHABLE = {
  password: new Set(['STAGED', 'ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT']),
  activation: new Set(['STAGED', 'PROVISIONED', 'ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT']),
};

/**
 * Creates the supplier user, active. With a contact e-mail it gets no password: Okta e-mails the supplier an
 * activation link (status PROVISIONED) and no secret passes through us. Without one it gets a generated
 * password, returned once, that must be changed at first sign-in (`nextLogin=changePassword`: status
 * PASSWORD_EXPIRED). Group memberships are part of the create request, so a group that does not exist fails
 * the create with nothing made; an existing user is changed only once every group is known to exist.
 */
export async function createAccount(ctx: OktaContext, spec: AccountSpec): Promise<ProvisionResult> {
  checkUsernameLength(spec, ctx.maxUsernameLength, 'okta');
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
    // Nothing but a group can be missing in a create, and Okta then creates nothing: find out which one.
    if (statusOf(err) === 404) {
      await checkGroups(ctx, spec, groupIds);
      const field = spec.groups.length > 0 ? 'groups' : undefined;
      throw fail('invalid', `a group of ${groupIds.join(', ')} does not exist`, field);
    }
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
 * groups, and a fresh password for a password account, since the first may never have reached anybody); the
 * user of one of the supplier's closed grants is taken over; anything else is somebody else's account. A
 * suspended or deactivated user of this grant is left alone: an administrator did that, and reviving it is not
 * a retry's business.
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
  const ownerId = typeof owner === 'string' ? owner : undefined;
  const ownership = ownershipOf(ownerId, spec);
  if (ownership === 'foreign') throw fail('conflict', `${login} already exists for ${holderOf(ownerId)}`);
  // Before the user changes at all: a takeover that stopped at a missing group would leave it half taken over.
  await checkGroups(ctx, spec, groupIds);
  if (ownership === 'reclaimable') {
    await takeOver(ctx, spec, user, profile, password);
  } else {
    if (!REFRESHABLE[password ? 'password' : 'activation'].has(user.status)) {
      throw fail('conflict', `${login} exists for this grant but is ${user.status}; not reviving it`);
    }
    await ctx.client.userApi.updateUser({
      userId: user.id,
      user: { profile, ...(password ? { credentials: { password: { value: password } } } : {}) },
    });
    await bringToState(ctx, user, password !== undefined);
  }
  await joinGroups(ctx, spec, user.id, groupIds);
  return user.id;
}

/**
 * Takes over the user of a closed grant, through Okta's documented lifecycle, to the state a create leaves:
 * - it is first closed as deprovisioning closes it (sessions ended, factors reset, deactivated, groups left), which
 *   is done already for the usual DEPROVISIONED user and voids whatever a suspended or live one still held;
 * - `lifecycle/activate` (allowed on DEPROVISIONED users only) brings it back as PROVISIONED, with no
 *   credential. It e-mails nothing yet: Okta keeps the profile of a deactivated user as it was, so the e-mail
 *   would go to the earlier grant's contact;
 * - the profile becomes this grant's (expiry, contact). A password account gets the fresh password with it, which
 *   makes it ACTIVE, then expired to be changed at first sign-in (PASSWORD_EXPIRED, as a create with
 *   `nextLogin=changePassword`); an activation account gets its activation e-mailed to the new contact
 *   (`lifecycle/reactivate`, PROVISIONED, as a create without a password);
 * - the grant marker changes last. Until then a retry takes the user over again from the start, which voids
 *   whatever an interrupted attempt handed out; afterwards it is the retry of this grant's own create, which
 *   would neither e-mail an activation again nor revive a deactivated user.
 */
async function takeOver(
  ctx: OktaContext,
  spec: AccountSpec,
  user: OktaUser,
  profile: Record<string, string>,
  password: string | undefined,
): Promise<void> {
  const userApi = ctx.client.userApi;
  const { [ctx.config.grantAttribute]: marker, ...unmarked } = profile;
  await disableAccount(ctx, { username: spec.username, externalId: user.id, displayName: spec.displayName });
  await userApi.activateUser({ userId: user.id, sendEmail: false });
  await userApi.updateUser({
    userId: user.id,
    user: { profile: unmarked, ...(password ? { credentials: { password: { value: password } } } : {}) },
  });
  if (password) await userApi.expirePassword({ userId: user.id });
  else await userApi.reactivateUser({ userId: user.id, sendEmail: true });
  await userApi.updateUser({ userId: user.id, user: { profile: { [ctx.config.grantAttribute]: marker } } });
}

/** Refuses the first group of `groupIds` that does not exist (`GET /api/v1/groups/{groupId}` answers 404). */
async function checkGroups(ctx: OktaContext, spec: AccountSpec, groupIds: string[]): Promise<void> {
  for (const groupId of groupIds) {
    const group = await unlessNotFound(ctx.client.groupApi.getGroup({ groupId }), null);
    if (!group) throw missingGroup(spec, groupId);
  }
}

/**
 * Adds the user to each group; already a member is fine, a group that does not exist (deleted since
 * `checkGroups` saw it) is a bad request.
 */
async function joinGroups(
  ctx: OktaContext,
  spec: AccountSpec,
  userId: string,
  groupIds: string[],
): Promise<void> {
  for (const groupId of groupIds) {
    try {
      await ctx.client.groupApi.assignUserToGroup({ groupId, userId });
    } catch (err) {
      if (statusOf(err) === 404) throw missingGroup(spec, groupId);
      throw err;
    }
  }
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
