/**
 * The account-naming rules: an account is named after the supplier organisation, never a person. Not loaded by
 * workflows (the hash comes from `node:crypto`): the API names the account and the workflow is given the name.
 */
import { createHash } from 'node:crypto';
import anyAscii from 'any-ascii';

/** Pictures drawn as emoji by default (🚀, 👩, flags' regional indicators); © and ™ are not among them. */
const EMOJI = /\p{Emoji_Presentation}/gu;

/**
 * The organisation's name in ASCII letters, with no letter dropped: a maintained transliteration table (Ł→L,
 * Ø→O, ß→ss, Æ→Ae, and scripts other than Latin spelled out) rather than stripping diacritics, which lost every
 * letter that is not a base letter plus marks. Emoji are pictures, not letters: they are left out rather than
 * spelt as their names (the table would make "🚀 Rocket" "rocket Rocket").
 */
export function transliterate(name: string): string {
  return anyAscii(name.normalize('NFC').replace(EMOJI, ' '));
}

/** Symbols that tell two firms apart ("A&B" is not "A+B"), spelt out before the rest is reduced to dashes. */
const SPELT_OUT: ReadonlyArray<[RegExp, string]> = [
  [/&/g, ' and '],
  [/\+/g, ' plus '],
  [/@/g, ' at '],
];

/**
 * A supplier's canonical key: the same for every spelling of one legal name ("Straße & Söhne", "Strasse &
 * Söhne", "STRASSE  &  SÖHNE"), different for names a person reads as different firms ("A&B", "A+B", "A.B.").
 * Transliterated, lowercase, `&`/`+`/`@` spelt out, dots and apostrophes dropped inside words ("A.B." → "ab"),
 * every other run of characters outside `[a-z0-9]` one `-`. Empty when the name has no letter or digit.
 */
export function supplierKey(legalName: string): string {
  let text = transliterate(legalName);
  for (const [symbol, word] of SPELT_OUT) text = text.replace(symbol, word);
  return text
    .toLowerCase()
    .replace(/['.’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Whether a name has a letter or digit of its own to name an account after ("Ø" has, "*)(&" has not). */
export function hasNameCharacter(name: string): boolean {
  return /[a-z0-9]/i.test(transliterate(name));
}

/**
 * Characters of hash a shortened account name ends with: 13 base-36 characters hold 64 bits (36^13 > 2^64), so
 * two suppliers' shortened names meet only by a chance no registry will see. Lowercase letters and digits only,
 * as every directory compares account names without case.
 */
export const NAME_HASH_LENGTH = 13;

/** The 64-bit hash of `text`, in base 36, padded to {@link NAME_HASH_LENGTH} characters. */
function nameHash(text: string): string {
  const bits = createHash('sha256').update(text).digest().readBigUInt64BE(0);
  return bits.toString(36).padStart(NAME_HASH_LENGTH, '0');
}

/**
 * The `attempt`-th account name a supplier may be given on a provider whose names hold at most `maxLength`
 * characters: `prefix + key` first (`sup-a-and-b-plumbing`), then `prefix + key + "-2"`, `"-3"`… for when an
 * earlier candidate is another supplier's. A name too long for the provider is cut and ends with a 64-bit hash
 * of the whole candidate (`sup-pl-0k3…`); when the prefix leaves no room for a letter of the key, it is the
 * prefix and the hash alone. Which candidate a supplier holds is decided by the registry's reservations, not here.
 *
 * @throws {RangeError} when the key is empty, or the prefix and the hash do not fit in `maxLength`.
 */
export function accountNameCandidate(prefix: string, key: string, maxLength: number, attempt = 1): string {
  if (key === '') throw new RangeError('a supplier key names at least one letter or digit');
  if (prefix.length + NAME_HASH_LENGTH > maxLength) {
    throw new RangeError(`the prefix ${prefix} leaves no room for a ${NAME_HASH_LENGTH}-character hash`);
  }
  const full = prefix + (attempt === 1 ? key : `${key}-${attempt}`);
  if (full.length <= maxLength) return full;
  const hash = nameHash(full);
  // The cut never reaches into the prefix: the access review finds supplier accounts by it.
  const head = full.slice(0, maxLength - NAME_HASH_LENGTH - 1).replace(/-+$/, '');
  return head.length > prefix.length ? `${head}-${hash}` : `${prefix}${hash}`;
}

/** The display name of a supplier account: the organisation as written, marked as a supplier. */
export function supplierDisplayName(organisation: string): string {
  return `${organisation.trim()} (supplier)`;
}

/** What a supplier integration's name ends with, after the supplier's own name: `sup-acme-svc`. */
export const SERVICE_NAME_SUFFIX = '-svc';

/**
 * The `attempt`-th name a supplier's integration (a `service` grant) may be given on a provider: the supplier's
 * account name candidate with room kept for {@link SERVICE_NAME_SUFFIX} (`sup-acme-svc`, `sup-acme-2-svc`, a cut
 * name `sup-acme-wi-0k3…-svc`). Where the provider's names are too short for the prefix, a hash and the suffix
 * (AD's 20), it is the account candidate of the key with the suffix in it, whose hash keeps it apart.
 */
export function serviceNameCandidate(prefix: string, key: string, maxLength: number, attempt = 1): string {
  const room = maxLength - SERVICE_NAME_SUFFIX.length;
  if (prefix.length + NAME_HASH_LENGTH > room) {
    return accountNameCandidate(prefix, `${key}${SERVICE_NAME_SUFFIX}`, maxLength, attempt);
  }
  return accountNameCandidate(prefix, key, room, attempt) + SERVICE_NAME_SUFFIX;
}
