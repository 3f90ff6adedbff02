import type { Client } from '@microsoft/microsoft-graph-client';
import { ProviderError } from '../errors.js';
import type { ReachabilityProbe } from '../module.js';
import { operationRunner, type RunOperation } from '../operation.js';
import type { ServiceCredentialProvider } from '../service-types.js';
import type { AccountState, IdentityProvider } from '../types.js';
import { connect } from './client.js';
import {
  ENTRA_USERNAME_LIMIT,
  resolveEntraConfig,
  type EntraConfig,
  type ResolvedEntraConfig,
} from './config.js';
import { createAccount } from './create.js';
import { toProviderError } from './errors.js';
import { deleteAccount, disableAccount, resetPassword, rotateCredentials, setExpiry } from './lifecycle.js';
import { listServiceCredentials } from './service-inventory.js';
import { closeServiceCredential, createServiceCredential, setServiceExpiry } from './service.js';
import {
  findUser,
  getUser,
  groupsOf,
  listUsers,
  odataString,
  stateOf,
  type EntraContext,
  type GraphUser,
} from './users.js';

export { entraConfigSchema, type EntraConfig } from './config.js';

/**
 * The Microsoft Entra ID provider, on Microsoft Graph v1.0 (`@microsoft/microsoft-graph-client` 3) with an
 * app-only token from a client secret (`@azure/identity`).
 *
 * - Two kinds of account (`spec.kind`; a guest by default when a contact e-mail is given): a B2B guest invited by
 *   e-mail, who signs in with its own identity and gets no credential from us, or a member
 *   `<username>@<upnDomain>` with a generated password handed out once, to be changed at first sign-in.
 * - The account name is the user's `mailNickname`, for both kinds: the one writable property guests and members
 *   share that Graph filters on without an eventually consistent "advanced query" (`eq`, `startswith`), so one
 *   lookup finds either kind right after it was made.
 * - Entra ID has no account expiry: ours and the owning grant id are recorded in two
 *   `onPremisesExtensionAttributes` (default 15 and 14; writable on cloud-only users with User.ReadWrite.All),
 *   optionally mirrored to `employeeLeaveDateTime` for lifecycle workflows. The workflow enforces the expiry.
 * - Service credentials for a supplier's integration (service.ts): an application registration named after the
 *   supplier, its service principal, and client secrets whose `endDateTime` is the expiry, enforced by Entra.
 * - One Graph client and one request limiter serve every call of the instance, so a worker creates one provider
 *   and shares it between its activities. Nothing retries inside: every failure leaves as a ProviderError, a 429
 *   as `transient` with the wait Graph asked for, and Temporal retries.
 */
export function createEntraProvider(config: EntraConfig): IdentityProvider & ServiceCredentialProvider {
  const cfg = resolveEntraConfig(config);
  const connection = connect(cfg);
  const ctx: EntraContext = {
    client: connection.client,
    config: cfg,
    grantAttribute: `extensionAttribute${cfg.extensionAttributes.grantId}`,
    expiryAttribute: `extensionAttribute${cfg.extensionAttributes.expiresAt}`,
  };
  const run = runnerFor(cfg);
  const withGroups = async (user: GraphUser): Promise<AccountState> =>
    stateOf(
      ctx,
      user,
      (await groupsOf(ctx, user.id)).map((g) => g.id),
    );

  return {
    name: 'entra',
    maxUsernameLength: ENTRA_USERNAME_LIMIT,

    createAccount: (spec) => run('createAccount', () => createAccount(ctx, spec)),

    findAccount: (username) =>
      run('findAccount', async () => {
        const user = await findUser(ctx, username);
        return user ? withGroups(user) : null;
      }),

    setExpiry: (account, expiresAt) => run('setExpiry', () => setExpiry(ctx, account, expiresAt)),

    disableAccount: (account) => run('disableAccount', () => disableAccount(ctx, account)),

    rotateCredentials: (account) => run('rotateCredentials', () => rotateCredentials(ctx, account)),

    resetPassword: (account) => run('resetPassword', () => resetPassword(ctx, account)),

    // By object id or userPrincipalName (`GET /users/{id|upn}`), in any domain of the tenant.
    lookupAccount: (ref) =>
      run('lookupAccount', async () => {
        const user = await getUser(ctx, ref.trim());
        return user ? withGroups(user) : null;
      }),

    deleteAccount: (account, grantId) => run('deleteAccount', () => deleteAccount(ctx, account, grantId)),

    listAccounts: (prefix) =>
      run('listAccounts', async () => {
        const filter = prefix === '' ? undefined : `startswith(mailNickname,${odataString(prefix)})`;
        const users = (await listUsers(ctx, filter)).filter((u) => u.mailNickname?.startsWith(prefix));
        // One memberOf request per account; the limiter paces them.
        const states = await Promise.all(users.map(withGroups));
        return states.sort((a, b) => a.username.localeCompare(b.username));
      }),

    // Service credentials (service.ts): an application registration, its service principal and secrets.
    createServiceCredential: (spec) =>
      run('createServiceCredential', () => createServiceCredential(ctx, spec)),

    setServiceExpiry: (account, expiresAt) =>
      run('setServiceExpiry', () => setServiceExpiry(ctx, account, expiresAt)),

    closeServiceCredential: (account) =>
      run('closeServiceCredential', () => closeServiceCredential(ctx, account)),

    listServiceCredentials: () => run('listServiceCredentials', () => listServiceCredentials(ctx)),

    checkReachable: () => firstUser(run, ctx.client),

    close: async () => connection.close(),
  };
}

/** The check `/readyz` runs, on a Graph client and request limiter of its own. */
export function createEntraProbe(config: EntraConfig): ReachabilityProbe {
  const cfg = resolveEntraConfig(config);
  const connection = connect(cfg);
  return { check: () => firstUser(runnerFor(cfg), connection.client), close: async () => connection.close() };
}

/** One page of one user's id: proves Graph answers and takes our token, light on the tenant's budget. */
const firstUser = (run: RunOperation, client: Client) =>
  run('checkReachable', async () => {
    await client.api('/users').top(1).select('id').get();
  });

const runnerFor = (cfg: ResolvedEntraConfig): RunOperation =>
  operationRunner((err, operation) => scrubbed(toProviderError(err, operation), cfg.clientSecret));

/** Belt and braces: no message leaves with the client secret in it, whatever a library put there. */
function scrubbed(err: ProviderError, secret: string): ProviderError {
  if (!err.message.includes(secret)) return err;
  return new ProviderError(err.kind, err.message.replaceAll(secret, '[redacted]'), err.details);
}
