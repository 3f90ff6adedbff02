import { randomBytes, randomInt } from 'node:crypto';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '-_.!@#%+=';
const ALL = LOWER + UPPER + DIGITS + SYMBOLS;

/**
 * A password to hand to a supplier once: 24 characters from a CSPRNG, with every character class present so
 * it meets the usual directory complexity rules (AD, Okta and Entra default policies).
 */
export function generatePassword(length = 24): string {
  const chars = [LOWER, UPPER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)] as string);
  while (chars.length < length) chars.push(ALL[randomInt(ALL.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** A value to overwrite a credential with that nobody ever sees: 48 random bytes. */
export function unusableSecret(): string {
  return randomBytes(48).toString('base64url');
}
