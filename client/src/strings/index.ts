/**
 * The catalog in the person's language: the first of the browser's
 * preferred languages that has a catalog, else English. A translation is
 * one more file beside en.ts and its entry in CATALOGS.
 */
import { de } from './de.js';
import { en, type Strings } from './en.js';

export type { Strings } from './en.js';

export const CATALOGS = { en, de } satisfies Record<string, Strings>;

export type Language = keyof typeof CATALOGS;

const supported = (tag: string): tag is Language => Object.hasOwn(CATALOGS, tag);

/** The first of `preferred` (BCP 47 tags, most wanted first) with a catalog, by its whole tag or its language: `de-AT` is `de`. */
export function chooseLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const whole = tag.toLowerCase();
    const base = whole.split('-')[0] ?? '';
    if (supported(whole)) return whole;
    if (supported(base)) return base;
  }
  return 'en';
}

/** Chosen once, when the page loads (outside a browser: English). */
export const language: Language = chooseLanguage(typeof window === 'undefined' ? [] : navigator.languages);

export const t: Strings = CATALOGS[language];
