import { escapeXml } from '../../speech/ssml.js';
import type { Locale } from '../../i18n.js';
import { defineFieldType, dict, say, SHORT_ANSWER_LIMIT, toHalfWidth, type Msg } from './common.js';
import { chineseNumber, CN_NUMERAL_CHARS, parseChineseNumber, parseEnglishNumber } from './numerals.js';
import type { FieldContext, ParseResult } from './types.js';

/*
 * Dates, read by hand: the date-time recognizer throws on 三天后 and 两周前 and misreads
 * 一月二十三, and a wrong date in a complaint (a loan date, a due date) changes the case.
 * Everything is computed on calendar days in UTC, counting from ctx.today.
 */

interface Ymd { y: number; m: number; d: number }
type Found = { kind: 'day'; date: Ymd } | { kind: 'month'; y: number; m: number } | { kind: 'year'; y: number } | { kind: 'error'; msg: Msg; vars?: Record<string, string | number> };

const M = {
  unknown: {
    'zh-CN': '没听懂这个日期。请说年、月、日，比如“2024年3月5日”；也可以说“昨天”“三天前”“上周五”。',
    'en-US': 'I did not understand that date. Please say the day, month and year, for example "5 March 2024"; you can also say "yesterday", "3 days ago" or "last Friday".',
  },
  noSuchDay: {
    'zh-CN': '{y}年{m}月没有{d}日。请再说一遍日期，比如“2024年3月5日”。',
    'en-US': '{monthName} {y} has no day {d}. Please say the date again, for example "5 March 2024".',
  },
  noSuchMonth: {
    'zh-CN': '没有{m}月，一年只有12个月。请再说一遍日期，比如“2024年3月5日”。',
    'en-US': 'There is no month {m}; a year has 12 months. Please say the date again, for example "5 March 2024".',
  },
  badYear: {
    'zh-CN': '{y}年这个年份好像不对。请再说一遍日期，年份说四位数，比如“2024年3月5日”。',
    'en-US': 'The year {y} does not look right. Please say the date again with a four-digit year, for example "5 March 2024".',
  },
  needDay: {
    'zh-CN': '请再说一下是{when}的哪一天，比如“{example}”。记不清的话，说个大概的日子也可以。',
    'en-US': 'Which day in {when}? For example "{example}". If you do not remember exactly, a close day is fine.',
  },
  needMonthDay: {
    'zh-CN': '请再说一下是{y}年的几月几日，比如“{y}年3月5日”。',
    'en-US': 'Which month and day in {y}? For example "5 March {y}".',
  },
  notPast: {
    'zh-CN': '您说的是{date}，还没到呢。这里要的是已经过去的日子，不能晚于今天。请再说一遍，比如“2024年3月5日”或“三天前”。',
    'en-US': 'You said {date}, which has not come yet. This must be a day that has already passed, not after today. Please say it again, for example "5 March 2024" or "3 days ago".',
  },
  notFuture: {
    'zh-CN': '您说的是{date}，已经过去了。这里要的是今天或以后的日子。请再说一遍，比如“下周一”。',
    'en-US': 'You said {date}, which has already passed. This must be today or a later day. Please say it again, for example "next Monday".',
  },
  ambiguous: {
    'zh-CN': '“{a}/{b}”可以是{a}月{b}日，也可以是{b}月{a}日。请用“年月日”说，比如“2024年3月5日”。',
    'en-US': '"{a}/{b}" could be month {a} day {b}, or day {a} month {b}. Please say the month as a word, for example "5 March 2024".',
  },
  notDate: {
    'zh-CN': '这里需要一个日期，比如“2024年3月5日”。',
    'en-US': 'A date is needed here, for example "5 March 2024".',
  },
  monthNotAllowed: {
    'zh-CN': '这里需要具体到哪一天，比如“2018年10月5日”。',
    'en-US': 'A specific day is needed here, for example "5 October 2018".',
  },
} satisfies Record<string, Msg>;

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const EN_MONTHS: Record<string, number> = dict({
  ...Object.fromEntries(MONTH_NAMES.flatMap((name, i) => [[name.toLowerCase(), i + 1], [name.toLowerCase().slice(0, 3), i + 1]])),
  sept: 9,
});
const EN_WEEKDAYS: Record<string, number> = dict({
  monday: 1, mon: 1, tuesday: 2, tue: 2, tues: 2, wednesday: 3, wed: 3, thursday: 4, thu: 4, thur: 4, thurs: 4, friday: 5, fri: 5, saturday: 6, sat: 6, sunday: 7, sun: 7,
});
const EN_ORDINAL_WORDS: Record<string, number> = dict({
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, eleventh: 11, twelfth: 12,
  thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17, eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30,
});

