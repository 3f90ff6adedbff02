import type { ServiceCredentialState } from '../service-types.js';
import {
  applicationPath,
  APPLICATION_SELECT,
  graphApplication,
  graphServicePrincipal,
  grantOf,
  owner,
  PAGE_SIZE,
  SERVICE_PRINCIPAL_SELECT,
  type GraphServicePrincipal,
} from './applications.js';
import { allPages, withQuery, type EntraContext } from './users.js';

/**
 * Every application of the tenant, and every service principal holding secrets or certificates of its own, with
 * owners (one request each; the limiter paces them), for the review's inventory.
 */
export async function listServiceCredentials(ctx: EntraContext): Promise<ServiceCredentialState[]> {
  const top = String(PAGE_SIZE);
  const applications = (
    await allPages(ctx.client, withQuery('/applications', { $select: APPLICATION_SELECT, $top: top }))
  ).map((item) => graphApplication.parse(item));
  const servicePrincipals = (
    await allPages(
      ctx.client,
      withQuery('/servicePrincipals', { $select: SERVICE_PRINCIPAL_SELECT, $top: top }),
    )
  ).map((item) => graphServicePrincipal.parse(item));
  const byAppId = new Map(servicePrincipals.map((sp) => [sp.appId.toLowerCase(), sp]));
  const withSecrets = servicePrincipals.filter(
    (sp) => (sp.passwordCredentials?.length ?? 0) + (sp.keyCredentials?.length ?? 0) > 0,
  );
  return Promise.all([
    ...applications.map(async (a) =>
      stateOf(a, 'application', byAppId.get(a.appId.toLowerCase())?.accountEnabled === true, {
        owners: await ownersOf(ctx, applicationPath(a.id, '/owners')),
        createdAt: a.createdDateTime ?? undefined,
      }),
    ),
    ...withSecrets.map(async (sp) =>
      stateOf(sp, 'service-principal', sp.accountEnabled === true, {
        owners: await ownersOf(ctx, `/servicePrincipals/${encodeURIComponent(sp.id)}/owners`),
        createdAt: undefined,
      }),
    ),
  ]);
}

async function ownersOf(ctx: EntraContext, path: string): Promise<string[]> {
  return (await allPages(ctx.client, path)).map((item) => {
    const o = owner.parse(item);
    return o.userPrincipalName ?? o.displayName ?? o.id;
  });
}

function stateOf(
  item: GraphServicePrincipal,
  kind: 'application' | 'service-principal',
  enabled: boolean,
  extra: { owners: string[]; createdAt: string | undefined },
): ServiceCredentialState {
  const credentials = [
    ...(item.passwordCredentials ?? []).map((c) => ({ ...c, type: 'password' as const })),
    ...(item.keyCredentials ?? []).map((c) => ({ ...c, type: 'key' as const })),
  ];
  return {
    kind,
    id: item.id,
    name: item.displayName ?? item.appId,
    owners: extra.owners,
    enabled,
    createdAt: extra.createdAt,
    credentials: credentials.map((c) => ({
      id: c.keyId,
      type: c.type,
      createdAt: c.startDateTime ?? undefined,
      expiresAt: c.endDateTime ?? undefined,
    })),
    grantId: grantOf(item),
  };
}
