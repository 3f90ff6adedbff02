import { z } from 'zod';
import type { ProviderError } from '../errors.js';
import { failureOf, instant } from '../operation.js';
import { holderOf, ownershipOf } from '../ownership.js';
import { generatePassword } from '../password.js';
import type { AccountSpec, ProvisionResult } from '../types.js';
import type { AccountRef } from '../../domain/account.js';
import { isDuplicateValue, statusOf, unlessNotFound } from './errors.js';
import { addToGroups, checkGroupIds, checkGroupsExist, removeFromAllGroups } from './groups.js';
import {
  expiryProperties,
  findUser,
  getUser,
  grantOf,
  isGuest,
  listUsers,
  odataString,
  userPath,
  type EntraContext,
  type GraphUser,
} from './users.js';

/**
 * Account names become the mailNickname (at most 64 characters) and, for members, the UPN's local part: letters,
 * digits, `.`, `_` and `-`, not starting or ending with a dot (what `accountNameCandidate` produces fits).
 */
const USERNAME = /^(?!\.)(?!.*\.\.)[A-Za-z0-9._-]{1,64}(?<!\.)$/;
/** Graph's limit for companyName. */
const COMPANY_NAME_MAX = 64;

const created = z.object({ id: z.string().min(1) });
const invitation = z.object({ invitedUser: z.object({ id: z.string().min(1) }) });

const failure = failureOf('entra', 'createAccount');
const fail = (kind: 'invalid' | 'conflict' | 'transient', message: string, cause?: unknown): ProviderError =>
  failure(kind, message, { cause });

/** The kind of account a spec asks for: guest by default when there is a contact e-mail to invite. */
export function kindOf(ctx: EntraContext, spec: AccountSpec): 'guest' | 'member' {
  const kind = spec.kind ?? (spec.contactEmail ? 'guest' : 'member');
  if (kind === 'guest' && !spec.contactEmail) {
    throw fail('invalid', 'a guest account needs the contact e-mail address to invite');
  }
  if (kind === 'member' && !ctx.config.upnDomain) {
    throw fail('invalid', 'member accounts need upnDomain (GRAPH_UPN_DOMAIN) to be configured');
  }
  return kind;
}

/**
 * Creates the supplier account, with the expiry and the owning grant on it, and adds it to the configured and
 * requested groups. A retried create for the same grant brings the account to the requested state (a member
 * gets a fresh password: the first may never have reached anybody), and so does a create that takes over the
 * account of one of the supplier's closed grants (`spec.reclaimable`), re-enabled; any other existing account is
 * a conflict.
 */
export async function createAccount(ctx: EntraContext, spec: AccountSpec): Promise<ProvisionResult> {
  if (!USERNAME.test(spec.username)) {
    throw fail('invalid', 'account name must be 1 to 64 letters, digits, dots, dashes or underscores');
  }
  const kind = kindOf(ctx, spec);
  const groups = [...new Set([...ctx.config.groups, ...spec.groups])];
  checkGroupIds(groups, 'createAccount');
  const properties = descriptiveProperties(ctx, spec, instant(spec.expiresAt, 'entra', 'createAccount'));
  // Before any user is made, invited or taken over: a missing group leaves the directory as it was.
  await checkGroupsExist(ctx, groups, spec.groups);
  // mailNickname is not unique in Entra: the name is checked here, for both kinds, before anything is made.
  const own = await findUser(ctx, spec.username);
  let result: ProvisionResult;
  if (own) {
    const ownership = claim(ctx, own, spec, spec.username);
    if (isGuest(own) !== (kind === 'guest')) {
      const whose = ownership === 'own' ? 'this grant' : 'an earlier grant';
      throw fail(
        'conflict',
        `${spec.username} exists for ${whose} as a ${isGuest(own) ? 'guest' : 'member'}`,
      );
    }
    if (ownership === 'reclaimable') await prepareTakeover(ctx, spec, own);
    result = await refresh(ctx, spec, own, properties);
  } else {
    result =
      kind === 'member'
        ? await createMember(ctx, spec, properties)
        : await createGuest(ctx, spec, properties);
  }
  await addToGroups(ctx, result.account.externalId, groups, spec.groups);
  return result;
}

/** What both kinds of account carry: names, the organisation, and our markers. */
function descriptiveProperties(
  ctx: EntraContext,
  spec: AccountSpec,
  expiresAt: string,
): Record<string, unknown> {
  const expiry = expiryProperties(ctx, expiresAt);
  return {
    ...expiry,
    displayName: spec.displayName,
    mailNickname: spec.username,
    companyName: spec.organisation.trim().slice(0, COMPANY_NAME_MAX) || null,
    onPremisesExtensionAttributes: {
      ...(expiry.onPremisesExtensionAttributes as Record<string, string>),
      [ctx.grantAttribute]: spec.grantId,
    },
  };
}

/** A member's contact address, kept where Entra has room for one that is not a mailbox. */
function contactOf(spec: AccountSpec): { otherMails: string[] } {
  return { otherMails: spec.contactEmail ? [spec.contactEmail] : [] };
}

function refOf(spec: AccountSpec, userId: string): AccountRef {
  return { username: spec.username, externalId: userId, displayName: spec.displayName };
}

/**
 * Whether the existing user may be brought to this grant's state: its own (a retry) or one of the supplier's closed
 * grants' (a takeover). Refuses a user some other grant, or nobody of ours, owns.
 */
