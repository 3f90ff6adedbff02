/**
 * The client side of Microsoft Graph's throttling, shared by every call of one provider instance (one per
 * worker process), so all activities of a worker spend one budget.
 *
 * Graph counts requests per app and tenant over short windows and answers 429 with `Retry-After` once over.
 * Here a sliding log of start times lets at most `requestsPerSecond × windowMs / 1000` requests start within any
 * `windowMs + marginMs` (the margin absorbs network jitter, so whatever window Graph's counter is in, it never
 * sees more), and at most `maxConcurrent` run at once. After a 429 nothing starts until its `Retry-After` has
 * passed: the budget is shared with the tenant's other clients, which the log cannot see.
 *
 * Waiters are served first come, first served.
 */

export interface LimiterOptions {
  /** Requests that may start per second, on average over the window. */
  requestsPerSecond: number;
  /** Requests in flight at once. */
  maxConcurrent: number;
  /** The window the rate is enforced over; default 1000 ms. */
  windowMs?: number | undefined;
  /** Added to the window; default min(100 ms, windowMs / 20). */
  marginMs?: number | undefined;
  /** A pause asked for longer than this is cut to it (a broken header must not stop a worker for hours). */
  maxPauseMs?: number | undefined;
  /** The clock; tests pass a fake one. */
  now?: (() => number) | undefined;
}

/** Gives the slot back; calling it more than once is harmless. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  fail: (err: Error) => void;
}

/** Thrown to waiters when the provider is closed. */
export class LimiterClosedError extends Error {
  override readonly name = 'LimiterClosedError';
  constructor() {
    super('the Graph request limiter is closed');
  }
}

export class RequestLimiter {
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly marginMs: number;
  private readonly perWindow: number;
  private readonly maxPauseMs: number;
  /** When the requests still inside the sliding window started, oldest first. */
  private readonly started: number[] = [];
  private readonly waiters: Waiter[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;

  constructor(private readonly options: LimiterOptions) {
    if (!(options.requestsPerSecond > 0) || !(options.maxConcurrent >= 1)) {
      throw new RangeError('requestsPerSecond and maxConcurrent must be positive');
    }
    this.now = options.now ?? (() => Date.now());
    this.windowMs = options.windowMs ?? 1000;
    this.marginMs = options.marginMs ?? Math.min(100, this.windowMs / 20);
    // At least one request per window, or a rate below 1/window would never let anything through.
    this.perWindow = Math.max(1, Math.floor((options.requestsPerSecond * this.windowMs) / 1000));
    this.maxPauseMs = options.maxPauseMs ?? 5 * 60_000;
  }

  /** Waits for a slot; the caller must call the returned release once its answer arrived. */
  acquire(): Promise<Release> {
    if (this.closed) return Promise.reject(new LimiterClosedError());
    return new Promise<Release>((grant, fail) => {
      this.waiters.push({ grant, fail });
      this.pump();
    });
  }

  /** Nothing starts for `ms` from now (a 429's `Retry-After`); a shorter pause never shortens a longer one. */
  pauseFor(ms: number): void {
    const wait = Math.min(Math.max(0, ms), this.maxPauseMs);
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + wait);
    this.pump();
  }

  /** Requests granted and not yet released. */
  get active(): number {
    return this.inFlight;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Refuses every waiter and stops the timer. */
  close(): void {
    this.closed = true;
    this.setTimer(Infinity);
    for (const waiter of this.waiters.splice(0)) waiter.fail(new LimiterClosedError());
  }

  /** The earliest instant the next request may start. */
  private readyAt(now: number): number {
    const window = this.windowMs + this.marginMs;
    while (this.started.length > 0 && (this.started[0] as number) <= now - window) this.started.shift();
    const oldestThatCounts = this.started[this.started.length - this.perWindow];
    const slotFree = oldestThatCounts === undefined ? now : oldestThatCounts + window;
    return Math.max(slotFree, this.pausedUntil);
  }

  /** Grants waiters while the rate, the concurrency and any pause allow; sets a timer for the next one. */
  private pump(): void {
    if (this.closed) return;
    const now = this.now();
    let wakeAt = Infinity;
    while (this.waiters.length > 0 && this.inFlight < this.options.maxConcurrent) {
      const readyAt = this.readyAt(now);
      if (readyAt > now) {
        wakeAt = readyAt;
        break;
      }
      this.grant(this.waiters.shift() as Waiter, now);
    }
    this.setTimer(wakeAt);
  }

  private grant(waiter: Waiter, now: number): void {
    this.started.push(now);
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
