/**
 * A stateful fake of Okta's Management API (v1) — the parts a provisioning tool uses — on 127.0.0.1 with a
 * random port. It follows Okta's documented behaviour: SSWS auth, user lifecycle and its invalid transitions,
 * Okta error bodies and codes, search/filter/q with cursor pagination and `Link` headers, groups, the user
 * schema (custom attributes must be defined before use), sessions, sign-in (`POST /api/v1/authn`), service apps
 * with their client secrets and the client-credentials token endpoint (`POST /oauth2/v1/token`), API tokens,
 * rate-limit headers and 429s per endpoint bucket, a concurrency limit, and injectable failures.
 *
 *   const okta = await startOktaFake({ rateLimit: { limit: 5, windowMs: 1000 } });
 *   await fetch(`${okta.url}/api/v1/users`, { headers: { Authorization: `SSWS ${okta.apiToken}` } });
 *   await okta.close();
 */
import { ApiTokens, type FakeApiToken, type PlantedApiToken } from './api-tokens.js';
import { Apps, type FakeApp, type FakeClientSecret } from './apps.js';
import type { FakeContext, RecordedRequest } from './context.js';
import { type FakeGroup, Groups } from './groups.js';
import { oktaId } from './ids.js';
import { type Bucket, BUCKETS, RateLimiter } from './rate-limiter.js';
import { UserSchema } from './schema.js';
import { buildServer } from './server.js';
import { type FakeSession, type FakeUser, type SentEmail, Users } from './users.js';

export type {
  Bucket,
  FakeApiToken,
  FakeApp,
  FakeClientSecret,
  FakeGroup,
  PlantedApiToken,
  FakeSession,
  FakeUser,
  RecordedRequest,
  SentEmail,
};
export { BUCKETS };
export type { UserStatus } from './users.js';

export interface OktaFakeOptions {
  /** Per endpoint bucket (see rate-limiter.ts); default 600 per 60_000 ms. */
  rateLimit?: { limit: number; windowMs: number };
  /** Override the limit of single buckets, e.g. `{ '/api/v1/users': 2 }`. */
  bucketLimits?: Partial<Record<Bucket, number>>;
  /** In-flight requests before 429; default 75. */
  concurrencyLimit?: number;
  /** Default 'test-okta-token'. */
  apiToken?: string;
  /** Artificial delay per request (counted as in flight); default 0. */
  latencyMs?: number;
}

export interface OktaFake {
  /** http://127.0.0.1:PORT — the org URL. */
  url: string;
  apiToken: string;
  /** Every request, in arrival order of completion: method, path, query, status, at (ms), bucket. */
  requests: RecordedRequest[];
  /** Live read-only view of the users (with their clear-text password, for assertions). */
  users: ReadonlyMap<string, FakeUser>;
  groups: ReadonlyMap<string, FakeGroup>;
  /** Live view of the apps (with their secrets in clear, for assertions). */
  apps: ReadonlyMap<string, FakeApp>;
  /** Live view of the API tokens, the fake's own among them. */
  apiTokens: ReadonlyMap<string, FakeApiToken>;
  /** The token endpoint of the org authorization server (client credentials). */
  tokenUrl: string;
  /** E-mails Okta would have sent: activation, reset_password, deactivation (to the admin). */
  emails: readonly SentEmail[];
  /** `lifecycle/reset_factors` calls. */
  factorResets: readonly { userId: string; at: string }[];
  /** Sets the limit of every bucket and starts fresh windows. */
  setRateLimit(limit: number, windowMs: number): void;
  setConcurrencyLimit(limit: number): void;
  setLatency(ms: number): void;
  /** The next `count` authenticated requests that pass rate limiting fail with `status` (Okta error body). */
  failNext(count: number, status: 500 | 503 | 429): void;
  /**
   * The next `count` passwords set through the API (create or update) are refused with Okta's answer to a password
   * its policy does not take (400 E0000001 on `password`), whatever they are: a password history or dictionary
   * check a random password cannot be made to fail on purpose.
   */
  refusePasswords(count: number): void;
  /** A signed-in session for a user (test setup, or `POST /api/v1/authn`); `DELETE …/sessions` clears them. */
  createSession(userId: string): FakeSession;
  sessionsOf(userId: string): FakeSession[];
  /**
   * An API token somebody made in the Admin Console and left (there is no API to make one). Its `value` works
   * as `SSWS` until revoked or unused for its `tokenWindow`.
   */
  plantApiToken(token: PlantedApiToken): FakeApiToken;
  /**
   * A service app an administrator made by hand for some integration, active, with one secret and no grant
   * marker: nobody granted it. `secret` is its client secret.
   */
  plantServiceApp(label: string): { app: FakeApp; secret: string };
  /** Finds a user by login (case-insensitive). */
  userByLogin(login: string): FakeUser | undefined;
  /** Forgets users, groups (Everyone stays), apps, API tokens but the fake's own, custom schema attributes, sessions, e-mails, the request log,
   * rate-limit windows and pending failures. The configured limits stay. */
  reset(): void;
  close(): Promise<void>;
  /** How many requests were answered 429 (rate limit, concurrency or injected). */
  count429(): number;
  /** Requests currently in flight. */
  inFlight(): number;
}

