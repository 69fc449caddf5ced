import { fill, normalizeLocale, type Locale, type Localized } from '../../i18n.js';
import type { FieldContext, FieldOptions, FieldType, FieldTypeName, FieldValue, ParseResult } from './types.js';
import { escapeXml } from '../../speech/ssml.js';

/*
 * Helpers shared by the field types. The answers come from speech recognizers, keyboards,
 * phone keys and kiosk buttons, so every parser first brings them to one shape here.
 */

export type Msg = Localized;

export function say(locale: Locale, msg: Msg, vars: Record<string, string | number> = {}): string {
  return fill(msg[locale], vars);
}

export function fail(locale: Locale, msg: Msg, vars: Record<string, string | number> = {}): ParseResult {
  return { ok: false, error: say(locale, msg, vars) };
}

/** Full-width ASCII (ｑ１２３，．) as typed by Chinese input methods → ASCII; ideographic space → space. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/**
 * Invisible characters that have no place in a court document: C0/C1 controls (tab, line
 * feed and carriage return are whitespace and handled apart), bidi overrides that can make
 * a name display differently from what it is, zero-width spaces, BOM, lone surrogates.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF\uFFF9-\uFFFB\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function hasControlChars(s: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(s);
  CONTROL.lastIndex = 0;
  return found;
}

export function stripControlChars(s: string): string {
  return s.replace(CONTROL, '');
}

/** Control characters removed, whitespace runs (including line breaks) made one space, trimmed. */
export function cleanText(s: string): string {
  return stripControlChars(s).replace(/\s+/g, ' ').trim();
}

/** Length as a person counts it: one per character, an emoji or a rare CJK character counting once. */
export function charLength(s: string): number {
  return Array.from(s).length;
}

export const CJK = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/;

/** Characters that belong to markup or template syntax, never to a name or an address. */
export const MARKUP = /[<>{}]/;

export const EMOJI = /\p{Extended_Pictographic}/u;

const EDGE_PUNCT = /^[\s。．.，,、；;：:!！?？~～…"'“”‘’「」『』【】]+|[\s。．.，,、；;：:!！?？~～…"'“”‘’「」『』【】]+$/g;

/** Trims the punctuation and quotes recognizers and keyboards leave around a short answer. */
export function trimPunct(s: string): string {
  return s.replace(EDGE_PUNCT, '');
}

/**
 * The usual first pass for short answers: half-width, no controls, one space between words,
 * no punctuation at the ends.
 */
export function normalizeShort(s: string): string {
  return trimPunct(cleanText(toHalfWidth(s)));
}

/** Short answers (a phone number, yes/no) longer than this are not answers, whatever they hold. */
export const SHORT_ANSWER_LIMIT = 200;

export function quoteList(locale: Locale, items: string[]): string {
  const quoted = items.map((t) => (locale === 'zh-CN' ? `“${t}”` : `"${t}"`));
  if (quoted.length <= 1) return quoted.join('');
  const last = quoted[quoted.length - 1] ?? '';
  const head = quoted.slice(0, -1);
  return locale === 'zh-CN' ? `${head.join('、')}或${last}` : `${head.join(', ')} or ${last}`;
}

/** Today in the court's time zone, used only when a caller passes no valid `today`. */
function courtToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function safeContext(ctx: Partial<FieldContext> | undefined | null): FieldContext {
  const locale = normalizeLocale(typeof ctx?.locale === 'string' ? ctx.locale : undefined);
  const today = typeof ctx?.today === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(ctx.today) ? ctx.today : courtToday();
  const options: FieldOptions = ctx?.options && typeof ctx.options === 'object' ? ctx.options : {};
  return { locale, today, options };
}

const GENERIC_ERROR: Msg = {
  'zh-CN': '对不起，这个回答我没能读懂。请再说一遍，也可以说“人工”找工作人员帮忙。',
  'en-US': 'Sorry, I could not read that answer. Please say it again, or say "person" to get help from a staff member.',
};

export interface FieldTypeDef {
  name: FieldTypeName;
  parse(utterance: string, ctx: FieldContext): ParseResult;
  validate(value: unknown, ctx: FieldContext): string | null;
  format(value: FieldValue, locale: Locale, options: FieldOptions): string;
  speak(value: FieldValue, locale: Locale, options: FieldOptions): string;
}

/**
 * Wraps a field type so that no input, however odd, can throw out of it: a filer at a
 * kiosk must always get a kind re-ask, never a crashed conversation. Also hands the
 * implementation a clean context and a string utterance.
 */
export function defineFieldType(def: FieldTypeDef): FieldType {
  return {
    name: def.name,
    parse(utterance, ctx) {
      const safe = safeContext(ctx);
      try {
        return def.parse(typeof utterance === 'string' ? utterance : utterance == null ? '' : String(utterance), safe);
      } catch {
        return { ok: false, error: say(safe.locale, GENERIC_ERROR) };
      }
    },
    validate(value, ctx) {
      const safe = safeContext(ctx);
      try {
        return def.validate(value, safe);
      } catch {
        return say(safe.locale, GENERIC_ERROR);
      }
    },
    format(value, locale, options) {
      const loc = normalizeLocale(locale);
      try {
        return def.format(value, loc, options ?? {});
      } catch {
        return cleanText(String(value));
      }
    },
    speak(value, locale, options) {
      const loc = normalizeLocale(locale);
      try {
        return def.speak(value, loc, options ?? {});
      } catch {
        return escapeXml(cleanText(String(value)));
      }
    },
  };
}

/** Removes the first matching lead-in phrase ("我叫", "my name is"), repeatedly, case-insensitively. */
export function stripLeadIns(s: string, leadIns: RegExp[]): string {
  let out = s;
  for (let round = 0; round < 4; round += 1) {
    const before = out;
    for (const re of leadIns) out = out.replace(re, '').trim();
    out = trimPunct(out);
    if (out === before) break;
  }
  return out;
}

/**
 * A lookup table without a prototype: answers are looked up in these tables, and an answer
 * of "constructor" or "__proto__" must find nothing rather than Object's own properties.
 */
export function dict<T>(entries: Record<string, T>): Record<string, T> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
