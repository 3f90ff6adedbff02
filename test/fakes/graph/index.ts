/**
 * A stateful fake of the Microsoft Graph v1.0 endpoints a provisioning tool uses, plus the Entra ID token endpoint
 * (client-credentials grant for the app; the resource owner password grant, ROPC, for a user signing in with a
 * password), over HTTPS on 127.0.0.1 with a random port. It follows Graph's documented behaviour:
 * bearer tokens and their roles (app permissions), users (create/get/list with $filter/$select/$top/nextLink,
 * update, delete, revokeSignInSessions), B2B invitations creating guests, groups and their members ($ref),
 * Graph's error bodies, 404s, throttling (429 + Retry-After), injected failures, and a request log.
 *
 *   const graph = await startGraphFake();
 *   const credential = new ClientSecretCredential(graph.tenantId, graph.clientId, graph.clientSecret, {
 *     authorityHost: graph.authorityUrl, disableInstanceDiscovery: true });
 *   const client = Client.initWithMiddleware({
 *     authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: [graph.scope] }),
 *     baseUrl: graph.graphUrl,                  // NOT graph.baseUrl: the client appends the version itself
 *     customHosts: new Set([graph.host]),       // host name only, no port: '127.0.0.1'
 *   });
 *   await client.api('/users').post({ ... });
 *   await graph.close();
 *
 * TLS trust: the fake serves a certificate signed by a TEST-ONLY CA committed at
 * test/fakes/graph/tls/test-ca.crt (`GRAPH_FAKE_CA_FILE`). Start test processes with
 * NODE_EXTRA_CA_CERTS pointing at it (vitest: `test.env`), or, in a process started without it, call
 * `trustCaInProcess(graph.caCertPem)` (test-only fallback). See README.md next to this file.
 */
import { Applications, type PlantedApplication } from './applications.js';
import { ALL_PERMISSIONS, REQUIRED_PERMISSIONS, Tokens, type Operation } from './auth.js';
import type { GraphFakeContext, RecordedRequest } from './context.js';
import { Directory } from './directory.js';
import type { FakeGraphUser, FakeGroup, FakeInvitation, SentInvitationEmail } from './model.js';
import type {
  FakeApplication,
  FakeKeyCredential,
  FakePasswordCredential,
  FakeServicePrincipal,
} from './model-applications.js';
import { buildServer } from './server.js';
import {
  COMMITTED_CA_FILE,
  committedTls,
  customTls,
  generatedTls,
  isTrustedByDefault,
  trustCaInProcess,
  type TlsMaterial,
} from './tls.js';

export type {
  FakeApplication,
  FakeGraphUser,
  FakeGroup,
  FakeInvitation,
  FakeKeyCredential,
  FakePasswordCredential,
  FakeServicePrincipal,
  Operation,
  PlantedApplication,
  RecordedRequest,
  SentInvitationEmail,
};
export { ALL_PERMISSIONS, isTrustedByDefault, REQUIRED_PERMISSIONS, trustCaInProcess };
/** The committed TEST-ONLY CA certificate: the value for NODE_EXTRA_CA_CERTS. */
export const GRAPH_FAKE_CA_FILE = COMMITTED_CA_FILE;

export const DEFAULT_TENANT_ID = '3f1c2a6e-5b7d-4c8e-9a0f-1e2d3c4b5a69';
export const DEFAULT_CLIENT_ID = 'a4d1e7c2-8b3f-4e5a-9c6d-2f1e0b9a8c7d';
export const DEFAULT_CLIENT_SECRET = 'graph-fake~TEST-ONLY~client-secret';

export interface GraphFakeOptions {
  /** Default DEFAULT_TENANT_ID (a fixed GUID). */
  tenantId?: string;
  /** The only app registration the token endpoint knows. Default DEFAULT_CLIENT_ID. */
  clientId?: string;
  clientSecret?: string;
  /** Custom verified domains; default ['contoso.test']. */
  verifiedDomains?: string[];
  /** The tenant's initial domain (always verified; guests' UPNs end with it). Default 'contosotest.onmicrosoft.com'. */
  initialDomain?: string;
  /** Application permissions granted to the client (token `roles`). Default: ALL_PERMISSIONS. */
  permissions?: string[];
  /** `expires_in` of issued tokens; default 3599. */
  tokenLifetimeSeconds?: number;
  /** Graph requests allowed per window before 429; default 10_000 per 60_000 ms. */
  throttle?: { limit: number; windowMs: number };
  /** Artificial delay per request; default 0. */
  latencyMs?: number;
  /**
   * 'committed' (default): the committed TEST-ONLY CA + server certificate (trust via NODE_EXTRA_CA_CERTS).
   * 'generated': a fresh CA + certificate made with the `openssl` CLI at start (trust via caCertPem/caFile).
   * Or your own PEMs.
   */
  tls?: 'committed' | 'generated' | { caCertPem: string; certPem: string; keyPem: string };
}