export async function startOktaFake(options: OktaFakeOptions = {}): Promise<OktaFake> {
  const schema = new UserSchema();
  const users = new Users(schema, oktaId('oty'));
  const groups = new Groups(users);
  const apps = new Apps();
  const apiToken = options.apiToken ?? 'test-okta-token';
  const apiTokens = new ApiTokens(apiToken);
  const limiter = new RateLimiter(
    options.rateLimit ?? { limit: 600, windowMs: 60_000 },
    options.concurrencyLimit ?? 75,
    { ...options.bucketLimits },
  );
  const ctx: FakeContext = {
    users,
    groups,
    schema,
    apps,
    apiTokens,
    limiter,
    orgUrl: '',
    apiToken,
    latencyMs: options.latencyMs ?? 0,
    failures: [],
    requests: [],
  };
  const app = buildServer(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('okta fake: no TCP address');
  ctx.orgUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: ctx.orgUrl,
    apiToken: ctx.apiToken,
    requests: ctx.requests,
    users: users.byId,
    groups: groups.byId,
    apps: apps.byId,
    apiTokens: apiTokens.byId,
    tokenUrl: `${ctx.orgUrl}/oauth2/v1/token`,
    emails: users.emails,
    factorResets: users.factorResets,
    setRateLimit: (limit, windowMs) => limiter.setRateLimit(limit, windowMs),
    setConcurrencyLimit: (limit) => limiter.setConcurrencyLimit(limit),
    setLatency: (ms) => {
      ctx.latencyMs = ms;
    },
    failNext: (count, status) => {
      if (count > 0) ctx.failures.push({ remaining: count, status });
    },
    refusePasswords: (count) => users.refusePasswords(count),
    createSession: (userId) => users.createSession(userId),
    sessionsOf: (userId) => users.sessionsOf(userId),
    plantApiToken: (token) => apiTokens.plant(token),
    plantServiceApp: (label) => {
      const app = apps.create(
        {
          name: 'oidc_client',
          label,
          signOnMode: 'OPENID_CONNECT',
          settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials'] } },
        },
        true,
      );
      return { app, secret: app.secrets[0]?.secret ?? '' };
    },
    userByLogin: (login) => users.findByLogin(login),
    reset: () => {
      users.reset();
      groups.reset();
      apps.reset();
      apiTokens.reset();
      schema.reset();
      limiter.resetCounters();
      ctx.failures.length = 0;
      ctx.requests.length = 0;
    },
    close: async () => {
      await app.close();
    },
    count429: () => ctx.requests.filter((r) => r.status === 429).length,
    inFlight: () => limiter.concurrent,
  };
}
