import { en, type Messages } from './en.js';
import { fr } from './fr.js';

export type { Messages } from './en.js';

/** The page's languages; the first is the default. */
export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export const CATALOGUES: Record<Language, Messages> = { en, fr };

/** `fr` or `en` when `value` names one of them, else undefined. */
export function asLanguage(value: unknown): Language | undefined {
  return LANGUAGES.find((lang) => lang === value);
}

/**
 * The language a browser prefers among ours, from `Accept-Language` (`fr-CA,fr;q=0.9,en;q=0.8`): the highest
 * weight wins, a region counts for its language; English when it names neither.
 */
export function fromAcceptLanguage(header: string | undefined): Language {
  const ranked = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: asLanguage(tag.trim().toLowerCase().split('-')[0]), q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry): entry is { lang: Language; q: number } => entry.lang !== undefined && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.lang ?? 'en';
}
