import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { AccountState } from '../types.js';
import type { ResolvedEntraConfig } from './config.js';
import { unlessNotFound } from './errors.js';

/** What the provider's operations share: the client and the settings, with the marker attribute names. */
export interface EntraContext {
  client: Client;
  config: ResolvedEntraConfig;
  /** `extensionAttributeN` holding the grant id. */
  grantAttribute: string;
  /** `extensionAttributeN` holding the expiry. */
  expiryAttribute: string;
}

/** Graph's largest page for users and memberships. */
const PAGE_SIZE = 999;

/**
 * The user properties we read. Graph returns only a few "default" properties unless asked, and none of the ones
 * that matter here (accountEnabled, onPremisesExtensionAttributes, userType…): every read names them.
 */
const USER_SELECT = [
  'id',
  'displayName',
  'mailNickname',
  'userPrincipalName',
  'accountEnabled',
  'companyName',
  'userType',
  'creationType',
  'mail',
  'onPremisesExtensionAttributes',
].join(',');

const graphUser = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  mailNickname: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  accountEnabled: z.boolean().nullish(),
  companyName: z.string().nullish(),
  userType: z.string().nullish(),
  creationType: z.string().nullish(),
  mail: z.string().nullish(),
  onPremisesExtensionAttributes: z.record(z.string(), z.string().nullish()).nullish(),
});

/** A user as Graph answered it, checked: no SDK or Graph type leaves this folder. */
export type GraphUser = z.infer<typeof graphUser>;

const graphPage = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() });
const graphGroup = z.object({ id: z.string(), groupTypes: z.array(z.string()).nullish() });

/** A string literal in an OData `$filter`: quoted, with quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A path with its query. The Graph client puts query values on the URL exactly as given, so they are
 * percent-encoded here: a `#`, `&` or `+` in a name must stay part of the filter.
 */
export function withQuery(path: string, query: Record<string, string>): string {
  const pairs = Object.entries(query).map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  return pairs.length === 0 ? path : `${path}?${pairs.join('&')}`;
}

/** `/users/{id}`, with the id (or a UPN, which may hold `#`) as one path segment. */
export function userPath(idOrUpn: string, rest = ''): string {
  return `/users/${encodeURIComponent(idOrUpn)}${rest}`;
}

/** Every item of a collection, following `@odata.nextLink` to the end. */
export async function allPages(client: Client, firstPath: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let next: string | undefined = firstPath;
  while (next !== undefined) {
    const page = graphPage.parse(await client.api(next).get());
    items.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return items;
}

/** Users matching `filter` (undefined: all), with the properties we read. */
export async function listUsers(ctx: EntraContext, filter: string | undefined): Promise<GraphUser[]> {
  const query: Record<string, string> = { $select: USER_SELECT, $top: String(PAGE_SIZE) };
  if (filter !== undefined) query.$filter = filter;
  const items = await allPages(ctx.client, withQuery('/users', query));
  return items.map((item) => graphUser.parse(item));
}

/** A user by object id or UPN, or null when there is none. */
export async function getUser(ctx: EntraContext, idOrUpn: string): Promise<GraphUser | null> {
  if (idOrUpn === '') return null;
  const answer: unknown = await unlessNotFound(
    ctx.client.api(withQuery(userPath(idOrUpn), { $select: USER_SELECT })).get(),
    null,
  );
  return answer === null ? null : graphUser.parse(answer);
}

/** The grant id written on the user, if any. */
export function grantOf(ctx: EntraContext, user: GraphUser): string | undefined {
  return user.onPremisesExtensionAttributes?.[ctx.grantAttribute] ?? undefined;
}

/**
 * The supplier account called `username`: the user whose mailNickname it is (the one marker guests and members
 * share, see index.ts). Graph compares case-insensitively; should several users carry the name, the one a grant
 * owns wins.
 */
export async function findUser(ctx: EntraContext, username: string): Promise<GraphUser | null> {
  if (username === '') return null;
  const users = await listUsers(ctx, `mailNickname eq ${odataString(username)}`);
  const named = users.filter((u) => u.mailNickname?.toLowerCase() === username.toLowerCase());
  return named.find((u) => grantOf(ctx, u) !== undefined) ?? named[0] ?? null;
}

/** A guest (invited, B2B) rather than a member with a password of ours. */
export function isGuest(user: GraphUser): boolean {
  return user.userType === 'Guest' || user.creationType === 'Invitation';
}

/** The security and Microsoft 365 groups the user is a direct member of. */
export async function groupsOf(
  ctx: EntraContext,
  userId: string,
): Promise<{ id: string; dynamic: boolean }[]> {
  const path = withQuery(userPath(userId, '/memberOf/microsoft.graph.group'), {
    $select: 'id,groupTypes',
    $top: String(PAGE_SIZE),
  });
  const items = await allPages(ctx.client, path);
  return items.map((item) => {
    const group = graphGroup.parse(item);
    return { id: group.id, dynamic: group.groupTypes?.includes('DynamicMembership') ?? false };
  });
}

/** The account as the provider reports it. */
export function stateOf(ctx: EntraContext, user: GraphUser, groups: string[]): AccountState {
  const attributes = user.onPremisesExtensionAttributes ?? {};
  return {
    username: user.mailNickname ?? '',
    externalId: user.id,
    displayName: user.displayName ?? '',
    enabled: user.accountEnabled ?? false,
    expiresAt: attributes[ctx.expiryAttribute] ?? undefined,
    grantId: attributes[ctx.grantAttribute] ?? undefined,
    organisation: user.companyName ?? undefined,
    groups,
  };
}

/** The properties that record the expiry on a user (one PATCH or create body fragment). */
export function expiryProperties(ctx: EntraContext, expiresAt: string): Record<string, unknown> {
  return {
    onPremisesExtensionAttributes: { [ctx.expiryAttribute]: expiresAt },
    ...(ctx.config.mirrorExpiryToEmployeeLeaveDateTime ? { employeeLeaveDateTime: expiresAt } : {}),
  };
}
