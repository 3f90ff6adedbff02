import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomChars(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * Okta ids are 20 characters: a 3-character type prefix ('00u' user, '00g' group, '0oa' app, 'ocs' client secret,
 * '00T' API token, ...) and 17 random ones.
 */
export function oktaId(prefix: '00u' | '00g' | '102' | 'oty' | 'tok' | '0oa' | 'ocs' | '00T'): string {
  return prefix + randomChars(17);
}

/** Okta's timestamps: ISO-8601 UTC with milliseconds. */
export function isoNow(now = Date.now()): string {
  return new Date(now).toISOString();
}
