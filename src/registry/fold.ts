import { transliterate } from '../../domain/naming.js';

/**
 * The organisation as the registry matches it: compatibility-decomposed (NFKD), combining marks removed,
 * lowercased. "Électricité Côté" and "ELECTRICITE COTE" both fold to "electricite cote", so the
 * `organisation` filter ignores case and diacritics the same way in every database dialect: the databases
 * only ever compare folded text, never apply their own (collation-dependent) case rules.
 *
 * Stored in `grants.organisation_key` and applied to the filter's text; both sides must use this function.
 */
export function foldOrganisation(text: string): string {
  // `\p{M}` rather than the U+0300–U+036F block: marks of other scripts (and NFKD's output for ligatures,
  // fullwidth forms…) fold too. `toLowerCase` is locale-independent, unlike a server's default locale.
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The escape character of {@link containsPattern}'s LIKE patterns (`LIKE … ESCAPE '\'`). */
export const LIKE_ESCAPE = '\\';

/**
 * A LIKE pattern matching folded text that contains `text` (folded here). The filter text is untrusted:
 * `%`, `_` and the escape character are escaped so that "100%" means those four characters, not "100…".
 */
export function containsPattern(text: string, fold: (text: string) => string = foldOrganisation): string {
  const literal = fold(text).replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c);
  return `%${literal}%`;
}

/**
 * A supplier's legal name as the supplier name filter matches it: transliterated (Ø→o, ß→ss, Ł→l) and lowercased,
 * so that "orsted" finds "Ørsted" and "strasse" finds "Straße", which removing marks alone did not. Stored in
 * `suppliers.name_key` and applied to the filter's text.
 */
export function foldSupplierName(text: string): string {
  return transliterate(text).toLowerCase();
}
