/**
 * Entra ID (the "authority"): the v2.0 token endpoint for the client-credentials grant, the OpenID metadata and
 * instance-discovery documents MSAL (inside @azure/identity) reads, and `/redeem` for invitation links.
 *
 *   POST /{tenant}/oauth2/v2.0/token
 *     grant_type=client_credentials & client_id & client_secret (or HTTP Basic) & scope=https://graph.microsoft.com/.default
 *     → 200 { token_type: 'Bearer', expires_in, ext_expires_in, access_token }
 *     → 400/401 { error, error_description: 'AADSTSnnn: …', error_codes, timestamp, trace_id, correlation_id }
 *     The client is the fake's own, or an application registration of the tenant signing in with one of its
 *     secrets (a supplier's integration): → 401 invalid_client AADSTS7000215 (no secret of the app matches, or it
 *     was removed), 7000222 (the secret is past its endDateTime), 400 unauthorized_client 7000112 (its service
 *     principal is disabled), 400 invalid_client 7000229 (it has no service principal). Its token carries no roles.
 *   POST /{tenant}/oauth2/v2.0/token
 *     grant_type=password & client_id & username (the UPN) & password & scope   (ROPC: a user signing in)
 *     → 200 { token_type: 'Bearer', scope, expires_in, ext_expires_in, access_token }
 *     → 400 invalid_grant AADSTS50126 (wrong password), 50034 (no such user), 50057 (disabled),
 *       50055 (the password must be changed first: forceChangePasswordNextSignIn)
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenClaims } from './auth.js';
import { queryOf, rawBody, type GraphFakeContext, type GraphFakeServer } from './context.js';
import { base64url, randomBase64url } from './ids.js';
import {
  disabledApplication,
  disabledUserAccount,
  expiredClientSecret,
  expiredUserPassword,
  invalidClientSecret,
  invalidUserCredentials,
  invalidScope,
  missingClientSecret,
  missingParameter,
  missingServicePrincipal,
  unknownClient,
  unknownResource,
  unknownTenant,
  unknownUserAccount,
  unsupportedGrantType,
} from './errors.js';

const GRAPH_RESOURCES = new Set([
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
]);
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

type TenantParams = { Params: { tenant: string } };

export function registerIdentityRoutes(app: GraphFakeServer, ctx: GraphFakeContext): void {
  const knownTenant = (tenant: string) =>
    tenant.toLowerCase() === ctx.tenantId.toLowerCase() || ctx.dir.domains.includes(tenant.toLowerCase());

  app.post<TenantParams>('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    const { tenant } = req.params;
    const form = new URLSearchParams(rawBody(req));
    if (!knownTenant(tenant)) throw unknownTenant(tenant);

    const grantType = form.get('grant_type');
    if (!grantType) throw missingParameter('grant_type');
    if (grantType === 'password') return reply.send(signInWithPassword(ctx, form, tenant));
    if (grantType !== 'client_credentials') throw unsupportedGrantType(grantType);

    let clientId = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id = '', pw = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId ??= decodeURIComponent(id);
      secret ??= decodeURIComponent(pw);
    }
    if (!clientId) throw missingParameter('client_id');
    const own = clientId === ctx.clientId;
    if (!own && !ctx.apps.applicationByAppId(clientId)) throw unknownClient(clientId, tenant);
    if (secret === null || secret === '') throw missingClientSecret();
    if (own && secret !== ctx.clientSecret) throw invalidClientSecret(clientId);

    const scope = form.get('scope');
    if (!scope) throw missingParameter('scope');
    const scopes = scope.split(/\s+/).filter((s) => s !== '' && !OIDC_SCOPES.has(s));
    const [only, ...others] = scopes;
    if (only === undefined || others.length > 0 || !only.endsWith('/.default')) throw invalidScope(scope);
    const resource = only.slice(0, -'/.default'.length);
    if (!GRAPH_RESOURCES.has(resource)) throw unknownResource(resource, tenant);

    const claims = own
      ? ctx.tokens.issue(clientId, ctx.permissions, ctx.tokenLifetimeSeconds)
      : signInAsApplication(ctx, clientId, secret, tenant);
    return reply
      .header('cache-control', 'no-store, no-cache')
      .header('pragma', 'no-cache')
      .type('application/json; charset=utf-8')
      .send({
        token_type: 'Bearer',
        expires_in: ctx.tokenLifetimeSeconds,
        ext_expires_in: ctx.tokenLifetimeSeconds,
        access_token: claims.token,
      });
  });

  const openIdConfiguration = async (req: FastifyRequest<TenantParams>, reply: FastifyReply) => {
    const { tenant } = req.params;
    if (!knownTenant(tenant) && !['common', 'organizations'].includes(tenant.toLowerCase()))
      throw unknownTenant(tenant);
    const base = `${ctx.origin}/${tenant}`;
    return reply.type('application/json; charset=utf-8').send({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${ctx.origin}/${ctx.tenantId}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    });
  };
  app.get<TenantParams>('/:tenant/v2.0/.well-known/openid-configuration', openIdConfiguration);

  app.get<TenantParams>('/:tenant/discovery/v2.0/keys', async (_req, reply) => reply.send({ keys: [] }));

  // Instance discovery (MSAL asks it unless `disableInstanceDiscovery: true`; for an unknown authority host MSAL
  // asks https://login.microsoftonline.com, not this, so tests should disable instance discovery).
  app.get('/common/discovery/instance', async (_req, reply) => {
    const host = new URL(ctx.origin).host;
    return reply.send({
      tenant_discovery_endpoint: `${ctx.origin}/${ctx.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  // Following an inviteRedeemUrl = the invited user accepting: 302 to the invitation's inviteRedirectUrl.
  app.get('/redeem', async (req, reply) => {
    const id = queryOf(req).get('invitation') ?? '';
    const invitation = ctx.dir.invitations.get(id);
    if (!invitation) return reply.code(404).type('text/plain').send('Unknown invitation');
    ctx.dir.redeem(id);
    return reply.redirect(invitation.inviteRedirectUrl, 302);
  });
}

/**
 * An application of the tenant signs in with one of its client secrets. The secret is checked before anything
 * about the application's state, as Entra does for users' passwords: a wrong secret never tells whether the app is
 * disabled. The token has no roles: no Graph permission was granted to it.
 */
