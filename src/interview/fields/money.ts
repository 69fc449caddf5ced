import { escapeXml } from '../../speech/ssml.js';
import type { Locale } from '../../i18n.js';
import { defineFieldType, say, SHORT_ANSWER_LIMIT, toHalfWidth, type Msg } from './common.js';
import { chineseNumber, CN_NUMERAL_CHARS, numberSpans, parseChineseNumber, tidy, type NumberSpan } from './numerals.js';
import type { FieldContext, FieldOptions } from './types.js';

const DEFAULT_MAX = 1e10;
const DEFAULT_CONFIRM_ABOVE = 10000;

const M = {
  none: {
    'zh-CN': '没听清金额。请说一个数，比如“五万元”或“50000”。',
    'en-US': 'I did not catch the amount. Please say a number, for example "50,000 yuan".',
  },
  several: {
    'zh-CN': '您的回答里有好几个数，我不确定哪个是金额。请只说金额，比如“五万元”。',
    'en-US': 'Your answer has several numbers and I am not sure which one is the amount. Please say only the amount, for example "50,000 yuan".',
  },
  negative: {
    'zh-CN': '金额不能是负数。请说一个大于零的金额，比如“五万元”。',
    'en-US': 'The amount cannot be negative. Please say an amount above zero, for example "50,000 yuan".',
  },
  zero: {
    'zh-CN': '金额要大于零。请说具体是多少钱，比如“五万元”。',
    'en-US': 'The amount must be more than zero. Please say how much, for example "50,000 yuan".',
  },
  belowMin: {
    'zh-CN': '这个金额太小了，至少是{min}元。请再说一遍金额。',
    'en-US': 'That amount is too small; it must be at least {min} yuan. Please say the amount again.',
  },
  aboveMax: {
    'zh-CN': '这个金额太大了，最多是{max}元。请核对一下再说一遍。',
    'en-US': 'That amount is too large; it can be at most {max} yuan. Please check it and say it again.',
  },
  fen: {
    'zh-CN': '金额最多算到“分”，也就是小数点后两位。请再说一遍，比如“3500.50元”。',
    'en-US': 'An amount can only go down to the fen (two places after the decimal point). Please say it again, for example "3,500.50 yuan".',
  },
  vague: {
    'zh-CN': '起诉需要一个确切的数。请说具体金额，比如“五万三千元”；记不清的话，请按借条或转账记录上的数说。',
    'en-US': 'The complaint needs an exact number. Please say the exact amount, for example "53,000 yuan"; if you are not sure, use the figure on the IOU or the transfer record.',
  },
  notMoney: {
    'zh-CN': '这里需要一个金额。请说一个数，比如“五万元”。',
    'en-US': 'An amount is needed here. Please say a number, for example "50,000 yuan".',
  },
} satisfies Record<string, Msg>;

const NUM = `[0-9${CN_NUMERAL_CHARS}]`;

/**
 * 三块五 is 3.5 yuan and 五元五角 is 5.5 yuan, but once 块 and 元 are dropped they would read
 * as 35 and 55; so yuan-jiao-fen is turned into a decimal before the number is looked for.
 */
function foldJiaoFen(s: string): string {
  const Y = `(${NUM}+(?:\\.[0-9]+)?)\\s*(?:元|块|圆)钱?\\s*`;
  const read = (x: string | undefined): number | null => (x ? parseChineseNumber(x) : 0);
  const fold = (whole: string, yuan: number | null, jiao: number | null, fen: number | null): string =>
    yuan === null || jiao === null || fen === null || jiao > 9 || fen > 9 ? whole : String(tidy(yuan + jiao / 10 + fen / 100));
  return s
    // 五元五角, 三千五百元五角五分, 五块五毛
    .replace(new RegExp(`${Y}零?(${NUM})\\s*(?:角|毛)(?:\\s*零?(${NUM})\\s*分)?`, 'gu'), (w, y: string, j: string, f?: string) => fold(w, read(y), read(j), read(f)))
    // 五元零五分
    .replace(new RegExp(`${Y}零?(${NUM})\\s*分`, 'gu'), (w, y: string, f: string) => fold(w, read(y), 0, read(f)))
    // 三块五 (said, not written): a single digit right after 块/元 and nothing numeric after it
    .replace(new RegExp(`(${NUM}+)(?:块|元)(${NUM})(?![0-9${CN_NUMERAL_CHARS}角毛分月日号年])`, 'gu'), (w, y: string, j: string) => fold(w, read(y), read(j), 0));
}

