/**
 * Okta-style rate limiting: org-wide limits per endpoint family ("bucket"), counted in fixed windows, plus a
 * limit on concurrent in-flight requests.
 *
 * Buckets (Okta publishes its limits per endpoint family; the fake gives every bucket the same configurable
 * limit, default 600 per minute, unless `bucketLimits` overrides one):
 *   - `/api/v1/users`            POST (create) and GET (list / search / filter / q) on the collection
 *   - `GET /api/v1/users/{id}`   reading one user by id or login
 *   - `/api/v1/users/*`          everything else under a user: updates, DELETE, lifecycle, sessions, grants,
 *                                 the user's groups
 *   - `/api/v1/groups*`          groups and group membership
 *   - `/api/v1/meta/*`           the user schema
 *   - `/api/v1/apps*`            apps, their lifecycle and client secrets
 *   - `/oauth2/v1/token`         the org authorization server's token endpoint
 *   - `/api/v1/*`                anything else
 *
 * Windows are fixed and aligned to the epoch (floor(now / windowMs)); `X-Rate-Limit-Reset` is the end of the
 * current window in UTC epoch seconds, rounded up. Rejected (429) requests do not consume budget.
 */

export interface RateLimitConfig {
  limit: number;
  windowMs: number;
}

export type RateHeaders = Record<
  'x-rate-limit-limit' | 'x-rate-limit-remaining' | 'x-rate-limit-reset',
  string
>;

export const BUCKETS = {
  users: '/api/v1/users',
  userById: 'GET /api/v1/users/{id}',
  userOther: '/api/v1/users/*',
  groups: '/api/v1/groups*',
  meta: '/api/v1/meta/*',
  apps: '/api/v1/apps*',
  token: '/oauth2/v1/token',
  other: '/api/v1/*',
} as const;

export type Bucket = (typeof BUCKETS)[keyof typeof BUCKETS];

export function bucketOf(method: string, path: string): Bucket {
  const p = path.replace(/\/+$/, '');
  if (p === '/api/v1/users') return BUCKETS.users;
  if (p.startsWith('/api/v1/users/')) {
    const rest = p.slice('/api/v1/users/'.length);
    if (method === 'GET' && rest.length > 0 && !rest.includes('/')) return BUCKETS.userById;
    return BUCKETS.userOther;
  }
  if (p === '/api/v1/groups' || p.startsWith('/api/v1/groups/')) return BUCKETS.groups;
  if (p.startsWith('/api/v1/meta/')) return BUCKETS.meta;
  if (p === '/api/v1/apps' || p.startsWith('/api/v1/apps/')) return BUCKETS.apps;
  if (p === '/oauth2/v1/token') return BUCKETS.token;
  return BUCKETS.other;
}

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private inFlight = 0;
  private config: RateLimitConfig;

  constructor(
    config: RateLimitConfig,
    private concurrencyLimit: number,
    private readonly bucketLimits: Partial<Record<Bucket, number>> = {},
  ) {
    this.config = { ...config };
  }

  /** Changes the limit of every bucket and starts fresh windows. */
  setRateLimit(limit: number, windowMs: number): void {
    if (!(limit >= 0) || !(windowMs > 0)) throw new Error('limit must be >= 0 and windowMs > 0');
    this.config = { limit, windowMs };
    for (const key of Object.keys(this.bucketLimits)) delete this.bucketLimits[key as Bucket];
    this.windows.clear();
  }

  setConcurrencyLimit(limit: number): void {
    this.concurrencyLimit = limit;
  }

  /** Forgets every window (budgets full again); the configured limits stay. */
  resetCounters(): void {
    this.windows.clear();
  }

  private limitOf(bucket: Bucket): number {
    return this.bucketLimits[bucket] ?? this.config.limit;
  }

  private window(bucket: Bucket, now: number): Window {
    const start = Math.floor(now / this.config.windowMs) * this.config.windowMs;
    let w = this.windows.get(bucket);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(bucket, w);
    }
    return w;
  }

  private headers(bucket: Bucket, w: Window): RateHeaders {
    const limit = this.limitOf(bucket);
    return {
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(Math.max(0, limit - w.count)),
      'x-rate-limit-reset': String(Math.ceil((w.start + this.config.windowMs) / 1000)),
    };
  }

  /** Takes one request from the bucket's budget if any is left. */
  consume(bucket: Bucket, now = Date.now()): { allowed: boolean; headers: RateHeaders } {
    const w = this.window(bucket, now);
    if (w.count >= this.limitOf(bucket)) return { allowed: false, headers: this.headers(bucket, w) };
    w.count++;
    return { allowed: true, headers: this.headers(bucket, w) };
  }

  /** The bucket's headers without consuming budget (for answers given before rate limiting, e.g. 401). */
  peek(bucket: Bucket, now = Date.now()): RateHeaders {
    return this.headers(bucket, this.window(bucket, now));
  }

  /** Registers an in-flight request; false (and nothing registered) when the concurrency limit is reached. */
  enter(): boolean {
    if (this.inFlight >= this.concurrencyLimit) return false;
    this.inFlight++;
    return true;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  get concurrent(): number {
    return this.inFlight;
  }

  /**
   * Over the concurrency limit Okta reports the concurrent values instead of the org-wide ones; its reset is
   * only an estimate. The fake says: limit = concurrency limit, remaining 0, reset = one second from now.
   */
  concurrencyHeaders(now = Date.now()): RateHeaders {
    return {
      'x-rate-limit-limit': String(this.concurrencyLimit),
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.ceil(now / 1000) + 1),
    };
  }
}
