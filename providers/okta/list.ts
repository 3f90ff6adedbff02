import type { AccountState } from '../types.js';
import {
  getUser,
  loginOf,
  membershipsOf,
  plainUser,
  reportedGroups,
  stateOf,
  usernameOf,
  type OktaContext,
  type OktaUser,
} from './users.js';

/** Okta's largest page of users. */
const PAGE_SIZE = 200;

/** A string literal in Okta's search expressions: double quotes, with `\` and `"` escaped. */
export function searchString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The account by name, or null. Only a login in our domain is looked at, never a bare name. */
export async function findAccount(ctx: OktaContext, username: string): Promise<AccountState | null> {
  if (username === '') return null;
  const user = await getUser(ctx, loginOf(ctx.config, username));
  if (!user) return null;
  return stateOf(ctx, user, reportedGroups(await membershipsOf(ctx, user.id)));
}

/**
 * The user a shared account points at, by Okta id or full login (`GET /api/v1/users/{idOrLogin}`), in any login
 * domain. Okta would also match a bare short name against any login: a user found that way is not the one named.
 */
export async function lookupAccount(ctx: OktaContext, ref: string): Promise<AccountState | null> {
  if (ref.trim() === '') return null;
  const user = await getUser(ctx, ref);
  const login = typeof user?.profile.login === 'string' ? user.profile.login : '';
  if (!user || (user.id !== ref && login.toLowerCase() !== ref.toLowerCase())) return null;
  return stateOf(ctx, user, reportedGroups(await membershipsOf(ctx, user.id)));
}

/** Runs `work` over `items`, at most `limit` at a time (the limiter paces them further). */
async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Every account in our login domain whose name starts with `prefix`, deactivated ones included (a search,
 * unlike a plain list, covers every status), page by page. Okta compares case-insensitively; names are
 * compared exactly here.
 */
export async function listAccounts(ctx: OktaContext, prefix: string): Promise<AccountState[]> {
  const search = prefix === '' ? 'profile.login pr' : `profile.login sw ${searchString(prefix)}`;
  const users: OktaUser[] = [];
  for await (const found of await ctx.client.userApi.listUsers({ search, limit: PAGE_SIZE })) {
    if (!found) continue;
    const user = plainUser(found);
    const login = user.profile.login;
    const username = typeof login === 'string' ? usernameOf(ctx.config, login) : undefined;
    if (username?.startsWith(prefix)) users.push(user);
  }
  const concurrency = ctx.config.rateLimit.maxConcurrent;
  const states = await mapLimit(users, concurrency, async (user) =>
    stateOf(ctx, user, reportedGroups(await membershipsOf(ctx, user.id))),
  );
  return states.sort((a, b) => a.username.localeCompare(b.username));
}
