import { randomBytes } from 'node:crypto';

/** Helpers every kind of test uses: one definition each. */

/** One day in milliseconds. */
export const DAY = 86_400_000;

/** An instant `days` from now, to the whole second: every directory and provider holds it exactly. */
export function inDays(days: number): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000 + days * DAY).toISOString();
}

/** A random lower-case hex token of `length` characters (at most 16), for names no other test uses. */
export function token(length = 8): string {
  return randomBytes(8).toString('hex').slice(0, length);
}
