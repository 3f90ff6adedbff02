import { z } from 'zod';
import type { AccountRef, Credential } from '../../domain/account.js';
import { failureOf, instant } from '../operation.js';
import { holderOf } from '../ownership.js';
import type { ServiceCredentialState, ServiceSpec } from '../service-types.js';
import type { ProvisionResult } from '../types.js';
import { statusOf, unlessNotFound } from './errors.js';
import { allPages, odataString, withQuery, type EntraContext } from './users.js';

/**
 * A supplier's integration in Entra ID: an application registration named after the supplier (its displayName is
 * the name reserved for it), its service principal (what signs in, and what `accountEnabled: false` shuts out), and
 * client secrets whose `endDateTime` is the grant's expiry, so Entra refuses them afterwards by itself.
 *
 * Our marker is a tag `supplier-access:grant:<grant id>` on the application and its service principal: `tags` is
 * what Graph keeps for tooling, and the application's displayName and notes stay readable for people.
 */

/** Application names: Graph takes 256 characters; ours are account names, so the same rule as accounts. */
const NAME = /^(?!\.)(?!.*\.\.)[A-Za-z0-9._-]{1,64}(?<!\.)$/;
/** The tag that marks an application (and its service principal) as a grant's. */
export const GRANT_TAG_PREFIX = 'supplier-access:grant:';

const APPLICATION_SELECT = 'id,appId,displayName,createdDateTime,tags,passwordCredentials,keyCredentials';
const SERVICE_PRINCIPAL_SELECT =
  'id,appId,displayName,accountEnabled,tags,passwordCredentials,keyCredentials';
const PAGE_SIZE = 999;

const credential = z.object({
  keyId: z.string(),
  startDateTime: z.string().nullish(),
  endDateTime: z.string().nullish(),
});
const graphApplication = z.object({
  id: z.string().min(1),
  appId: z.string().min(1),
  displayName: z.string().nullish(),
  createdDateTime: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  passwordCredentials: z.array(credential).nullish(),
  keyCredentials: z.array(credential).nullish(),
});
const graphServicePrincipal = graphApplication
  .omit({ createdDateTime: true })
  .extend({ accountEnabled: z.boolean().nullish() });
const addedPassword = z.object({ keyId: z.string(), secretText: z.string().min(1) });
const owner = z.object({
  id: z.string(),
  userPrincipalName: z.string().nullish(),
  displayName: z.string().nullish(),
});

type GraphApplication = z.infer<typeof graphApplication>;
type GraphServicePrincipal = z.infer<typeof graphServicePrincipal>;

const grantTag = (grantId: string) => `${GRANT_TAG_PREFIX}${grantId}`;

/** The grant id an application or service principal is marked with, if any. */
function grantOf(item: { tags?: string[] | null | undefined }): string | undefined {
  const tag = item.tags?.find((t) => t.startsWith(GRANT_TAG_PREFIX));
  return tag?.slice(GRANT_TAG_PREFIX.length);
}

/** A secret's end, in milliseconds; one without an end never expires. */
const endOf = (c: { endDateTime?: string | null | undefined }) =>
  c.endDateTime ? Date.parse(c.endDateTime) : Number.POSITIVE_INFINITY;

const applicationPath = (id: string, rest = '') => `/applications/${encodeURIComponent(id)}${rest}`;

async function getApplication(ctx: EntraContext, id: string): Promise<GraphApplication | null> {
  if (id === '') return null;
  const answer: unknown = await unlessNotFound(
    ctx.client.api(withQuery(applicationPath(id), { $select: APPLICATION_SELECT })).get(),
    null,
  );
  return answer === null ? null : graphApplication.parse(answer);
}

async function servicePrincipalOf(ctx: EntraContext, appId: string): Promise<GraphServicePrincipal | null> {
  const path = withQuery('/servicePrincipals', {
    $filter: `appId eq ${odataString(appId)}`,
    $select: SERVICE_PRINCIPAL_SELECT,
  });
  const [found] = (await allPages(ctx.client, path)).map((item) => graphServicePrincipal.parse(item));
  return found ?? null;
}

/** A new secret ending at `expiresAt`: Entra holds the expiry and refuses the secret after it. */
async function addSecret(
  ctx: EntraContext,
  application: GraphApplication,
  grantId: string,
  expiresAt: string,
): Promise<{ keyId: string; credential: Credential }> {
  const answer: unknown = await ctx.client.api(applicationPath(application.id, '/addPassword')).post({
    passwordCredential: { displayName: `supplier-access grant ${grantId}`, endDateTime: expiresAt },
  });
  const added = addedPassword.parse(answer);
  return { keyId: added.keyId, credential: { username: application.appId, password: added.secretText } };
}

/** Removes one secret; one that is gone already (removed by an earlier attempt) counts as removed. */
async function removeSecret(ctx: EntraContext, applicationId: string, keyId: string): Promise<void> {
  try {
    await ctx.client.api(applicationPath(applicationId, '/removePassword')).post({ keyId });
  } catch (err) {
    // 400: Graph's answer for a keyId the application does not hold (any more); 404: the application is gone.
    if (statusOf(err) === 400 || statusOf(err) === 404) return;
    throw err;
  }
}

