import { z } from 'zod';
import { unlessNotFound } from './errors.js';
import { allPages, odataString, withQuery, type EntraContext } from './users.js';

/**
 * Application registrations and service principals as the service credentials read them: the properties we
 * `$select` (Graph answers few without it), checked, and our grant marker, a tag `supplier-access:grant:<grant id>`
 * (`tags` is what Graph keeps for tooling; displayName, description and notes stay readable for people).
 */

/** The tag that marks an application (and its service principal) as a grant's. */
export const GRANT_TAG_PREFIX = 'supplier-access:grant:';

export const APPLICATION_SELECT =
  'id,appId,displayName,createdDateTime,tags,passwordCredentials,keyCredentials';
export const SERVICE_PRINCIPAL_SELECT =
  'id,appId,displayName,accountEnabled,tags,passwordCredentials,keyCredentials';
export const PAGE_SIZE = 999;

const credential = z.object({
  keyId: z.string(),
  startDateTime: z.string().nullish(),
  endDateTime: z.string().nullish(),
});
export const graphApplication = z.object({
  id: z.string().min(1),
  appId: z.string().min(1),
  displayName: z.string().nullish(),
  createdDateTime: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  passwordCredentials: z.array(credential).nullish(),
  keyCredentials: z.array(credential).nullish(),
});
export const graphServicePrincipal = graphApplication
  .omit({ createdDateTime: true })
  .extend({ accountEnabled: z.boolean().nullish() });
export const addedPassword = z.object({ keyId: z.string(), secretText: z.string().min(1) });
export const owner = z.object({
  id: z.string(),
  userPrincipalName: z.string().nullish(),
  displayName: z.string().nullish(),
});

export type GraphApplication = z.infer<typeof graphApplication>;
export type GraphServicePrincipal = z.infer<typeof graphServicePrincipal>;

export const grantTag = (grantId: string) => `${GRANT_TAG_PREFIX}${grantId}`;

/** The grant id an application or service principal is marked with, if any. */
export function grantOf(item: { tags?: string[] | null | undefined }): string | undefined {
  const tag = item.tags?.find((t) => t.startsWith(GRANT_TAG_PREFIX));
  return tag?.slice(GRANT_TAG_PREFIX.length);
}

/** A secret's end, in milliseconds; one without an end never expires. */
export const endOf = (c: { endDateTime?: string | null | undefined }) =>
  c.endDateTime ? Date.parse(c.endDateTime) : Number.POSITIVE_INFINITY;

export const applicationPath = (id: string, rest = '') => `/applications/${encodeURIComponent(id)}${rest}`;

export async function getApplication(ctx: EntraContext, id: string): Promise<GraphApplication | null> {
  if (id === '') return null;
  const answer: unknown = await unlessNotFound(
    ctx.client.api(withQuery(applicationPath(id), { $select: APPLICATION_SELECT })).get(),
    null,
  );
  return answer === null ? null : graphApplication.parse(answer);
}

export async function servicePrincipalOf(
  ctx: EntraContext,
  appId: string,
): Promise<GraphServicePrincipal | null> {
  const path = withQuery('/servicePrincipals', {
    $filter: `appId eq ${odataString(appId)}`,
    $select: SERVICE_PRINCIPAL_SELECT,
  });
  const [found] = (await allPages(ctx.client, path)).map((item) => graphServicePrincipal.parse(item));
  return found ?? null;
}
