import { ProviderError } from '../errors.js';
import { isGuid } from './config.js';
import { isAlreadyMember, statusOf, unlessNotFound } from './errors.js';
import { groupsOf, withQuery, type EntraContext } from './users.js';

/**
 * Group ids must be object ids: they go into request paths. The configured ones are checked with the settings,
 * so a bad one here came with the request (its `groups` field).
 */
export function checkGroupIds(groups: readonly string[], operation: string): void {
  const bad = groups.filter((g) => !isGuid(g));
  if (bad.length > 0) {
    throw new ProviderError(
      'invalid',
      `${operation}: group ids must be object ids (GUIDs): ${bad.join(', ')}`,
      {
        provider: 'entra',
        operation,
        field: 'groups',
      },
    );
  }
}

/**
 * A group that does not exist: one the request named is a bad request on its `groups` field; a configured one
 * (GRAPH_GROUP_IDS) is a setting to fix, not the requester's fault.
 */
function missingGroup(groupId: string, requested: readonly string[], cause?: unknown): ProviderError {
  const mine = requested.includes(groupId);
  const message = mine
    ? `createAccount: group ${groupId} does not exist`
    : `createAccount: the configured group ${groupId} (GRAPH_GROUP_IDS) does not exist`;
  return new ProviderError('invalid', message, {
    provider: 'entra',
    operation: 'createAccount',
    ...(mine ? { field: 'groups' } : {}),
    cause,
  });
}

/**
 * Reads each group (`GET /groups/{id}`) before any user is created or changed, so that a group that does not
 * exist refuses the request with nothing made, instead of failing after the account exists. `requested`: the
 * grant's own groups, as opposed to the configured ones.
 */
export async function checkGroupsExist(
  ctx: EntraContext,
  groups: readonly string[],
  requested: readonly string[],
): Promise<void> {
  for (const groupId of groups) {
    try {
      await ctx.client.api(withQuery(`/groups/${groupId}`, { $select: 'id' })).get();
    } catch (err) {
      if (statusOf(err) === 404) throw missingGroup(groupId, requested, err);
      throw err;
    }
  }
}

/**
 * Adds the user to each group; already being a member (Graph's 400) counts as done. A group that is missing here
 * was deleted since `checkGroupsExist` read it.
 */
export async function addToGroups(
  ctx: EntraContext,
  userId: string,
  groups: readonly string[],
  requested: readonly string[],
): Promise<void> {
  const ref = { '@odata.id': `${ctx.config.baseUrl}/v1.0/directoryObjects/${userId}` };
  for (const groupId of groups) {
    try {
      await ctx.client.api(`/groups/${groupId}/members/$ref`).post(ref);
    } catch (err) {
      if (isAlreadyMember(err)) continue;
      if (statusOf(err) === 404) {
        // Graph names the missing object: a new user it does not show yet (replication takes seconds) is
        // worth a retry; a missing group is a setting or request to fix.
        const userMissing = err instanceof Error && err.message.includes(userId);
        if (!userMissing) throw missingGroup(groupId, requested, err);
        throw new ProviderError(
          'transient',
          'createAccount: the new account is not visible to Graph yet; try again',
          { provider: 'entra', operation: 'createAccount', cause: err },
        );
      }
      throw err;
    }
  }
}

/**
 * Takes the user out of every group it is a direct member of; a membership already gone (404) is done. Dynamic
 * groups are left alone: their rule decides membership, Graph refuses to change it, and a disabled account gains
 * nothing from being in one.
 */
export async function removeFromAllGroups(ctx: EntraContext, userId: string): Promise<void> {
  const groups = await unlessNotFound(groupsOf(ctx, userId), []);
  for (const group of groups) {
    if (group.dynamic) continue;
    await unlessNotFound(ctx.client.api(`/groups/${group.id}/members/${userId}/$ref`).delete(), undefined);
  }
}
