import { escapeXml } from '../../speech/ssml.js';
import type { Locale } from '../../i18n.js';
import { defineFieldType, say, SHORT_ANSWER_LIMIT, toHalfWidth, type Msg } from './common.js';
import { chineseNumber, CN_NUMERAL_CHARS, numberSpans } from './numerals.js';
import type { FieldContext } from './types.js';

const M = {
  none: {
    'zh-CN': '没听清这个数。请说一个数，比如“12”或“三点八五”。',
    'en-US': 'I did not catch the number. Please say a number, for example "12" or "3.85".',
  },
  several: {
    'zh-CN': '您的回答里有好几个数。请只说一个数，比如“12”。',
    'en-US': 'Your answer has several numbers. Please say just one number, for example "12".',
  },
  integer: {
    'zh-CN': '这里要一个整数，不带小数。请再说一遍，比如“3”。',
    'en-US': 'A whole number is needed here, with no decimals. Please say it again, for example "3".',
  },
  belowMin: {
    'zh-CN': '这个数太小了，不能小于{min}。请再说一遍。',
    'en-US': 'That number is too small; it cannot be less than {min}. Please say it again.',
  },
  aboveMax: {
    'zh-CN': '这个数太大了，不能大于{max}。请核对一下再说一遍。',
    'en-US': 'That number is too large; it cannot be more than {max}. Please check it and say it again.',
  },
  vague: {
    'zh-CN': '这里需要一个确切的数。请说具体是多少，比如“12”。',
    'en-US': 'An exact number is needed here. Please say exactly how many, for example "12".',
  },
} satisfies Record<string, Msg>;

const NUM = `[0-9${CN_NUMERAL_CHARS}]`;
const VAGUE = new RegExp(`${NUM}\\s*(?:多|几|余)|几\\s*[十百千万个]|\\b(?:more than|several|a few)\\b`, 'u');
const NEGATIVE = new RegExp(`(?:^|[^0-9a-z])[-−－]\\s*(?=[0-9.])|负\\s*(?=${NUM})|\\bminus\\s+|\\bnegative\\s+`, 'u');

/** Interest rates come as "3.85%", "百分之三点八五", "3.85 percent": the percent sign is dropped, the figure kept. */
function dropPercent(s: string): string {
  return s.replace(/百分之/gu, '').replace(/[%％]|\bper\s*cent\b|\bpercent\b/g, ' ');
}

function check(value: number, ctx: FieldContext): string | null {
  if (!Number.isFinite(value)) return say(ctx.locale, M.none);
  const { min, max, integer } = ctx.options;
  if (integer && !Number.isInteger(value)) return say(ctx.locale, M.integer);
  if (typeof min === 'number' && value < min) return say(ctx.locale, M.belowMin, { min: plain(min) });
  if (typeof max === 'number' && value > max) return say(ctx.locale, M.aboveMax, { max: plain(max) });
  return null;
}

/** Figures without exponent or float noise; thousands grouped so long numbers stay readable. */
function plain(n: number): string {
  const [int = '0', frac] = String(Math.abs(n) < 1e21 ? n : n.toExponential()).split('.');
  const grouped = /^-?\d+$/.test(int) && Math.abs(n) >= 10000 ? int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : int;
  return frac ? `${grouped}.${frac}` : grouped;
}

export const numberField = defineFieldType({
  name: 'number',
  parse(utterance, ctx) {
    if (utterance.length > SHORT_ANSWER_LIMIT) return { ok: false, error: say(ctx.locale, M.several) };
    let text = dropPercent(toHalfWidth(utterance).toLowerCase());
    if (VAGUE.test(text)) return { ok: false, error: say(ctx.locale, M.vague) };
    const negative = NEGATIVE.test(text);
    if (negative) text = text.replace(NEGATIVE, ' ');
    const spans = numberSpans(text).filter((sp) => sp.value !== null);
    if (spans.length === 0) return { ok: false, error: say(ctx.locale, M.none) };
    if (spans.length > 1) return { ok: false, error: say(ctx.locale, M.several) };
    const found = spans[0]?.value ?? NaN;
    const value = negative ? -found : found;
    const error = check(value, ctx);
    return error ? { ok: false, error } : { ok: true, value };
  },
  validate(value, ctx) {
    if (typeof value !== 'number') return say(ctx.locale, M.none);
    return check(value, ctx);
  },
  format(value) {
    return typeof value === 'number' ? plain(value) : String(value);
  },
  speak(value, locale: Locale) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return escapeXml(String(value));
    return escapeXml(locale === 'zh-CN' ? chineseNumber(value) : plain(value));
  },
});
