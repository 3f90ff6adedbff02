/**
 * The account-naming rules: an account is named after the supplier organisation, never a person. Not loaded by
 * workflows (the hash comes from `node:crypto`): the API names the account and the workflow is given the name.
 */
import { createHash } from 'node:crypto';
import anyAscii from 'any-ascii';

/**
 * The organisation's name in ASCII letters, with no letter dropped: a maintained transliteration table (Ł→L,
 * Ø→O, ß→ss, Æ→Ae, and scripts other than Latin spelled out) rather than stripping diacritics, which lost every
 * letter that is not a base letter plus marks.
 */
export function transliterate(name: string): string {
  return anyAscii(name.normalize('NFC'));
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

/**
 * Turns an organisation name into an account-name slug: NFKD, diacritics dropped, lowercase, every run of
 * characters outside `[a-z0-9]` becomes one `-`, trimmed of `-`. May return an empty string.
 */
export function slug(organisation: string): string {
  return organisation
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const HASH_LENGTH = 6;

/**
 * The account name for a supplier: `prefix + slug(organisation)`, cut to `maxLength` with a short stable hash
 * of the full name when it is too long, so two long names sharing a start still get different accounts.
 * Returns `null` when the organisation has no letter or digit to name an account after.
 */
export function accountName(prefix: string, organisation: string, maxLength: number): string | null {
  const base = slug(organisation);
  if (base === '') return null;
  const full = prefix + base;
  if (full.length <= maxLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const head = full.slice(0, maxLength - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** The display name of a supplier account: the organisation as written, marked as a supplier. */
export function supplierDisplayName(organisation: string): string {
  return `${organisation.trim()} (supplier)`;
}