/** Words that make an amount unknown (五万多, 几千): they are refused, not guessed. */
const VAGUE = new RegExp(`${NUM}\\s*(?:多|几|余|来)|几\\s*[十百千万]|\\b(?:more than|several|a few)\\b`, 'u');
const NEGATIVE = new RegExp(`(?:^|[^0-9a-z])[-−－]\\s*[0-9¥$￥]|负\\s*${NUM}|\\bminus\\b|\\bnegative\\b`, 'u');
const CURRENCY_AFTER = /^\s*(?:元|块|圆|万|亿|yuan|rmb|kuai|dollars?|bucks?|cny)/u;
const CURRENCY_BEFORE = /(?:¥|￥|\$|rmb|cny|人民币)\s*$/u;

/** The one amount in an answer, preferring the number written as money when there are several. */
function pickAmount(text: string): { value: number } | { error: 'none' | 'several' } {
  const spans = numberSpans(text).filter((sp): sp is NumberSpan & { value: number } => sp.value !== null);
  if (spans.length === 0) return { error: 'none' };
  if (spans.length === 1 && spans[0]) return { value: spans[0].value };
  const lower = text.toLowerCase();
  const money = spans.filter((sp) => /[万亿kw]/u.test(sp.text) || CURRENCY_AFTER.test(lower.slice(sp.end)) || CURRENCY_BEFORE.test(lower.slice(0, sp.start)));
  if (money.length === 1 && money[0]) return { value: money[0].value };
  return { error: 'several' };
}

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 50000 → "50,000"; 3500.5 → "3,500.50": two decimals only when there are fen. */
function figures(value: number): string {
  const fen = Math.round(value * 100);
  const yuan = Math.trunc(fen / 100);
  const rest = Math.abs(fen % 100);
  return (fen < 0 ? '-' : '') + group(String(Math.abs(yuan))) + (rest ? `.${String(rest).padStart(2, '0')}` : '');
}

function limits(options: FieldOptions): { min: number; minInclusiveZero: boolean; max: number } {
  const max = typeof options.max === 'number' && Number.isFinite(options.max) ? options.max : DEFAULT_MAX;
  const min = typeof options.min === 'number' && Number.isFinite(options.min) ? options.min : 0;
  return { min, minInclusiveZero: options.min === 0, max };
}

function check(value: number, ctx: FieldContext): string | null {
  if (!Number.isFinite(value)) return say(ctx.locale, M.notMoney);
  if (value < 0) return say(ctx.locale, M.negative);
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) return say(ctx.locale, M.fen);
  const { min, minInclusiveZero, max } = limits(ctx.options);
  if (value === 0 && !minInclusiveZero) return say(ctx.locale, M.zero);
  if (value < min) return say(ctx.locale, M.belowMin, { min: figures(min) });
  if (value > max) return say(ctx.locale, M.aboveMax, { max: figures(max) });
  return null;
}

/** The natural Chinese reading of an amount: 五万元, 三千五百元五角, 两元. */
function readYuan(value: number): string {
  const fen = Math.round(Math.abs(value) * 100);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor((fen % 100) / 10);
  const f = fen % 10;
  let out = yuan > 0 ? `${yuan === 2 ? '两' : chineseNumber(yuan)}元` : '';
  if (jiao > 0) out += `${chineseNumber(jiao)}角`;
  else if (f > 0 && yuan > 0) out += '零';
  if (f > 0) out += `${chineseNumber(f)}分`;
  return (value < 0 ? '负' : '') + (out || '零元');
}

export function formatMoney(value: number, locale: Locale): string {
  return locale === 'zh-CN' ? `${figures(value)}元` : `CNY ${figures(value)}`;
}

export const moneyField = defineFieldType({
  name: 'money',
  parse(utterance, ctx) {
    if (utterance.length > SHORT_ANSWER_LIMIT) return { ok: false, error: say(ctx.locale, M.several) };
    const text = toHalfWidth(utterance).toLowerCase().replace(/[，]/g, ',');
    if (NEGATIVE.test(text)) return { ok: false, error: say(ctx.locale, M.negative) };
    if (VAGUE.test(text)) return { ok: false, error: say(ctx.locale, M.vague) };
    const picked = pickAmount(foldJiaoFen(text));
    if ('error' in picked) return { ok: false, error: say(ctx.locale, M[picked.error]) };
    const error = check(picked.value, ctx);
    if (error) return { ok: false, error };
    const value = Math.round(picked.value * 100) / 100;
    const confirmAbove = typeof ctx.options.confirmAbove === 'number' ? ctx.options.confirmAbove : DEFAULT_CONFIRM_ABOVE;
    return value >= confirmAbove ? { ok: true, value, confirm: true } : { ok: true, value };
  },
  validate(value, ctx) {
    if (typeof value !== 'number') return say(ctx.locale, M.notMoney);
    return check(value, ctx);
  },
  format(value, locale) {
    return typeof value === 'number' && Number.isFinite(value) ? formatMoney(value, locale) : String(value);
  },
  speak(value, locale) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return escapeXml(String(value));
    return escapeXml(locale === 'zh-CN' ? readYuan(value) : `${figures(value)} yuan`);
  },
});