function claim(ctx: EntraContext, user: GraphUser, spec: AccountSpec, what: string): 'own' | 'reclaimable' {
  const owner = grantOf(ctx, user);
  const ownership = ownershipOf(owner, spec);
  if (ownership === 'foreign') throw fail('conflict', `${what} already exists for ${holderOf(owner)}`);
  return ownership;
}

/**
 * Before a closed grant's user is marked as this grant's (the refresh that follows): whatever sessions it still has
 * are revoked and the memberships it may have kept go, so it ends with this grant's groups only. A guest signs in
 * with its own identity at its own home: it is re-enabled only for the address it was invited with, since
 * re-enabling it for a new contact would let the earlier contact back in, and invite nobody new.
 */
async function prepareTakeover(ctx: EntraContext, spec: AccountSpec, user: GraphUser): Promise<void> {
  if (isGuest(user) && user.mail?.toLowerCase() !== spec.contactEmail?.toLowerCase()) {
    throw fail('conflict', `${spec.username} is a guest invited for another contact address`);
  }
  await unlessNotFound(ctx.client.api(userPath(user.id, '/revokeSignInSessions')).post(undefined), undefined);
  await removeFromAllGroups(ctx, user.id);
}

/** Our own account from an earlier attempt: enabled, described and marked again; a member gets a new password. */
async function refresh(
  ctx: EntraContext,
  spec: AccountSpec,
  user: GraphUser,
  properties: Record<string, unknown>,
): Promise<ProvisionResult> {
  if (isGuest(user)) {
    await ctx.client.api(userPath(user.id)).patch({ ...properties, accountEnabled: true });
    return { account: refOf(spec, user.id) };
  }
  const password = generatePassword();
  const passwordProfile = { password, forceChangePasswordNextSignIn: true };
  await ctx.client
    .api(userPath(user.id))
    .patch({ ...properties, ...contactOf(spec), accountEnabled: true, passwordProfile });
  const upn = user.userPrincipalName ?? `${spec.username}@${ctx.config.upnDomain ?? ''}`;
  return { account: refOf(spec, user.id), credential: { username: upn, password } };
}

async function createMember(
  ctx: EntraContext,
  spec: AccountSpec,
  properties: Record<string, unknown>,
): Promise<ProvisionResult> {
  const upn = `${spec.username}@${ctx.config.upnDomain ?? ''}`;
  const password = generatePassword();
  const passwordProfile = { password, forceChangePasswordNextSignIn: true };
  try {
    const answer: unknown = await ctx.client.api('/users').post({
      ...properties,
      ...contactOf(spec),
      accountEnabled: true,
      userPrincipalName: upn,
      passwordProfile,
    });
    // The supplier signs in with the UPN, not with the bare account name.
    return { account: refOf(spec, created.parse(answer).id), credential: { username: upn, password } };
  } catch (err) {
    if (!isDuplicateValue(err)) throw err;
    // The UPN is taken by a user under another nickname, or (unseen by reads for 30 days) a deleted user.
    const holder = await getUser(ctx, upn);
    if (!holder) {
      // Most likely our own create of a moment ago, not readable yet (directory replication); otherwise a
      // deleted user, which keeps its UPN for 30 days. Retrying settles the first and keeps the second visible.
      throw fail('transient', `${upn} is taken but not readable (yet)`);
    }
    if (claim(ctx, holder, spec, upn) === 'reclaimable') await prepareTakeover(ctx, spec, holder);
    return refresh(ctx, spec, holder, properties);
  }
}

/**
 * A B2B guest: Entra ID e-mails the supplier an invitation and it signs in with its own identity, so no password
 * passes through us. Graph keeps one guest per address, and re-inviting an address answers with the guest it
 * already has: so a user already holding the address is adopted only when it is an earlier attempt of this
 * create (invited under this display name, no markers yet: the invitation went out, the marking did not), and
 * is somebody else's account otherwise, refused before any e-mail goes out.
 */
async function createGuest(
  ctx: EntraContext,
  spec: AccountSpec,
  properties: Record<string, unknown>,
): Promise<ProvisionResult> {
  const email = spec.contactEmail ?? '';
  const holder = (await listUsers(ctx, `mail eq ${odataString(email)}`)).find(
    (u) => u.mail?.toLowerCase() === email.toLowerCase(),
  );
  let userId: string;
  if (holder) {
    const owner = grantOf(ctx, holder);
    if (owner !== undefined && owner !== spec.grantId) {
      // No e-mail address in messages: they travel in plaintext failures.
      const name = holder.mailNickname ?? holder.id;
      throw fail('conflict', `the contact address already has the account ${name} of grant ${owner}`);
    }
    if (owner === undefined && holder.displayName !== spec.displayName) {
      throw fail('conflict', 'the contact address already belongs to a user that is not a supplier account');
    }
    userId = holder.id;
  } else {
    const answer: unknown = await ctx.client.api('/invitations').post({
      invitedUserEmailAddress: email,
      invitedUserDisplayName: spec.displayName,
      inviteRedirectUrl: ctx.config.inviteRedirectUrl,
      sendInvitationMessage: true,
    });
    userId = invitation.parse(answer).invitedUser.id;
  }
  try {
    await ctx.client.api(userPath(userId)).patch(properties);
  } catch (err) {
    // Just invited and not visible yet (replication): the retry finds it by its address and adopts it.
    if (statusOf(err) !== 404) throw err;
    throw fail('transient', 'the invited guest is not visible to Graph yet', err);
  }
  return { account: refOf(spec, userId) };
}
