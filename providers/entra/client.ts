import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  TelemetryHandler,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { RateLimiter, type RateLimiterOptions, type Release } from '../rate-limiter.js';
import type { ResolvedEntraConfig } from './config.js';
import { clientSideFailure, retryAfterMs } from './errors.js';

/** A request that hangs longer than this fails (transiently) and gives its slot back. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long everything waits after a 429 that names no `Retry-After` (Graph nearly always sends one). */
const DEFAULT_PAUSE_MS = 1000;

/** Graph throttles per app and tenant, whatever the endpoint: every request counts against one bucket. */
export const GRAPH_BUCKET = 'graph';

/**
 * The shared limiter's settings for Graph: `requestsPerSecond` enforced over a one-second window (at least one
 * request per window, or a rate below one a second would let nothing through) with a 50 ms margin, and a
 * `Retry-After` obeyed for at most five minutes.
 */
export function graphLimiterOptions(rateLimit: ResolvedEntraConfig['rateLimit']): RateLimiterOptions {
  const windowMs = 1000;
  return {
    limit: Math.max(1, Math.floor((rateLimit.requestsPerSecond * windowMs) / 1000)),
    windowMs,
    maxConcurrent: rateLimit.maxConcurrent,
    marginMs: Math.min(100, windowMs / 20),
    maxPauseMs: 5 * 60_000,
  };
}

/** Microsoft's own authority hosts, which MSAL knows; any other one (a test fake) skips instance discovery. */
const MICROSOFT_AUTHORITIES = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

/** The token audience of each Microsoft Graph cloud; any other base URL (a fake, a proxy) stands for Graph. */
const GRAPH_SCOPES: Readonly<Record<string, string>> = {
  'graph.microsoft.com': 'https://graph.microsoft.com/.default',
  'graph.microsoft.us': 'https://graph.microsoft.us/.default',
  'dod-graph.microsoft.us': 'https://dod-graph.microsoft.us/.default',
  'microsoftgraph.chinacloudapi.cn': 'https://microsoftgraph.chinacloudapi.cn/.default',
};

/**
 * Gets the app-only token for each request from the credential (which caches it until shortly before it
 * expires). Used instead of the package's TokenCredentialAuthenticationProvider because a failure here must keep
 * its cause: the client would otherwise flatten it into a status-less GraphError, and a wrong secret (`auth`)
 * could not be told from an unreachable authority (`transient`).
 */
class CredentialAuthProvider implements AuthenticationProvider {
  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
  ) {}

  async getAccessToken(): Promise<string> {
    let token;
    try {
      token = await this.credential.getToken(this.scope);
    } catch (err) {
      throw clientSideFailure('token', err);
    }
    if (!token) throw clientSideFailure('token', new Error('the credential returned no token'));
    return token.token;
  }
}

/**
 * Between authentication and the wire: every request waits for the shared limiter, holds its slot until the
 * answer's headers arrive, and gets a timeout. A 429 (or a 503 naming a `Retry-After`) pauses every request of
 * the provider for that long. There is no retry here or anywhere in the chain: Temporal is the one retry layer,
 * and the ProviderError it sees carries the wait.
 */
class ThrottleHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly limiter: RateLimiter) {}

  async execute(context: Context): Promise<void> {
    let release: Release;
    try {
      release = await this.limiter.acquire(GRAPH_BUCKET);
    } catch (err) {
      throw clientSideFailure('closed', err);
    }
    try {
      const options = context.options ?? {};
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      options.signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      context.options = options;
      try {
        await this.next?.execute(context);
      } catch (err) {
        throw clientSideFailure('transport', err);
      }
      const response = context.response;
      if (response?.status === 429 || (response?.status === 503 && response.headers.has('retry-after'))) {
        const wait = retryAfterMs(response.headers.get('retry-after')) ?? DEFAULT_PAUSE_MS;
        this.limiter.pauseFor(GRAPH_BUCKET, wait);
      }
    } finally {
      release();
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** The Graph client and what must be released with it. */
export interface GraphConnection {
  client: Client;
  limiter: RateLimiter;
  close(): void;
}

/**
 * The client-credentials sign-in and the Graph client, with the middleware chain
 * AuthenticationHandler → ThrottleHandler → TelemetryHandler (client-request-id, for support cases) →
 * HTTPMessageHandler: the default chain's RetryHandler (three retries of its own on 429/503/504) and
 * RedirectHandler are left out on purpose.
 */
export function connect(config: ResolvedEntraConfig): GraphConnection {
  const authority = new URL(config.authorityUrl);
  const graph = new URL(config.baseUrl);
  const credential = new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, {
    authorityHost: config.authorityUrl,
    // MSAL validates an authority it does not know against login.microsoftonline.com, which a fake never passes.
    disableInstanceDiscovery: !MICROSOFT_AUTHORITIES.has(authority.hostname),
    // Its HTTP pipeline would retry a failed token request three times with backoff: Temporal retries instead.
    retryOptions: { maxRetries: 0 },
  });
  const scope = GRAPH_SCOPES[graph.hostname] ?? 'https://graph.microsoft.com/.default';
  const limiter = new RateLimiter(graphLimiterOptions(config.rateLimit));
  const middleware: Middleware[] = [
    new AuthenticationHandler(new CredentialAuthProvider(credential, scope)),
    new ThrottleHandler(limiter),
    new TelemetryHandler(),
    new HTTPMessageHandler(),
  ];
  const client = Client.initWithMiddleware({
    baseUrl: config.baseUrl,
    defaultVersion: 'v1.0',
    middleware,
    // The client sends the token only to Graph's own hosts and these (host names only, no port).
    ...(GRAPH_SCOPES[graph.hostname] ? {} : { customHosts: new Set([graph.hostname]) }),
  });
  return { client, limiter, close: () => limiter.close() };
}
