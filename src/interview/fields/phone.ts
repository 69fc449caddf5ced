import { digitsSsml, escapeXml, pause } from '../../speech/ssml.js';
import { defineFieldType, say, SHORT_ANSWER_LIMIT, toHalfWidth, type Msg } from './common.js';
import { spokenDigits } from './numerals.js';
import type { FieldContext } from './types.js';

/*
 * Mainland numbers: mobiles are 11 digits, 1[3-9]…; landlines are an area code (010, 02X,
 * or 0XXX) and a 7–8 digit local number, stored as 'AREA-NUMBER'.
 */

const M = {
  empty: {
    'zh-CN': '没有听到号码。请一位一位地说电话号码，手机是11位，比如“138 1234 5678”。',
    'en-US': 'I did not hear a number. Please say the phone number one digit at a time; a mobile number has 11 digits, for example 138 1234 5678.',
  },
  chars: {
    'zh-CN': '电话号码只有数字。请只说号码，一位一位地说或输入，比如“138 1234 5678”。',
    'en-US': 'A phone number has only digits. Please say only the number, one digit at a time, or type it, for example 138 1234 5678.',
  },
  mobileLength: {
    'zh-CN': '我听到的是{n}位，手机号码应该是11位。请一位一位地再说一遍。',
    'en-US': 'I got {n} digits, but a mobile number has 11. Please say it again, one digit at a time.',
  },
  mobileSecond: {
    'zh-CN': '手机号码第二位应该是3到9，这个号码对不上。请再核对一下，一位一位地说。',
    'en-US': 'The second digit of a mobile number is 3 to 9, so this number does not fit. Please check it and say it one digit at a time.',
  },
  needArea: {
    'zh-CN': '这是座机号码吧？请连同区号一起说，比如天津的区号是022：“022-12345678”。',
    'en-US': 'Is this a landline? Please say it with the area code, for example Tianjin is 022: 022-12345678.',
  },
  landline: {
    'zh-CN': '这个座机号码对不上：区号是0开头的3到4位，后面是7到8位号码，比如“022-12345678”。请再说一遍。',
    'en-US': 'This landline number does not fit: the area code is 3 or 4 digits starting with 0, then 7 or 8 digits, for example 022-12345678. Please say it again.',
  },
  other: {
    'zh-CN': '这个号码对不上。请说11位的手机号码，或者带区号的座机号码，比如“022-12345678”。',
    'en-US': 'This number does not fit. Please say an 11-digit mobile number, or a landline with its area code, for example 022-12345678.',
  },
} satisfies Record<string, Msg>;

const LEAD_INS = [
  /^(?:我的|他的|她的|对方的|我|他|她)?(?:手机号码|手机号|手机|电话号码|电话|联系电话|联系方式|号码)?(?:是|为)?\s*[:：]?\s*/u,
  /^(?:my|his|her|their)?\s*(?:mobile|cell|phone|telephone|contact)?\s*(?:phone)?\s*(?:number|no\.?)?\s*(?:is)?\s*:?\s*/i,
  /^(?:call\s+me\s+(?:at|on)|you\s+can\s+reach\s+me\s+(?:at|on)|it'?s)\s*/i,
];

/** Three-digit area codes: 010 Beijing and 020–029 (Guangzhou, Shanghai, Tianjin, Chongqing …). */
const areaLength = (digits: string): number => (/^0[12]/.test(digits) ? 3 : 4);

/** The local part of a landline: 7 or 8 digits, never starting with 0 (that would be another area code). */
const LOCAL = /^[1-9]\d{6,7}$/;

type Reading = { ok: true; value: string } | { ok: false; problem: keyof typeof M; n?: number };

function read(raw: string): Reading {
  let s = toHalfWidth(raw).trim();
  for (const re of LEAD_INS) s = s.replace(re, '');
  s = spokenDigits(s);
  // An explicit split between area code and number: (022)12345678, 022-12345678, 022 1234 5678.
  const explicit = /^[(（]\s*(0\d{2,3})\s*[)）]\s*([\d\s-]+)$|^(0\d{2,3})\s*[-–—]\s*([\d\s-]+)$/.exec(s);
  let digits = s.replace(/[\s\-–—.()（）]+/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1).replace(/^86/, '+86');
  if (!digits) return { ok: false, problem: 'empty' };
  if (!/^\+?\d+$/.test(digits)) return { ok: false, problem: 'chars' };

  // Country code: +86 / 0086 / 86 before a mobile; +86 before a landline drops its leading 0.
  let international = false;
  if (digits.startsWith('+86')) {
    digits = digits.slice(3);
    international = true;
  } else if (digits.startsWith('0086')) {
    digits = digits.slice(4);
    international = true;
  } else if (/^861[3-9]\d{9}$/.test(digits)) {
    digits = digits.slice(2);
  }
  if (international && !digits.startsWith('1') && !digits.startsWith('0')) digits = `0${digits}`;

  if (explicit) {
    const area = explicit[1] ?? explicit[3] ?? '';
    const local = (explicit[2] ?? explicit[4] ?? '').replace(/[\s-]+/g, '');
    if (/^0\d{2,3}$/.test(area) && LOCAL.test(local)) return { ok: true, value: `${area}-${local}` };
    return { ok: false, problem: 'landline' };
  }
  // A bare local number: without its area code nobody can call it back.
  if (/^[1-9]\d{6,7}$/.test(digits)) return { ok: false, problem: 'needArea' };
  if (digits.startsWith('1')) {
    if (digits.length !== 11) return { ok: false, problem: 'mobileLength', n: digits.length };
    if (!/^1[3-9]/.test(digits)) return { ok: false, problem: 'mobileSecond' };
    return { ok: true, value: digits };
  }
  if (digits.startsWith('0')) {
    const area = digits.slice(0, areaLength(digits));
    const local = digits.slice(area.length);
    if (LOCAL.test(local)) return { ok: true, value: `${area}-${local}` };
    return { ok: false, problem: 'landline' };
  }
  return { ok: false, problem: 'other' };
}

function problemText(r: Reading, ctx: FieldContext): string {
  return r.ok ? '' : say(ctx.locale, M[r.problem], { n: r.n ?? 0 });
}

export const phoneField = defineFieldType({
  name: 'phone',
  parse(utterance, ctx) {
    if (utterance.length > SHORT_ANSWER_LIMIT) return { ok: false, error: say(ctx.locale, M.chars) };
    const r = read(utterance);
    return r.ok ? { ok: true, value: r.value } : { ok: false, error: problemText(r, ctx) };
  },
  validate(value, ctx) {
    if (typeof value !== 'string' || value.length > SHORT_ANSWER_LIMIT) return say(ctx.locale, M.chars);
    const r = read(value);
    if (!r.ok) return problemText(r, ctx);
    return r.value === value ? null : say(ctx.locale, M.chars);
  },
  format(value) {
    return String(value);
  },
  speak(value, locale) {
    const s = String(value);
    if (/^1\d{10}$/.test(s)) return digitsSsml(s, locale, [3, 4, 4]);
    const landline = /^(0\d{2,3})-(\d{7,8})$/.exec(s);
    if (landline) {
      const local = landline[2] ?? '';
      return `${digitsSsml(landline[1] ?? '', locale, [])} ${pause(300)} ${digitsSsml(local, locale, local.length === 8 ? [4, 4] : [3, 4])}`;
    }
    return escapeXml(s);
  },
});
