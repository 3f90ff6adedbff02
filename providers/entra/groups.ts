import { ProviderError } from '../errors.js';
import { isGuid } from './config.js';
import { isAlreadyMember, statusOf, unlessNotFound } from './errors.js';
import { groupsOf, type EntraContext } from './users.js';

/** Group ids must be object ids: they go into request paths. */
export function checkGroupIds(groups: readonly string[], operation: string): void {
  const bad = groups.filter((g) => !isGuid(g));
  if (bad.length > 0) {
    throw new ProviderError(
      'invalid',
      `${operation}: group ids must be object ids (GUIDs): ${bad.join(', ')}`,
      {
        provider: 'entra',
        operation,
      },
    );
  }
}

/** Adds the user to each group; already being a member (Graph's 400) counts as done. */
export async function addToGroups(
  ctx: EntraContext,
  userId: string,
  groups: readonly string[],
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
        const message = userMissing
          ? `createAccount: the new account is not visible to Graph yet; try again`
          : `createAccount: group ${groupId} does not exist`;
        throw new ProviderError(userMissing ? 'transient' : 'invalid', message, {
          provider: 'entra',
          operation: 'createAccount',
          cause: err,
        });
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