/** The service principal of the application, made when missing and enabled when disabled. */
async function enabledServicePrincipal(ctx: EntraContext, application: GraphApplication, grantId: string) {
  const found = await servicePrincipalOf(ctx, application.appId);
  if (!found) {
    try {
      await ctx.client
        .api('/servicePrincipals')
        .post({ appId: application.appId, accountEnabled: true, tags: [grantTag(grantId)] });
    } catch (err) {
      // 409: made by an earlier attempt whose answer was lost; the next attempt finds it.
      if (statusOf(err) !== 409) throw err;
      throw failureOf('entra', 'createServiceCredential')(
        'transient',
        'the service principal exists but is not readable yet',
        { cause: err },
      );
    }
  } else if (found.accountEnabled !== true) {
    await ctx.client
      .api(`/servicePrincipals/${encodeURIComponent(found.id)}`)
      .patch({ accountEnabled: true });
  }
}

/**
 * The application of `spec.username` for this grant (made when missing), enabled, with one fresh secret ending at
 * the expiry: the secrets of earlier attempts are removed, since their text may never have reached anybody.
 */
export async function createServiceCredential(
  ctx: EntraContext,
  spec: ServiceSpec,
): Promise<ProvisionResult> {
  const fail = failureOf('entra', 'createServiceCredential');
  if (!NAME.test(spec.username)) {
    throw fail('invalid', 'the name must be 1 to 64 letters, digits, dots, dashes or underscores', {
      field: 'username',
    });
  }
  const expiresAt = instant(spec.expiresAt, 'entra', 'createServiceCredential');
  const path = withQuery('/applications', {
    $filter: `displayName eq ${odataString(spec.username)}`,
    $select: APPLICATION_SELECT,
  });
  const named = (await allPages(ctx.client, path))
    .map((item) => graphApplication.parse(item))
    .filter((a) => a.displayName?.toLowerCase() === spec.username.toLowerCase());
  const foreign = named.find((a) => grantOf(a) !== spec.grantId);
  if (foreign) throw fail('conflict', `${spec.username} already exists for ${holderOf(grantOf(foreign))}`);
  const application = named[0] ?? (await createApplication(ctx, spec));
  await enabledServicePrincipal(ctx, application, spec.grantId);
  const fresh = await addSecret(ctx, application, spec.grantId, expiresAt);
  for (const earlier of application.passwordCredentials ?? []) {
    await removeSecret(ctx, application.id, earlier.keyId);
  }
  return {
    account: { username: spec.username, externalId: application.id, displayName: spec.displayName },
    credential: fresh.credential,
  };
}

async function createApplication(ctx: EntraContext, spec: ServiceSpec): Promise<GraphApplication> {
  const answer: unknown = await ctx.client.api('/applications').post({
    displayName: spec.username,
    description: spec.displayName,
    notes: `The integration of the supplier ${spec.organisation}, issued by supplier-access for grant ${spec.grantId}. Its secrets end with the grant.`,
    signInAudience: 'AzureADMyOrg',
    // Set with the create itself, so no application of ours is ever unmarked, even if the next step fails.
    tags: [grantTag(spec.grantId)],
  });
  return graphApplication.parse(answer);
}

/**
 * A new secret ending at the new expiry, answered for the supplier to claim once: Entra's secrets cannot change
 * their end. Older secrets ending later (a shortened grant) or at the same time (an earlier attempt of this very
 * change, never handed out) are removed; older ones ending sooner run out at their own end.
 */
export async function setServiceExpiry(
  ctx: EntraContext,
  account: AccountRef,
  expiresAt: string,
): Promise<Credential> {
  const end = instant(expiresAt, 'entra', 'setServiceExpiry');
  const application = await getApplication(ctx, account.externalId);
  if (!application) {
    throw failureOf('entra', 'setServiceExpiry')('not-found', `${account.username} does not exist`);
  }
  const grantId = grantOf(application) ?? 'unknown';
  const fresh = await addSecret(ctx, application, grantId, end);
  for (const older of application.passwordCredentials ?? []) {
    if (endOf(older) >= Date.parse(end)) await removeSecret(ctx, application.id, older.keyId);
  }
  return fresh.credential;
}

/** Every secret removed and the service principal disabled; an application that is gone is closed already. */
export async function closeServiceCredential(ctx: EntraContext, account: AccountRef): Promise<void> {
  const application = await getApplication(ctx, account.externalId);
  if (!application) return;
  for (const secret of application.passwordCredentials ?? []) {
    await removeSecret(ctx, application.id, secret.keyId);
  }
  const servicePrincipal = await servicePrincipalOf(ctx, application.appId);
  if (servicePrincipal && servicePrincipal.accountEnabled !== false) {
    await unlessNotFound(
      ctx.client
        .api(`/servicePrincipals/${encodeURIComponent(servicePrincipal.id)}`)
        .patch({ accountEnabled: false }),
      undefined,
    );
  }
}

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
