/**
 * The client side of a directory's rate limits, shared by every call of one provider instance (one per worker
 * process), so all activities of a worker spend one budget.
 *
 * Requests are counted per named bucket: Okta counts per endpoint bucket in one-minute windows, Graph per app
 * and tenant (one bucket). Each bucket keeps a sliding log of when its requests went out: never more than
 * `limit` of them within any `windowMs + marginMs`, so whatever window the server's counter is in, it never
 * sees more than the limit (the margin absorbs network jitter and clock skew). Over all buckets, at most
 * `maxConcurrent` requests are in flight. Answers adapt this, as the budget is shared with other clients the
 * log cannot see: `observe` reads Okta's headers (a lower `X-Rate-Limit-Limit` lowers the bucket's limit, and
 * `X-Rate-Limit-Remaining: 0` or a 429 pauses the bucket until `X-Rate-Limit-Reset`), `pauseFor` takes a wait
 * such as a 429's `Retry-After`.
 *
 * Waiters are served first come, first served, except that a waiter whose bucket is spent or paused never
 * holds up those of other buckets.
 */

export interface RateLimiterOptions {
  /** Requests per window allowed in each bucket. */
  limit: number;
  /** The length of the window the server counts in (Okta: one minute). */
  windowMs: number;
  /** Requests in flight at once, over all buckets. */
  maxConcurrent: number;
  /** Added to every window and reset time; default min(1 s, windowMs / 50). */
  marginMs?: number | undefined;
  /** A longer `pauseFor` is cut to this (a broken header must not stop a worker for hours); default 5 min. */
  maxPauseMs?: number | undefined;
  /** The wall clock (Okta's reset times are wall-clock instants); tests pass a fake one. */
  now?: (() => number) | undefined;
}

/** What one answer said about its bucket: its status and X-Rate-Limit-* / Date headers. */
export interface RateLimitReport {
  status: number;
  /** X-Rate-Limit-Limit. */
  limit?: number | undefined;
  /** X-Rate-Limit-Remaining. */
  remaining?: number | undefined;
  /** X-Rate-Limit-Reset in epoch milliseconds of the server's clock. */
  resetAt?: number | undefined;
  /** The Date header in epoch milliseconds (whole seconds). */
  serverDate?: number | undefined;
}

/** Gives the slot back; calling it more than once is harmless. */
export type Release = () => void;

/** Thrown when the limiter (its provider) is closed: to whoever waits for a slot, and asks for one after. */
export class RateLimiterClosedError extends Error {
  override readonly name = 'RateLimiterClosedError';
  constructor() {
    super('the rate limiter is closed');
  }
}

interface Waiter {
  seq: number;
  grant: (release: Release) => void;
  fail: (err: Error) => void;
}