// ---- calendar arithmetic -------------------------------------------------------------

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const toUtc = (d: Ymd): Date => new Date(Date.UTC(d.y, d.m - 1, d.d));
const fromUtc = (t: Date): Ymd => ({ y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() });
const addDays = (d: Ymd, n: number): Ymd => fromUtc(new Date(toUtc(d).getTime() + n * 86400000));
/** Months forward or back, the day clamped to the month's end (31 March − 1 month = 29 February). */
function addMonths(d: Ymd, n: number): Ymd {
  const index = d.y * 12 + (d.m - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return { y, m, d: Math.min(d.d, daysIn(y, m)) };
}
/** Monday 1 … Sunday 7, as Chinese weeks count. */
const weekday = (d: Ymd): number => ((toUtc(d).getUTCDay() + 6) % 7) + 1;
const pad = (n: number): string => String(n).padStart(2, '0');
const iso = (d: Ymd): string => `${d.y}-${pad(d.m)}-${pad(d.d)}`;
const isoMonth = (y: number, m: number): string => `${y}-${pad(m)}`;
const cmp = (a: Ymd, b: Ymd): number => (a.y - b.y) * 10000 + (a.m - b.m) * 100 + (a.d - b.d);

function parseToday(today: string): Ymd {
  const [y = 2000, m = 1, d = 1] = today.split('-').map(Number);
  return { y, m, d };
}

// ---- building results ----------------------------------------------------------------

function day(y: number, m: number, d: number): Found {
  if (!Number.isInteger(y) || y < 1900 || y > 2200) return { kind: 'error', msg: M.badYear, vars: { y } };
  if (m < 1 || m > 12) return { kind: 'error', msg: M.noSuchMonth, vars: { m } };
  if (d < 1 || d > daysIn(y, m)) return { kind: 'error', msg: M.noSuchDay, vars: { y, m, d, monthName: MONTH_NAMES[m - 1] ?? '' } };
  return { kind: 'day', date: { y, m, d } };
}

function month(y: number, m: number): Found {
  if (!Number.isInteger(y) || y < 1900 || y > 2200) return { kind: 'error', msg: M.badYear, vars: { y } };
  if (m < 1 || m > 12) return { kind: 'error', msg: M.noSuchMonth, vars: { m } };
  return { kind: 'month', y, m };
}

/** A two-digit year (24.3.5, 零五年): this century unless that would be in the future. */
function fullYear(yy: number, today: Ymd, future: boolean): number {
  if (yy >= 100) return yy;
  const thisCentury = 2000 + yy;
  return thisCentury <= today.y || future ? thisCentury : 1900 + yy;
}

/**
 * A month and day without a year: this year, or the year before when the field wants a past
 * date and this year's would still be ahead (said in January about December), or the year
 * after for a future date already gone.
 */
function dayNoYear(m: number, d: number, today: Ymd, ctx: FieldContext): Found {
  if (m < 1 || m > 12) return { kind: 'error', msg: M.noSuchMonth, vars: { m } };
  let y = today.y;
  if (d >= 1 && d <= daysIn(y, m)) {
    const c = cmp({ y, m, d }, today);
    if (ctx.options.past && c > 0) y -= 1;
    else if (ctx.options.future && c < 0) y += 1;
  }
  return day(y, m, d);
}

function monthNoYear(m: number, today: Ymd, ctx: FieldContext): Found {
  let y = today.y;
  if (ctx.options.past && m > today.m) y -= 1;
  else if (ctx.options.future && m < today.m) y += 1;
  return month(y, m);
}

function dayOfMonthOnly(d: number, today: Ymd, ctx: FieldContext): Found {
  let base = { y: today.y, m: today.m };
  if (ctx.options.past && d > today.d) base = addMonths({ ...today, d: 1 }, -1);
  else if (ctx.options.future && d < today.d) base = addMonths({ ...today, d: 1 }, 1);
  return day(base.y, base.m, d);
}

/** A weekday in the previous (-1), this (0) or next (1) Monday-to-Sunday week. */
function weekdayInWeek(n: number, which: number, today: Ymd): Found {
  const monday = addDays(today, 1 - weekday(today));
  return { kind: 'day', date: addDays(monday, which * 7 + (n - 1)) };
}

/** A bare weekday: the coming one for future fields, else the latest one (today included). */
function bareWeekday(n: number, today: Ymd, ctx: FieldContext): Found {
  const w = weekday(today);
  if (ctx.options.future) return { kind: 'day', date: addDays(today, (n - w + 7) % 7) };
  return { kind: 'day', date: addDays(today, -((w - n + 7) % 7)) };
}

function shift(today: Ymd, amount: number, unit: string): Found {
  if (!Number.isFinite(amount) || Math.abs(amount) > 200 * 366) return { kind: 'error', msg: M.unknown };
  switch (unit) {
    case 'day': return { kind: 'day', date: addDays(today, Math.round(amount)) };
    case 'week': return { kind: 'day', date: addDays(today, Math.round(amount * 7)) };
    case 'month':
      return Number.isInteger(amount) ? { kind: 'day', date: addMonths(today, amount) } : { kind: 'day', date: addDays(today, Math.round(amount * 30)) };
    case 'year':
      return Number.isInteger(amount) ? { kind: 'day', date: addMonths(today, amount * 12) } : { kind: 'day', date: addMonths(today, Math.round(amount * 12)) };
    default: return { kind: 'error', msg: M.unknown };
  }
}

// ---- Chinese ---------------------------------------------------------------------------

const CN_RUN = new RegExp(`[${CN_NUMERAL_CHARS}]+`, 'gu');

/** 二零二四 → 2024 (digits kept as said, zeros too); 二十三 → 23; 周一 → 周1. */
function cnNumeralsToFigures(s: string): string {
  return s.replace(CN_RUN, (run) => {
    // Digits said one by one keep every digit, zeros included (二零零五 → 2005, 零五年 → 05).
    if (run.length > 1 && /^[零〇一壹幺二两贰三叁四肆五伍六陆七柒八捌九玖]+$/u.test(run)) {
      return [...run].map((c) => String(parseChineseNumber(c) ?? c)).join('');
    }
    const v = parseChineseNumber(run);
    return v === null ? run : String(v);
  });
}

const ZH_FILLER = /日期是|日期|大概是|大概|大约是|大约|差不多|好像是|好像|应该是|那一天|那天|的时候|左右|前后|是在|是|在|于|大概在|上午|下午|晚上|早上|中午|凌晨|傍晚|夜里|\d{1,2}点(?:\d{1,2}分|半|钟)?/gu;

function readChinese(raw: string, today: Ymd, ctx: FieldContext): Found | null {
  let s = cnNumeralsToFigures(raw.replace(/\s+/g, ''));
  s = s
    .replace(/(?:个)?(?:星期|礼拜)/gu, '周')
    .replace(/周(?:日|天)/gu, '周7')
    .replace(/号/gu, '日')
    .replace(/(\d)\s*[.．。]\s*$/u, '$1');
  const relativeDays: Record<string, number> = dict({ 今天: 0, 今日: 0, 当天: 0, 昨天: -1, 昨日: -1, 前天: -2, 前日: -2, 大前天: -3, 明天: 1, 明日: 1, 后天: 2, 大后天: 3 });
  const stripped = s.replace(ZH_FILLER, '').replace(/[，,。.!！?？]+$/u, '');
  for (const text of [s, stripped]) {
    const found = readChineseExact(text, today, ctx, relativeDays);
    if (found) return found;
  }
  // A full date inside a longer sentence: 我是2024年3月5日借给他的.
  const all = [...stripped.matchAll(/(\d{4})年(\d{1,2})月(\d{1,2})(?!\d)日?/gu)];
  if (all.length === 1 && all[0]) return day(Number(all[0][1]), Number(all[0][2]), Number(all[0][3]));
  return null;
}

function readChineseExact(s: string, today: Ymd, ctx: FieldContext, relativeDays: Record<string, number>): Found | null {
  if (s in relativeDays) return { kind: 'day', date: addDays(today, relativeDays[s] ?? 0) };
  let m: RegExpExecArray | null;
  const units: Record<string, string> = { 天: 'day', 日: 'day', 周: 'week', 个月: 'month', 年: 'year' };
  // 三天前, 两周前, 半个月前, 3个月以前, 一年前; 三天后, 3天以后
  if ((m = /^(\d+(?:\.\d+)?|半)(?:多)?(天|日|周|个月|年)(?:以前|之前|前)$/u.exec(s))) {
    return shift(today, -(m[1] === '半' ? 0.5 : Number(m[1])), units[m[2] ?? ''] ?? '');
  }
  if ((m = /^(\d+(?:\.\d+)?|半)(天|日|周|个月|年)(?:以后|之后|后)$/u.exec(s))) {
    return shift(today, m[1] === '半' ? 0.5 : Number(m[1]), units[m[2] ?? ''] ?? '');
  }
  // 上周五, 这周一, 本周三, 下周一, 上上周五
  if ((m = /^(上上|上|这|本|下下|下)周([1-7])$/u.exec(s))) {
    const which: Record<string, number> = { 上上: -2, 上: -1, 这: 0, 本: 0, 下: 1, 下下: 2 };
    return weekdayInWeek(Number(m[2]), which[m[1] ?? ''] ?? 0, today);
  }
  if ((m = /^周([1-7])$/u.exec(s))) return bareWeekday(Number(m[1]), today, ctx);
  // 上个月5日, 这个月5日, 下月10日; 上个月 (month only)
  if ((m = /^(上上|上|这|本|下)个?月(?:(\d{1,2})日?)?$/u.exec(s))) {
    const which: Record<string, number> = { 上上: -2, 上: -1, 这: 0, 本: 0, 下: 1 };
    const base = addMonths({ ...today, d: 1 }, which[m[1] ?? ''] ?? 0);
    return m[2] ? day(base.y, base.m, Number(m[2])) : month(base.y, base.m);
  }
  // 去年十月, 去年10月5日, 前年, 今年3月5日
  if ((m = /^(前|去|今|明|后)年(?:(\d{1,2})月(?:(\d{1,2})日?)?)?$/u.exec(s))) {
    const which: Record<string, number> = { 前: -2, 去: -1, 今: 0, 明: 1, 后: 2 };
    const y = today.y + (which[m[1] ?? ''] ?? 0);
    if (!m[2]) return { kind: 'year', y };
    return m[3] ? day(y, Number(m[2]), Number(m[3])) : month(y, Number(m[2]));
  }
  // 2024年3月5日, 24年3月5日, 2024-03-05, 2024/3/5, 2024.3.5, 24.3.5
  if ((m = /^(\d{4}|\d{2})(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})日?$/u.exec(s))) {
    return day(fullYear(Number(m[1]), today, !!ctx.options.future), Number(m[2]), Number(m[3]));
  }
  // 2018年10月, 2018-10 (month only)
  if ((m = /^(\d{4}|\d{2})(?:年|[-/.])(\d{1,2})月?$/u.exec(s)) && (s.includes('年') || (m[1] ?? '').length === 4)) {
    return month(fullYear(Number(m[1]), today, !!ctx.options.future), Number(m[2]));
  }
  if ((m = /^(\d{4})年?$/u.exec(s)) && (s.includes('年') || s.length === 4)) return { kind: 'year', y: Number(m[1]) };
  // 3月5日, 一月二十三 (→ 1月23)
  if ((m = /^(\d{1,2})月(\d{1,2})日?$/u.exec(s))) return dayNoYear(Number(m[1]), Number(m[2]), today, ctx);
  if ((m = /^(\d{1,2})月(?:份)?$/u.exec(s))) return monthNoYear(Number(m[1]), today, ctx);
  if ((m = /^(\d{1,2})日$/u.exec(s))) return dayOfMonthOnly(Number(m[1]), today, ctx);
  return null;
}

