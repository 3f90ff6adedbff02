import type { AccountRef, Credential } from '../../domain/account.js';
import { failureOf, instant } from '../operation.js';
import { holderOf } from '../ownership.js';
import type { ServiceSpec } from '../service-types.js';
import type { ProvisionResult } from '../types.js';
import { statusOf, unlessNotFound } from './errors.js';
import {
  addedPassword,
  applicationPath,
  APPLICATION_SELECT,
  endOf,
  getApplication,
  graphApplication,
  grantOf,
  grantTag,
  servicePrincipalOf,
  type GraphApplication,
} from './applications.js';
import { allPages, odataString, withQuery, type EntraContext } from './users.js';

/**
 * A supplier's integration in Entra ID: an application registration named after the supplier (its displayName is
 * the name reserved for it), its service principal (what signs in, and what `accountEnabled: false` shuts out), and
 * client secrets whose `endDateTime` is the grant's expiry, so Entra refuses them afterwards by itself.
 * The marker of the grant is a tag on the application and its service principal (applications.ts); the review's
 * inventory is in service-inventory.ts.
 */

/** Application names: Graph takes 256 characters; ours are account names, so the same rule as accounts. */
const NAME = /^(?!\.)(?!.*\.\.)[A-Za-z0-9._-]{1,64}(?<!\.)$/;

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
  // Checked before anything is made: Graph would refuse the secret only after the application exists.
  if (Date.parse(expiresAt) <= Date.now()) {
    throw fail('invalid', 'the expiry has passed already', { field: 'expiresAt' });
  }
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