interface Bucket {
  limit: number;
  /** When the requests still inside the sliding window went out, oldest first. */
  sent: number[];
  pausedUntil: number;
  waiters: Waiter[];
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly maxPauseMs: number;
  private inFlight = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Local clock minus the server's, as small as seen: the Date header is rounded down to the second. */
  private clockOffset: number | undefined;
  private closed = false;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.limit > 0) || !(options.windowMs > 0) || !(options.maxConcurrent > 0)) {
      throw new RangeError('limit, windowMs and maxConcurrent must be positive');
    }
    this.now = options.now ?? (() => Date.now());
    this.marginMs = options.marginMs ?? Math.min(1000, options.windowMs / 50);
    this.maxPauseMs = options.maxPauseMs ?? 5 * 60_000;
  }

  /** Waits for a slot in `bucket`; the caller must call the returned release once its answer arrived. */
  acquire(bucket: string): Promise<Release> {
    if (this.closed) return Promise.reject(new RateLimiterClosedError());
    const state = this.bucket(bucket);
    return new Promise<Release>((grant, fail) => {
      state.waiters.push({ seq: this.seq++, grant, fail });
      this.pump();
    });
  }

  /** Learns from an answer's status and Okta's X-Rate-Limit-* headers. */
  observe(bucket: string, report: RateLimitReport): void {
    const state = this.bucket(bucket);
    const now = this.now();
    if (report.serverDate !== undefined && Number.isFinite(report.serverDate)) {
      const offset = now - report.serverDate;
      this.clockOffset = Math.min(this.clockOffset ?? offset, offset);
    }
    // A 429 for too many concurrent requests reports the concurrency limit, not the bucket's: ignore its limit.
    if (report.status !== 429 && report.limit !== undefined && report.limit > 0) {
      state.limit = Math.min(this.options.limit, report.limit);
    }
    if (report.status === 429 || report.remaining === 0) {
      state.pausedUntil = Math.max(state.pausedUntil, this.resumeAt(report.resetAt, now));
    }
    this.pump();
  }

  /**
   * Nothing of `bucket` starts for `ms` from now (a 429's `Retry-After`), at most `maxPauseMs`; a shorter
   * pause never shortens a longer one.
   */
  pauseFor(bucket: string, ms: number): void {
    const state = this.bucket(bucket);
    const wait = Math.min(Math.max(0, ms), this.maxPauseMs);
    state.pausedUntil = Math.max(state.pausedUntil, this.now() + wait);
    this.pump();
  }

  /** Requests granted and not yet released. */
  get active(): number {
    return this.inFlight;
  }

  /** Requests waiting for a slot, over all buckets. */
  get waiting(): number {
    let count = 0;
    for (const state of this.buckets.values()) count += state.waiters.length;
    return count;
  }

  /** Refuses every waiter and stops the timer. */
  close(): void {
    this.closed = true;
    this.setTimer(Infinity);
    for (const state of this.buckets.values()) {
      for (const waiter of state.waiters.splice(0)) waiter.fail(new RateLimiterClosedError());
    }
  }

  /** When a bucket told to wait for `resetAt` (server clock) may go on, on our clock. */
  private resumeAt(resetAt: number | undefined, now: number): number {
    const latest = now + this.options.windowMs + this.marginMs;
    if (resetAt === undefined || !Number.isFinite(resetAt)) return latest;
    // A reset further away than one window is a broken header or clock: never pause longer than a window.
    return Math.min(resetAt + (this.clockOffset ?? 0) + this.marginMs, latest);
  }

  private bucket(name: string): Bucket {
    let state = this.buckets.get(name);
    if (!state) {
      state = { limit: this.options.limit, sent: [], pausedUntil: 0, waiters: [] };
      this.buckets.set(name, state);
    }
    return state;
  }

  /** The earliest instant the bucket may send its next request. */
  private readyAt(state: Bucket, now: number): number {
    const window = this.options.windowMs + this.marginMs;
    while (state.sent.length > 0 && (state.sent[0] as number) <= now - window) state.sent.shift();
    const oldestThatCounts = state.sent[state.sent.length - state.limit];
    const slotFree = oldestThatCounts === undefined ? now : oldestThatCounts + window;
    return Math.max(slotFree, state.pausedUntil);
  }

  /** Grants every waiter that may go now, oldest first, and sets a timer for the next one that may not. */
  private pump(): void {
    if (this.closed) return;
    const now = this.now();
    let wakeAt = Infinity;
    while (this.inFlight < this.options.maxConcurrent) {
      let next: Bucket | undefined;
      for (const state of this.buckets.values()) {
        const head = state.waiters[0];
        if (!head) continue;
        const readyAt = this.readyAt(state, now);
        if (readyAt > now) wakeAt = Math.min(wakeAt, readyAt);
        else if (!next || head.seq < (next.waiters[0] as Waiter).seq) next = state;
      }
      if (!next) break;
      this.grant(next, next.waiters.shift() as Waiter, now);
    }
    this.setTimer(wakeAt);
  }

  private grant(state: Bucket, waiter: Waiter, now: number): void {
    state.sent.push(now);
    this.inFlight++;
    let released = false;
    waiter.grant(() => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.pump();
    });
  }

  private setTimer(at: number): void {
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(1, at - this.now()),
    );
  }
}