function signInAsApplication(
  ctx: GraphFakeContext,
  appId: string,
  secret: string,
  tenant: string,
): TokenClaims {
  const application = ctx.apps.applicationByAppId(appId);
  const credential = application?.passwordCredentials.find((c) => c.secretText === secret);
  if (!application || !credential) throw invalidClientSecret(appId);
  if (credential.endDateTime !== null && Date.parse(credential.endDateTime) <= Date.now())
    throw expiredClientSecret(appId);
  const servicePrincipal = ctx.apps.servicePrincipalByAppId(appId);
  if (!servicePrincipal) throw missingServicePrincipal(appId, tenant);
  if (!servicePrincipal.accountEnabled) throw disabledApplication(appId, application.displayName);
  return ctx.tokens.issue(appId, [], ctx.tokenLifetimeSeconds);
}

/**
 * The resource owner password grant: a user signs in with its UPN and password through the app (a public client:
 * no secret needed). Entra checks the password before the account's state, so a wrong password never tells
 * whether the account is disabled. The access token is the user's: Graph here does not take it (it has none of
 * the app's roles), it only proves the sign-in worked.
 */
function signInWithPassword(ctx: GraphFakeContext, form: URLSearchParams, tenant: string): unknown {
  const clientId = form.get('client_id');
  if (!clientId) throw missingParameter('client_id');
  if (clientId !== ctx.clientId) throw unknownClient(clientId, tenant);
  const scope = form.get('scope');
  if (!scope) throw missingParameter('scope');
  const username = form.get('username');
  if (!username) throw missingParameter('username');
  const password = form.get('password');
  if (!password) throw missingParameter('password');
  const user = ctx.dir.findUser(username);
  if (!user || user.userPrincipalName.toLowerCase() !== username.toLowerCase())
    throw unknownUserAccount(tenant);
  if (user.password === undefined || user.password !== password) throw invalidUserCredentials();
  if (!user.accountEnabled) throw disabledUserAccount();
  if (user.forceChangePasswordNextSignIn) throw expiredUserPassword();
  const claims = {
    aud: '00000003-0000-0000-c000-000000000000',
    oid: user.id,
    upn: user.userPrincipalName,
    scp: scope,
  };
  return {
    token_type: 'Bearer',
    scope,
    expires_in: ctx.tokenLifetimeSeconds,
    ext_expires_in: ctx.tokenLifetimeSeconds,
    access_token: `${base64url(JSON.stringify({ typ: 'JWT', alg: 'none' }))}.${base64url(JSON.stringify(claims))}.${randomBase64url(16)}`,
  };
}