// ---- English ---------------------------------------------------------------------------

function englishWordsToFigures(s: string): string {
  return s
    .replace(/\b(twenty|thirty)[\s-]+(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b/g, (_w, tens: string, ord: string) =>
      String((tens === 'twenty' ? 20 : 30) + (EN_ORDINAL_WORDS[ord] ?? 0)))
    .replace(/\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)\b/g, (w) => String(EN_ORDINAL_WORDS[w] ?? w))
    .replace(/\b(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+)?(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b/g, (w) => {
      const v = parseEnglishNumber(w);
      return v === null ? w : String(v);
    })
    .replace(/\bhalf\s+an?\s+(?=(?:day|week|month|year)\b)/g, '0.5 ')
    .replace(/\b(a|an)\s+(?=(?:day|week|month|year)s?\b)/g, '1 ');
}

function readEnglish(raw: string, today: Ymd, ctx: FieldContext): Found | null {
  let s = englishWordsToFigures(raw.toLowerCase())
    .replace(/[’‘`]/g, "'")
    .replace(/(\d+)(?:st|nd|rd|th)\b/g, '$1')
    .replace(/[,]/g, ' ')
    .replace(/\b(?:it was|it is|it's|that was|about|around|roughly|approximately|on|the|of|in the year|date is|day was)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?]+$/, '');
  const rel: Record<string, number> = dict({ today: 0, yesterday: -1, 'day before yesterday': -2, tomorrow: 1, 'day after tomorrow': 2 });
  if (s in rel) return { kind: 'day', date: addDays(today, rel[s] ?? 0) };
  let m: RegExpExecArray | null;
  if ((m = /^(\d+(?:\.\d+)?) (day|week|month|year)s? (?:ago|before|back|earlier)$/.exec(s))) return shift(today, -Number(m[1]), m[2] ?? '');
  if ((m = /^(?:in (\d+(?:\.\d+)?) (day|week|month|year)s?(?: time)?|(\d+(?:\.\d+)?) (day|week|month|year)s? (?:from now|later|after|from today))$/.exec(s))) {
    return shift(today, Number(m[1] ?? m[3]), m[2] ?? m[4] ?? '');
  }
  if ((m = /^(last|this|next|coming)? ?([a-z]+)$/.exec(s)) && (m[2] ?? '') in EN_WEEKDAYS) {
    const n = EN_WEEKDAYS[m[2] ?? ''] ?? 1;
    const w = weekday(today);
    if (m[1] === 'last') return { kind: 'day', date: addDays(today, -((w - n + 7) % 7 || 7)) };
    if (m[1] === 'next' || m[1] === 'coming') return { kind: 'day', date: addDays(today, (n - w + 7) % 7 || 7) };
    if (m[1] === 'this') return weekdayInWeek(n, 0, today);
    return bareWeekday(n, today, ctx);
  }
  // 2024-03-05, 2024/3/5
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s))) return day(Number(m[1]), Number(m[2]), Number(m[3]));
  // 24.3.5 (year first, as Chinese writes it)
  if ((m = /^(\d{2})\.(\d{1,2})\.(\d{1,2})$/.exec(s))) return day(fullYear(Number(m[1]), today, !!ctx.options.future), Number(m[2]), Number(m[3]));
  // 3/5/2024: month first in the US, day first elsewhere; when both could be months, ask.
  if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/.exec(s))) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = fullYear(Number(m[3]), today, !!ctx.options.future);
    if (a > 12) return day(y, b, a);
    if (b > 12 || a === b) return day(y, a, b);
    return { kind: 'error', msg: M.ambiguous, vars: { a, b } };
  }
  const monthOf = (w: string | undefined): number | undefined => (w ? EN_MONTHS[w] : undefined);
  // March 5 2024 / 5 March 2024 / March 2024 / March 5 / 5 March / March
  if ((m = /^([a-z]+) (\d{1,2}) (\d{4})$/.exec(s)) && monthOf(m[1])) return day(Number(m[3]), monthOf(m[1]) ?? 0, Number(m[2]));
  if ((m = /^(\d{1,2}) ([a-z]+) (\d{4})$/.exec(s)) && monthOf(m[2])) return day(Number(m[3]), monthOf(m[2]) ?? 0, Number(m[1]));
  if ((m = /^([a-z]+) (\d{4})$/.exec(s)) && monthOf(m[1])) return month(Number(m[2]), monthOf(m[1]) ?? 0);
  if ((m = /^([a-z]+) (\d{1,2})$/.exec(s)) && monthOf(m[1])) return dayNoYear(monthOf(m[1]) ?? 0, Number(m[2]), today, ctx);
  if ((m = /^(\d{1,2}) ([a-z]+)$/.exec(s)) && monthOf(m[2])) return dayNoYear(monthOf(m[2]) ?? 0, Number(m[1]), today, ctx);
  // last October, October last year, this March
  if ((m = /^(last|this|next) ([a-z]+)$/.exec(s)) && monthOf(m[2])) {
    const mm = monthOf(m[2]) ?? 0;
    if (m[1] === 'this') return month(today.y, mm);
    if (m[1] === 'last') return month(mm < today.m ? today.y : today.y - 1, mm);
    return month(mm > today.m ? today.y : today.y + 1, mm);
  }
  if ((m = /^([a-z]+) (last|this|next) year$/.exec(s)) && monthOf(m[1])) {
    return month(today.y + ({ last: -1, this: 0, next: 1 }[m[2] as 'last' | 'this' | 'next'] ?? 0), monthOf(m[1]) ?? 0);
  }
  if ((m = /^([a-z]+)$/.exec(s)) && monthOf(m[1])) return monthNoYear(monthOf(m[1]) ?? 0, today, ctx);
  // the 5th of last month, last month on the 5th
  if ((m = /^(\d{1,2}) (last|this|next) month$/.exec(s)) || (m = /^(last|this|next) month (\d{1,2})$/.exec(s))) {
    const which = /^\d/.test(m[1] ?? '') ? m[2] : m[1];
    const d = Number(/^\d/.test(m[1] ?? '') ? m[1] : m[2]);
    const base = addMonths({ ...today, d: 1 }, which === 'last' ? -1 : which === 'next' ? 1 : 0);
    return day(base.y, base.m, d);
  }
  if ((m = /^(last|this|next) month$/.exec(s))) {
    const base = addMonths({ ...today, d: 1 }, m[1] === 'last' ? -1 : m[1] === 'next' ? 1 : 0);
    return month(base.y, base.m);
  }
  if ((m = /^(last|this|next) year$/.exec(s))) return { kind: 'year', y: today.y + (m[1] === 'last' ? -1 : m[1] === 'next' ? 1 : 0) };
  if ((m = /^(\d{4})$/.exec(s))) return { kind: 'year', y: Number(m[1]) };
  return null;
}

// ---- the field --------------------------------------------------------------------------

function formatDay(d: Ymd, locale: Locale): string {
  return locale === 'zh-CN' ? `${d.y}年${d.m}月${d.d}日` : `${d.d} ${MONTH_NAMES[d.m - 1] ?? ''} ${d.y}`;
}
function formatMonth(y: number, m: number, locale: Locale): string {
  return locale === 'zh-CN' ? `${y}年${m}月` : `${MONTH_NAMES[m - 1] ?? ''} ${y}`;
}

/** Applies the field's rules (past, future, month allowed) to what was read. */
function settle(found: Found, ctx: FieldContext): ParseResult {
  const { locale, options } = ctx;
  const today = parseToday(ctx.today);
  switch (found.kind) {
    case 'error':
      return { ok: false, error: say(locale, found.msg, found.vars ?? {}) };
    case 'year':
      if (found.y < 1900 || found.y > 2200) return { ok: false, error: say(locale, M.badYear, { y: found.y }) };
      return { ok: false, error: say(locale, M.needMonthDay, { y: found.y }) };
    case 'month': {
      const when = formatMonth(found.y, found.m, locale);
      const monthCmp = (found.y - today.y) * 12 + (found.m - today.m);
      if (options.past && monthCmp > 0) return { ok: false, error: say(locale, M.notPast, { date: when }) };
      if (options.future && monthCmp < 0) return { ok: false, error: say(locale, M.notFuture, { date: when }) };
      if (!options.allowMonth) {
        const example = formatDay({ y: found.y, m: found.m, d: 5 }, locale);
        return { ok: false, error: say(locale, M.needDay, { when, example }) };
      }
      return { ok: true, value: isoMonth(found.y, found.m) };
    }
    case 'day': {
      const d = found.date;
      if (d.y < 1900 || d.y > 2200) return { ok: false, error: say(locale, M.badYear, { y: d.y }) };
      const c = cmp(d, today);
      if (options.past && c > 0) return { ok: false, error: say(locale, M.notPast, { date: formatDay(d, locale) }) };
      if (options.future && c < 0) return { ok: false, error: say(locale, M.notFuture, { date: formatDay(d, locale) }) };
      return { ok: true, value: iso(d) };
    }
  }
}

function readDate(utterance: string, ctx: FieldContext): Found | null {
  const today = parseToday(ctx.today);
  const s = toHalfWidth(utterance).trim().replace(/[。．!！?？，,]+$/u, '');
  if (!s) return null;
  return readChinese(s, today, ctx) ?? readEnglish(s, today, ctx);
}

function storedParts(value: unknown): { y: number; m: number; d?: number } | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(value);
  if (!m) return null;
  return { y: Number(m[1]), m: Number(m[2]), ...(m[3] ? { d: Number(m[3]) } : {}) };
}

export const dateField = defineFieldType({
  name: 'date',
  parse(utterance, ctx) {
    if (utterance.length > SHORT_ANSWER_LIMIT) return { ok: false, error: say(ctx.locale, M.unknown) };
    const found = readDate(utterance, ctx);
    if (!found) return { ok: false, error: say(ctx.locale, M.unknown) };
    return settle(found, ctx);
  },
  validate(value, ctx) {
    const p = storedParts(value);
    if (!p) return say(ctx.locale, M.notDate);
    if (p.d === undefined && !ctx.options.allowMonth) return say(ctx.locale, M.monthNotAllowed);
    const found = p.d === undefined ? month(p.y, p.m) : day(p.y, p.m, p.d);
    const result = settle(found, ctx);
    return result.ok ? null : result.error;
  },
  format(value, locale) {
    const p = storedParts(value);
    if (!p || p.m < 1 || p.m > 12) return String(value);
    return p.d === undefined ? formatMonth(p.y, p.m, locale) : formatDay({ y: p.y, m: p.m, d: p.d }, locale);
  },
  speak(value, locale) {
    const p = storedParts(value);
    if (!p || p.m < 1 || p.m > 12) return escapeXml(String(value));
    if (locale !== 'zh-CN') return escapeXml(p.d === undefined ? formatMonth(p.y, p.m, locale) : formatDay({ y: p.y, m: p.m, d: p.d }, locale));
    // Years are read digit by digit (二零二四年), months and days as numbers (十二月三十一日).
    const year = [...String(p.y)].map((c) => chineseNumber(Number(c))).join('');
    return escapeXml(`${year}年${chineseNumber(p.m)}月${p.d === undefined ? '' : `${chineseNumber(p.d)}日`}`);
  },
});

