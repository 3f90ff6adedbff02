/**
 * The rate limiter every HTTP provider shares (Okta with a bucket per endpoint group, Entra with one bucket for
 * Graph). Its wiring into each provider is tested with the provider.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter, RateLimiterClosedError, type Release } from '../../providers/rate-limiter.js';

describe('rate limiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Acquires `count` slots of `bucket`, noting when each was granted and releasing it at once. */
  function burst(limiter: RateLimiter, bucket: string, count: number, granted: number[]): Promise<void[]> {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const release = await limiter.acquire(bucket);
        granted.push(Date.now());
        release();
      }),
    );
  }

  it('never lets more than maxConcurrent requests through at once; a release lets the next one go, once', async () => {
    const limiter = new RateLimiter({ limit: 100, windowMs: 1000, maxConcurrent: 2 });
    const releases: Release[] = [];
    const waiting = Array.from({ length: 5 }, () => limiter.acquire('a').then((r) => releases.push(r)));
    await vi.advanceTimersByTimeAsync(0);
    expect(releases.length).toBe(2);
    expect(limiter.waiting).toBe(3);
    releases[0]!();
    releases[0]!(); // Releasing twice gives back one slot.
    await vi.advanceTimersByTimeAsync(0);
    expect(releases.length).toBe(3);
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(2);
    releases.slice(1).forEach((r) => r());
    await vi.advanceTimersByTimeAsync(0);
    releases.forEach((r) => r());
    await Promise.all(waiting);
    expect(limiter.active).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('serves waiters first come, first served, across buckets', async () => {
    const limiter = new RateLimiter({ limit: 100, windowMs: 1000, maxConcurrent: 1 });
    const order: string[] = [];
    const requests = ['a1', 'b1', 'a2', 'c1', 'b2'].map(async (name) => {
      const release = await limiter.acquire(name.slice(0, 1));
      order.push(name);
      release();
    });
    await Promise.all(requests);
    expect(order).toEqual(['a1', 'b1', 'a2', 'c1', 'b2']);
  });

  it('grants at most limit per window in a bucket; other buckets do not wait for it', async () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 1000, maxConcurrent: 10, marginMs: 10 });
    const a: number[] = [];
    const b: number[] = [];
    const done = Promise.all([burst(limiter, 'a', 7, a), burst(limiter, 'b', 2, b)]);
    await vi.advanceTimersByTimeAsync(3000);
    await done;
    expect(a).toEqual([0, 0, 0, 1010, 1010, 1010, 2020]);
    expect(b).toEqual([0, 0]);
  });

  it('pauses a bucket whose budget the headers say is spent, until the reset on the server clock', async () => {
    const limiter = new RateLimiter({ limit: 100, windowMs: 60_000, maxConcurrent: 10, marginMs: 10 });
    // The server's clock is 2 s behind ours: its reset at 5 s is our 7 s.
    limiter.observe('a', { status: 200, limit: 100, remaining: 0, resetAt: 5000, serverDate: -2000 });
    const a: number[] = [];
    const b: number[] = [];
    const done = Promise.all([burst(limiter, 'a', 1, a), burst(limiter, 'b', 1, b)]);
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(a).toEqual([7010]);
    expect(b).toEqual([0]);
  });

  it('a 429 pauses its bucket, and its limit header (the concurrency limit) leaves the budget alone', async () => {
    const limiter = new RateLimiter({ limit: 5, windowMs: 1000, maxConcurrent: 10, marginMs: 0 });
    limiter.observe('a', { status: 429, limit: 1, remaining: 0, resetAt: 500, serverDate: 0 });
    const a: number[] = [];
    const done = burst(limiter, 'a', 5, a);
    await vi.advanceTimersByTimeAsync(2000);
    await done;
    expect(a).toEqual([500, 500, 500, 500, 500]);
  });

  it('a smaller X-Rate-Limit-Limit lowers the budget, a larger one does not raise it', async () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 1000, maxConcurrent: 10, marginMs: 0 });
    limiter.observe('a', { status: 200, limit: 2, remaining: 1 });
    limiter.observe('b', { status: 200, limit: 50, remaining: 49 });
    const a: number[] = [];
    const b: number[] = [];
    const done = Promise.all([burst(limiter, 'a', 3, a), burst(limiter, 'b', 4, b)]);
    await vi.advanceTimersByTimeAsync(2000);
    await done;
    expect(a).toEqual([0, 0, 1000]);
    expect(b).toEqual([0, 0, 0, 1000]);
  });

  it('never pauses longer than a window, whatever reset a header claims', async () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 1000, maxConcurrent: 10, marginMs: 0 });
    limiter.observe('a', { status: 429, resetAt: 10 ** 13, serverDate: 0 });
    const a: number[] = [];
    const done = burst(limiter, 'a', 1, a);
    await vi.advanceTimersByTimeAsync(2000);
    await done;
    expect(a).toEqual([1000]);
  });

  it('pauses a bucket for a Retry-After, a shorter pause never shortens it, and other buckets go on', async () => {
    const limiter = new RateLimiter({ limit: 1000, windowMs: 1000, maxConcurrent: 10, marginMs: 0 });
    limiter.pauseFor('a', 5000);
    const a: number[] = [];
    const b: number[] = [];
    const done = Promise.all([burst(limiter, 'a', 2, a), burst(limiter, 'b', 1, b)]);
    limiter.pauseFor('a', 10);
    await vi.advanceTimersByTimeAsync(4999);
    expect(a).toEqual([]);
    expect(b).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(a).toEqual([5000, 5000]);
  });

  it('cuts a pause to maxPauseMs', async () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000, maxConcurrent: 10, maxPauseMs: 60_000 });
    limiter.pauseFor('a', 3_600_000);
    const a: number[] = [];
    const done = burst(limiter, 'a', 1, a);
    await vi.advanceTimersByTimeAsync(60_000);
    await done;
    expect(a).toEqual([60_000]);
  });

  it('close refuses whoever is waiting, and whoever asks afterwards', async () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000, maxConcurrent: 10 });
    (await limiter.acquire('a'))();
    const waiting = limiter.acquire('a');
    limiter.close();
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(waiting).rejects.toBeInstanceOf(RateLimiterClosedError);
    await expect(limiter.acquire('b')).rejects.toThrow(/closed/);
    await expect(limiter.acquire('b')).rejects.toBeInstanceOf(RateLimiterClosedError);
  });
});

describe('rate limiter on the real clock', () => {
  it('uses a real timer to wake waiters', async () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 200, maxConcurrent: 5, marginMs: 0 });
    const started = Date.now();
    const releases = await Promise.all(Array.from({ length: 3 }, () => limiter.acquire('a')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    for (const release of releases) release();
    limiter.close();
  });
});