export interface GraphFake {
  /** https://127.0.0.1:PORT — serves both the authority and Graph. */
  origin: string;
  /** Graph's host URL for the Graph client's `baseUrl` option (the client appends `/v1.0`): = origin. */
  graphUrl: string;
  version: 'v1.0';
  /** Graph base including the version, for plain requests: https://127.0.0.1:PORT/v1.0 */
  baseUrl: string;
  /** For `customHosts` of the Graph client (host name without port): '127.0.0.1'. */
  host: string;
  /** `authorityHost` for @azure/identity: = origin. Token endpoint: POST {authorityUrl}/{tenant}/oauth2/v2.0/token */
  authorityUrl: string;
  tokenUrl: string;
  /** 'https://graph.microsoft.com/.default' */
  scope: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  verifiedDomains: readonly string[];
  initialDomain: string;
  /** The CA certificate (PEM) that signed the server's certificate, and a file holding it. */
  caCertPem: string;
  caFile: string;
  /** Every request (token endpoint and Graph), in completion order, bodies redacted. */
  requests: RecordedRequest[];
  /** The Graph requests only. */
  graphRequests(): RecordedRequest[];
  /** Live read-only views. FakeGraphUser includes the last password set, for assertions. */
  users: ReadonlyMap<string, Readonly<FakeGraphUser>>;
  groups: ReadonlyMap<string, Readonly<FakeGroup>>;
  invitations: ReadonlyMap<string, Readonly<FakeInvitation>>;
  /** Invitation e-mails Entra ID would have sent (sendInvitationMessage: true). */
  invitationEmails: readonly SentInvitationEmail[];
  /**
   * Application registrations and service principals, by object id. Secrets keep their `secretText` here (test-only;
   * Graph serves it once). The fake's own client has a service principal from the start.
   */
  applications: ReadonlyMap<string, Readonly<FakeApplication>>;
  servicePrincipals: ReadonlyMap<string, Readonly<FakeServicePrincipal>>;
  applicationByAppId(appId: string): Readonly<FakeApplication> | undefined;
  servicePrincipalByAppId(appId: string): Readonly<FakeServicePrincipal> | undefined;
  /** The object id of the fake's own client's service principal (owner of what an OwnedBy-only caller makes). */
  selfServicePrincipalId: string;
  /**
   * Test setup without HTTP: an application somebody registered by hand, with one secret (by default ownerless and
   * never expiring) and an enabled service principal. Answers the secret's text too.
   */
  plantApplication(spec: PlantedApplication): {
    application: Readonly<FakeApplication>;
    servicePrincipal?: Readonly<FakeServicePrincipal> | undefined;
    secretText: string;
  };
  userByPrincipalName(upn: string): Readonly<FakeGraphUser> | undefined;
  /** When revokeSignInSessions was last called for the user (ISO, ms), or undefined. */
  sessionsRevokedAt(userId: string): string | undefined;
  /** Test setup without HTTP: a security group. */
  createGroup(displayName: string, mailNickname?: string): Readonly<FakeGroup>;
  /** The invited user accepts the invitation (same as following inviteRedeemUrl). */
  redeemInvitation(invitationIdOrUserId: string): void;
  /**
   * The next `count` passwords set through Graph (create or PATCH) are refused with Graph's 400 for a password that
   * does not comply with the password policy, whatever they are: as a banned-password list would, which a random
   * password cannot be made to meet on purpose.
   */
  refusePasswords(count: number): void;
  /** Permissions granted from now on (tokens already issued keep their roles, as in Entra ID). */
  setPermissions(permissions: readonly string[]): void;
  /** Every token issued so far expires now. */
  expireTokens(): void;
  /** Graph requests allowed per window; starts a fresh window. */
  setThrottle(limit: number, windowMs: number): void;
  /**
   * The next `count` authenticated Graph requests that pass throttling fail with `status`.
   * 429 and 503 carry `Retry-After` (default 1 s); 500/504 only when `retryAfterSeconds` is given.
   */
  failNext(count: number, status: 429 | 500 | 503 | 504, retryAfterSeconds?: number): void;
  setLatency(ms: number): void;
  /** How many answers were 429. */
  count429(): number;
  /** Forgets users, groups, invitations, e-mails, applications, service principals, the request log, pending failures and the throttling window.
   * Configuration (limits, permissions) and issued tokens stay. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * For tests: makes this process trust the fake. When the process already does (NODE_EXTRA_CA_CERTS points at the
 * fake's CA file), nothing changes; otherwise installs the in-process fallback (`trustCaInProcess`). Returns the
 * function that undoes what was done.
 */
export async function ensureTrusted(fake: Pick<GraphFake, 'origin' | 'caCertPem'>): Promise<() => void> {
  if (await isTrustedByDefault(fake.origin)) return () => undefined;
  return trustCaInProcess(fake.caCertPem);
}

function tlsMaterial(option: GraphFakeOptions['tls']): TlsMaterial {
  if (option === undefined || option === 'committed') return committedTls();
  if (option === 'generated') return generatedTls();
  return customTls(option);
}

export async function startGraphFake(options: GraphFakeOptions = {}): Promise<GraphFake> {
  const tls = tlsMaterial(options.tls);
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const verifiedDomains = options.verifiedDomains ?? ['contoso.test'];
  const initialDomain = options.initialDomain ?? 'contosotest.onmicrosoft.com';
  const dir = new Directory({ tenantId, verifiedDomains, initialDomain, redeemBaseUrl: () => ctx.origin });
  const tokens = new Tokens(tenantId);
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const ctx: GraphFakeContext = {
    dir,
    apps: new Applications(dir, {
      appId: clientId,
      servicePrincipalId: tokens.servicePrincipalId,
      displayName: 'supplier-access (graph fake)',
    }),
    tokens,
    tenantId,
    clientId,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    permissions: [...(options.permissions ?? ALL_PERMISSIONS)],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    latencyMs: options.latencyMs ?? 0,
    throttle: {
      ...(options.throttle ?? { limit: 10_000, windowMs: 60_000 }),
      windowStart: Date.now(),
      used: 0,
    },
    failures: [],
    requests: [],
    origin: '',
  };
  const app = buildServer(ctx, { key: tls.keyPem, cert: tls.certPem });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    tls.dispose();
    throw err;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('graph fake: no TCP address');
  ctx.origin = `https://127.0.0.1:${address.port}`;

  return {
    origin: ctx.origin,
    graphUrl: ctx.origin,
    version: 'v1.0',
    baseUrl: `${ctx.origin}/v1.0`,
    host: '127.0.0.1',
    authorityUrl: ctx.origin,
    tokenUrl: `${ctx.origin}/${tenantId}/oauth2/v2.0/token`,
    scope: 'https://graph.microsoft.com/.default',
    tenantId,
    clientId: ctx.clientId,
    clientSecret: ctx.clientSecret,
    verifiedDomains,
    initialDomain,
    caCertPem: tls.caCertPem,
    caFile: tls.caFile,
    requests: ctx.requests,
    graphRequests: () => ctx.requests.filter((r) => r.service === 'graph'),
    users: ctx.dir.users,
    groups: ctx.dir.groups,
    invitations: ctx.dir.invitations,
    invitationEmails: ctx.dir.invitationEmails,
    applications: ctx.apps.applications,
    servicePrincipals: ctx.apps.servicePrincipals,
    applicationByAppId: (appId) => ctx.apps.applicationByAppId(appId),
    servicePrincipalByAppId: (appId) => ctx.apps.servicePrincipalByAppId(appId),
    selfServicePrincipalId: tokens.servicePrincipalId,
    plantApplication: (spec) => {
      const planted = ctx.apps.plant(spec);
      return { ...planted, secretText: planted.application.passwordCredentials[0]?.secretText ?? '' };
    },
    userByPrincipalName: (upn) => {
      const u = ctx.dir.findUser(upn);
      return u?.userPrincipalName.toLowerCase() === upn.toLowerCase() ? u : undefined;
    },
    sessionsRevokedAt: (userId) => ctx.dir.users.get(userId)?.sessionsRevokedAt,
    createGroup: (displayName, mailNickname) =>
      ctx.dir.createGroup({
        displayName,
        mailNickname: mailNickname ?? (displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || 'group'),
        mailEnabled: false,
        securityEnabled: true,
      }),
    redeemInvitation: (id) => {
      ctx.dir.redeem(id);
    },
    refusePasswords: (count) => ctx.dir.refusePasswords(count),
    setPermissions: (permissions) => {
      ctx.permissions = [...permissions];
    },
    expireTokens: () => ctx.tokens.expireAll(),
    setThrottle: (limit, windowMs) => {
      ctx.throttle = { limit, windowMs, windowStart: Date.now(), used: 0 };
    },
    failNext: (count, status, retryAfterSeconds) => {
      if (count > 0) ctx.failures.push({ remaining: count, status, retryAfterSeconds });
    },
    setLatency: (ms) => {
      ctx.latencyMs = ms;
    },
    count429: () => ctx.requests.filter((r) => r.status === 429).length,
    reset: () => {
      ctx.dir.reset();
      ctx.apps.reset();
      ctx.requests.length = 0;
      ctx.failures.length = 0;
      ctx.throttle.windowStart = Date.now();
      ctx.throttle.used = 0;
    },
    close: async () => {
      await app.close();
      tls.dispose();
    },
  };
}
