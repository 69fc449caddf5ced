/** The two languages the assistant speaks. zh-CN is the court's language and the default. */
export const LOCALES = ['zh-CN', 'en-US'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** A value given once per locale; specs, messages and choice titles use it. */
export type Localized<T = string> = Record<Locale, T>;

/**
 * Clients send all sorts of locale tags (zh, zh-cn, zh-Hans-CN, en, en-GB); every
 * English tag is served in en-US and everything else in the court's language.
 */
export function normalizeLocale(tag: unknown): Locale {
  // Activities from outside are not type-checked: a locale may arrive as a number or an object.
  if (typeof tag !== 'string' || !tag) return DEFAULT_LOCALE;
  return /^en\b/i.test(tag.trim()) ? 'en-US' : 'zh-CN';
}

/** Fills `{name}` placeholders; unknown placeholders are left visible so a spec mistake shows. */
export function fill(template: string, vars: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = vars[key];
    return value === undefined ? whole : String(value);
  });
}
