import type { Client } from '@okta/okta-sdk-nodejs';
import type { ReachabilityProbe } from '../module.js';
import { failureOf, instant, operationRunner } from '../operation.js';
import type { ServiceCredentialProvider } from '../service-types.js';
import type { IdentityProvider } from '../types.js';
import { connect } from './client.js';
import { oktaUsernameLimit, resolveOktaConfig, type OktaConfig } from './config.js';
import { createAccount } from './create.js';
import { toProviderError } from './errors.js';
import { deleteAccount, disableAccount, resetPassword, rotateCredentials } from './lifecycle.js';
import { findAccount, listAccounts, lookupAccount } from './list.js';
import { schemaGuard } from './schema.js';
import {
  closeServiceCredential,
  createServiceCredential,
  listServiceCredentials,
  setServiceExpiry,
} from './service.js';
import { userIdOf, type OktaContext } from './users.js';

export { oktaConfigSchema, type OktaConfig } from './config.js';

const run = operationRunner(toProviderError);

/** One page of one user: proves Okta answers and takes the token (walking the collection would fetch every page). */
const firstUser = (client: Client) =>
  run('checkReachable', async () => {
    await (await client.userApi.listUsers({ limit: 1 })).next();
  });

/**
 * The Okta provider, on the official SDK (`@okta/okta-sdk-nodejs`). Accounts are users with the login
 * `<username>@<loginDomain>`; the expiry and the owning grant live in two custom profile attributes, created
 * in the user schema when missing. One SDK client and one rate limiter serve every call of the instance, so a
 * worker creates one provider and shares it between its activities. The SDK never retries (Temporal does), and
 * every failure leaves as a ProviderError: 429 transient with the wait Okta asked for. Service credentials are
 * service apps (OAuth 2.0 client credentials), see service.ts.
 */
export function createOktaProvider(config: OktaConfig): IdentityProvider & ServiceCredentialProvider {
  const cfg = resolveOktaConfig(config);
  const connection = connect(cfg);
  const ctx: OktaContext = {
    client: connection.client,
    config: cfg,
    maxUsernameLength: oktaUsernameLimit(cfg.loginDomain),
    ensureSchema: schemaGuard(connection.client, cfg),
  };

  return {
    name: 'okta',
    maxUsernameLength: ctx.maxUsernameLength,

    createAccount: (spec) => run('createAccount', () => createAccount(ctx, spec)),

    findAccount: (username) => run('findAccount', () => findAccount(ctx, username)),

    setExpiry: (account, expiresAt) =>
      run('setExpiry', async () => {
        const value = instant(expiresAt, 'okta', 'setExpiry');
        await ctx.ensureSchema();
        const userId = await userIdOf(ctx, account);
        if (userId === null) {
          throw failureOf('okta', 'setExpiry')('not-found', `${account.username} does not exist`);
        }
        // Okta answers 404 for a deactivated user too: its profile can no longer change.
        await ctx.client.userApi.updateUser({ userId, user: { profile: { [cfg.expiryAttribute]: value } } });
      }),

    disableAccount: (account) => run('disableAccount', () => disableAccount(ctx, account)),

    rotateCredentials: (account) => run('rotateCredentials', () => rotateCredentials(ctx, account)),

    resetPassword: (account) => run('resetPassword', () => resetPassword(ctx, account)),

    lookupAccount: (ref) => run('lookupAccount', () => lookupAccount(ctx, ref)),

    deleteAccount: (account, grantId) => run('deleteAccount', () => deleteAccount(ctx, account, grantId)),

    listAccounts: (prefix) => run('listAccounts', () => listAccounts(ctx, prefix)),

    checkReachable: () => firstUser(ctx.client),

    createServiceCredential: (spec) =>
      run('createServiceCredential', () => createServiceCredential(ctx, spec)),

    setServiceExpiry: () => run('setServiceExpiry', () => setServiceExpiry()),

    closeServiceCredential: (account) =>
      run('closeServiceCredential', () => closeServiceCredential(ctx, account)),

    listServiceCredentials: () => run('listServiceCredentials', () => listServiceCredentials(ctx)),

    close: async () => connection.close(),
  };
}

/** The check `/readyz` runs, on a client and rate limiter of its own. */
export function createOktaProbe(config: OktaConfig): ReachabilityProbe {
  const connection = connect(resolveOktaConfig(config));
  return { check: () => firstUser(connection.client), close: async () => connection.close() };
}
