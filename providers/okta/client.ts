import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Client, RequestExecutor } from '@okta/okta-sdk-nodejs';
import { RateLimiter, type RateLimitReport } from '../rate-limiter.js';
import type { ResolvedOktaConfig } from './config.js';

/** A request that hangs longer than this fails (transiently) and gives its slot back. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The SDK types its requests as node-fetch options, whose types are not installed: the fields we touch. */
type SdkRequest = Parameters<RequestExecutor['fetch']>[0] & { method?: string; timeout?: number };
/** What we read of an answer (the SDK's node-fetch Response, whose types are not installed either). */
interface AnswerHead {
  status: number;
  headers: { get(name: string): string | null };
}

/**
 * Okta's rate-limit buckets as its published limits group endpoints (and as the fake does). Where Okta splits
 * finer (user updates and lifecycle calls, group listing and membership), one bucket here counts both, which
 * errs on the safe side.
 */
export function oktaBucket(method: string, url: string): string {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  if (path === '/api/v1/users') return 'users'; // create and list
  if (path.startsWith('/api/v1/users/')) {
    const rest = path.slice('/api/v1/users/'.length);
    return method.toUpperCase() === 'GET' && !rest.includes('/') ? 'user-get' : 'user-other';
  }
  if (path === '/api/v1/groups' || path.startsWith('/api/v1/groups/')) return 'groups';
  if (path.startsWith('/api/v1/meta/')) return 'meta';
  if (path === '/api/v1/apps' || path.startsWith('/api/v1/apps/')) return 'apps';
  return 'other';
}

function numberHeader(response: AnswerHead, name: string): number | undefined {
  const value = response.headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function reportOf(response: AnswerHead): RateLimitReport {
  const reset = numberHeader(response, 'x-rate-limit-reset');
  const date = Date.parse(response.headers.get('date') ?? '');
  return {
    status: response.status,
    limit: numberHeader(response, 'x-rate-limit-limit'),
    remaining: numberHeader(response, 'x-rate-limit-remaining'),
    resetAt: reset === undefined ? undefined : reset * 1000,
    serverDate: Number.isFinite(date) ? date : undefined,
  };
}

/**
 * The SDK's plain executor (the default one retries 429s by itself; Temporal is our only retry layer) with
 * every request passing the shared limiter, whose slot is held until the answer's headers arrive, and every
 * answer's rate-limit headers read here, in one place. It also sets a timeout, and uses our keep-alive agents
 * instead of the proxy agent the SDK derives from HTTPS_PROXY (only src/config.ts reads the environment).
 */
class LimitedRequestExecutor extends RequestExecutor {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
  ) {
    super();
  }

  override fetch(request: SdkRequest): ReturnType<RequestExecutor['fetch']> {
    return this.limitedFetch(request) as ReturnType<RequestExecutor['fetch']>;
  }

  private async limitedFetch(request: SdkRequest): Promise<unknown> {
    const url = request.url ?? '';
    const bucket = oktaBucket(request.method ?? 'GET', url);
    const release = await this.limiter.acquire(bucket);
    try {
      const { http, https } = this.agents;
      const agent = url.startsWith('https:') ? https : http;
      const options: SdkRequest = { ...request, agent, timeout: REQUEST_TIMEOUT_MS };
      const response: unknown = await super.fetch(options);
      this.limiter.observe(bucket, reportOf(response as AnswerHead));
      return response;
    } finally {
      release();
    }
  }
}

/** The SDK client and what must be released with it. */
export interface OktaConnection {
  client: Client;
  limiter: RateLimiter;
  close(): void;
}

/**
 * Builds the SDK client with every setting explicit: the SDK merges `okta.yaml` files and `OKTA_CLIENT_*`
 * variables under what it is given, so each field it reads is given here. Its response cache is off: it
 * would serve a user's status from memory after we changed it.
 */
export function connect(config: ResolvedOktaConfig): OktaConnection {
  const { requestsPerMinute, maxConcurrent, windowMs } = config.rateLimit;
  const limiter = new RateLimiter({ limit: requestsPerMinute, windowMs, maxConcurrent });
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: maxConcurrent }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: maxConcurrent }),
  };
  const settings = {
    orgUrl: config.orgUrl,
    token: config.apiToken,
    authorizationMode: 'SSWS',
    clientId: '',
    scopes: [] as string[],
    privateKey: '',
    keyId: '',
    userAgent: 'supplier-access',
    requestExecutor: new LimitedRequestExecutor(limiter, agents),
    cacheMiddleware: null,
  };
  const client = new Client(settings);
  return {
    client,
    limiter,
    close: () => {
      limiter.close();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
