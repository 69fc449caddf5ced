import { digitsSsml, escapeXml } from '../../speech/ssml.js';
import { defineFieldType, safeContext, say, SHORT_ANSWER_LIMIT, toHalfWidth, type Msg } from './common.js';
import { spokenDigits } from './numerals.js';
import type { FieldContext } from './types.js';

/*
 * Resident identity numbers, GB 11643-1999: area (6) + birth date (8) + sequence (3, odd for
 * men) + check character. Area codes are not checked: old codes stay valid on old cards.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i] ?? 0) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

export type IdNumberInfo =
  | { ok: true; normalized: string; birthDate: string; gender: 'male' | 'female' }
  | { ok: false };

type Problem = 'empty' | 'chars' | 'length' | 'xPosition' | 'birthDate' | 'future' | 'checkDigit';
type Analysis = Extract<IdNumberInfo, { ok: true }> | { ok: false; problem: Problem; length?: number };

const M: Record<Problem, Msg> = {
  empty: {
    'zh-CN': '没有听到号码。请一位一位地说身份证号码；最后一位是X的，请说“叉”。',
    'en-US': 'I did not hear a number. Please say the ID number one digit at a time; if the last character is X, say "X".',
  },
  chars: {
    'zh-CN': '身份证号码只有数字，最后一位可能是X。请只说号码，一位一位地说或输入。',
    'en-US': 'An ID number has only digits, and the last character may be X. Please say only the number, one digit at a time, or type it.',
  },
  length: {
    'zh-CN': '我听到的是{n}位，身份证号码应该是18位（老身份证是15位）。请一位一位地再说一遍或输入。',
    'en-US': 'I got {n} characters, but an ID number has 18 (old cards have 15). Please say it again one digit at a time, or type it.',
  },
  xPosition: {
    'zh-CN': 'X只会出现在身份证号码的最后一位。请再核对一下，一位一位地说或输入。',
    'en-US': 'X can only be the last character of an ID number. Please check the number and say it one digit at a time, or type it.',
  },
  birthDate: {
    'zh-CN': '这个号码里的出生日期（第7到14位）不是一个真实的日子。请再核对一下，一位一位地说或输入。',
    'en-US': 'The birth date inside this number (characters 7 to 14) is not a real date. Please check the number and say it one digit at a time, or type it.',
  },
  future: {
    'zh-CN': '这个号码里的出生日期在今天之后，应该是哪一位说错了。请再核对一下，一位一位地说或输入。',
    'en-US': 'The birth date inside this number is after today, so a digit is probably wrong. Please check the number and say it one digit at a time, or type it.',
  },
  checkDigit: {
    'zh-CN': '身份证号码的最后一位校验码不对，可能有一位说错或听错了。请再核对一下，一位一位地说或输入。',
    'en-US': 'The last character of this ID number (its check digit) does not match the others, so one digit is probably wrong. Please check the number and say it one digit at a time, or type it.',
  },
};

const LEAD_INS = [
  /^(?:我的|他的|她的|对方的)?(?:公民)?(?:身份证件?|身份)?(?:号码|号)?(?:是|为)?\s*[:：]?\s*/u,
  /^(?:my|his|her|their)?\s*(?:resident\s+)?(?:id|identity)?\s*(?:card)?\s*(?:number|no\.?)?\s*(?:is)?\s*:?\s*/i,
];

/** Brings a typed or spoken ID number to 18 (or 15) characters, or null if it holds anything else. */
function clean(raw: string): string | null {
  let s = toHalfWidth(raw).trim();
  for (const re of LEAD_INS) s = s.replace(re, '');
  s = s.replace(/叉|[×✕✗╳]|\b(?:ex|eks)\b/giu, 'X');
  s = spokenDigits(s).toUpperCase();
  s = s.replace(/[\s\-_.,，、·/。．]+/g, '');
  return /^[0-9X]*$/.test(s) ? s : null;
}

function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function analyze(raw: string, today: string): Analysis {
  const s = clean(raw);
  if (s === null) return { ok: false, problem: 'chars' };
  if (!s) return { ok: false, problem: 'empty' };
  if (s.length !== 18 && s.length !== 15) return { ok: false, problem: 'length', length: s.length };
  if (s.slice(0, -1).includes('X') || (s.length === 15 && s.includes('X'))) return { ok: false, problem: 'xPosition' };
  const birth = s.length === 18 ? s.slice(6, 14) : `19${s.slice(6, 12)}`;
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  if (y < 1900 || !realDate(y, m, d)) return { ok: false, problem: 'birthDate' };
  const birthDate = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  if (birthDate > today) return { ok: false, problem: 'future' };
  if (s.length === 18 && idCheckChar(s) !== s[17]) return { ok: false, problem: 'checkDigit' };
  const sequenceDigit = Number(s.length === 18 ? s[16] : s[14]);
  return { ok: true, normalized: s, birthDate, gender: sequenceDigit % 2 === 1 ? 'male' : 'female' };
}

/**
 * Reads and checks a resident ID number (18 characters, or a legacy 15-digit one). Others
 * use it to learn a party's birth date and sex. `today` (YYYY-MM-DD) defaults to the court's today.
 */
export function parseIdNumber(raw: string, today?: string): IdNumberInfo {
  try {
    const result = analyze(String(raw ?? '').slice(0, SHORT_ANSWER_LIMIT), safeContext({ today }).today);
    return result.ok ? result : { ok: false };
  } catch {
    return { ok: false };
  }
}

function problemText(a: Analysis, ctx: FieldContext): string {
  return a.ok ? '' : say(ctx.locale, M[a.problem], { n: a.length ?? 0 });
}

export const idNumberField = defineFieldType({
  name: 'idNumber',
  parse(utterance, ctx) {
    if (utterance.length > SHORT_ANSWER_LIMIT) return { ok: false, error: say(ctx.locale, M.chars) };
    const a = analyze(utterance, ctx.today);
    if (!a.ok) return { ok: false, error: problemText(a, ctx) };
    return { ok: true, value: a.normalized, fills: { birthDate: a.birthDate, gender: a.gender } };
  },
  validate(value, ctx) {
    if (typeof value !== 'string' || value.length > SHORT_ANSWER_LIMIT) return say(ctx.locale, M.chars);
    const a = analyze(value, ctx.today);
    if (!a.ok) return problemText(a, ctx);
    return a.normalized === value ? null : say(ctx.locale, M.chars);
  },
  format(value) {
    return String(value);
  },
  speak(value, locale) {
    const s = String(value);
    if (/^[0-9]{17}[0-9X]$/.test(s)) return digitsSsml(s, locale, [6, 8, 4]);
    if (/^[0-9]{15}$/.test(s)) return digitsSsml(s, locale, [6, 6, 3]);
    return escapeXml(s);
  },
});
