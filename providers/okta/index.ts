import { ProviderError } from '../errors.js';
import type { IdentityProvider } from '../types.js';
import { connect } from './client.js';
import { resolveOktaConfig, type OktaConfig } from './config.js';
import { createAccount } from './create.js';
import { toProviderError } from './errors.js';
import { disableAccount, rotateCredentials } from './lifecycle.js';
import { findAccount, listAccounts } from './list.js';
import { schemaGuard } from './schema.js';
import { instant, userIdOf, type OktaContext } from './users.js';

export { oktaConfigSchema, type OktaConfig } from './config.js';

/**
 * Okta logins must look like e-mail addresses, and 64 characters is the longest local part an address may
 * have (RFC 5321); the login (`<username>@<loginDomain>`) must also fit Okta's 100 characters.
 */
const MAX_USERNAME_LENGTH = 64;
const OKTA_LOGIN_MAX = 100;

/**
 * The Okta provider, on the official SDK (`@okta/okta-sdk-nodejs`). Accounts are users with the login
 * `<username>@<loginDomain>`; the expiry and the owning grant live in two custom profile attributes, created
 * in the user schema when missing. One SDK client and one rate limiter serve every call of the instance, so a
 * worker creates one provider and shares it between its activities. The SDK never retries (Temporal does), and
 * every failure leaves as a ProviderError: 429 transient with the wait Okta asked for.
 */
export function createOktaProvider(config: OktaConfig): IdentityProvider {
  const cfg = resolveOktaConfig(config);
  const connection = connect(cfg);
  const ctx: OktaContext = {
    client: connection.client,
    config: cfg,
    maxUsernameLength: Math.min(MAX_USERNAME_LENGTH, OKTA_LOGIN_MAX - 1 - cfg.loginDomain.length),
    ensureSchema: schemaGuard(connection.client, cfg),
  };
  const run = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw toProviderError(err, operation);
    }
  };

  return {
    name: 'okta',
    maxUsernameLength: ctx.maxUsernameLength,

    createAccount: (spec) => run('createAccount', () => createAccount(ctx, spec)),

    findAccount: (username) => run('findAccount', () => findAccount(ctx, username)),

    setExpiry: (account, expiresAt) =>
      run('setExpiry', async () => {
        const value = instant(expiresAt, 'setExpiry');
        await ctx.ensureSchema();
        const userId = await userIdOf(ctx, account);
        if (userId === null) {
          throw new ProviderError('not-found', `setExpiry: ${account.username} does not exist`, {
            provider: 'okta',
            operation: 'setExpiry',
          });
        }
        // Okta answers 404 for a deactivated user too: its profile can no longer change.
        await ctx.client.userApi.updateUser({ userId, user: { profile: { [cfg.expiryAttribute]: value } } });
      }),

    disableAccount: (account) => run('disableAccount', () => disableAccount(ctx, account)),

    rotateCredentials: (account) => run('rotateCredentials', () => rotateCredentials(ctx, account)),

    listAccounts: (prefix) => run('listAccounts', () => listAccounts(ctx, prefix)),

    checkReachable: () =>
      run('checkReachable', async () => {
        // The first item only, so one page of one user: walking the collection would fetch every page.
        await (await ctx.client.userApi.listUsers({ limit: 1 })).next();
      }),

    close: async () => connection.close(),
  };
}
