import { escapeXml } from '../../speech/ssml.js';
import {
  charLength, cleanText, defineFieldType, EMOJI, hasControlChars, MARKUP, say, stripLeadIns, toHalfWidth, trimPunct, type Msg,
} from './common.js';
import type { FieldContext, FieldOptions } from './types.js';

const DEFAULT_MAX = 50;

const M = {
  empty: {
    'zh-CN': '我没有听到名字。请只说名字，比如“王小明”；如果是单位，请说单位的全称。',
    'en-US': 'I did not hear a name. Please say only the name, for example "Wang Xiaoming", or the full name of the organization.',
  },
  symbols: {
    'zh-CN': '名字里有些符号用不上。请只说名字，比如“王小明”，或者单位的全称，不用加别的符号。',
    'en-US': 'The name has symbols that cannot be used. Please say only the name, for example "Wang Xiaoming", or the full name of the organization, with no other signs.',
  },
  digits: {
    'zh-CN': '这听起来是一串数字，不像名字。请只说名字，比如“王小明”。',
    'en-US': 'That sounds like a number, not a name. Please say only the name, for example "Wang Xiaoming".',
  },
  tooLong: {
    'zh-CN': '这个名字太长了（最多{max}个字）。请只说名字，不用说别的。',
    'en-US': 'That is too long for a name (at most {max} characters). Please say only the name, nothing else.',
  },
} satisfies Record<string, Msg>;

/** Lead-ins people put before a name when they answer in a sentence. */
const LEAD_INS: RegExp[] = [
  // 是 and 为 only after a word like 名字 or 我: 为民 and 是 are also the start of real names.
  /^(?:我|他|她|它|对方|原告|被告|本人|我们|这个人|那个人|那人)?的?(?:名字|姓名|名称|全名|全称|公司名称|公司名|单位名称|单位名|公司|单位)(?:叫做|叫作|叫|是|为)\s*/u,
  /^(?:我|他|她|它|对方|原告|被告|本人|我们|这个人|那个人|那人)(?:叫做|叫作|叫|是)\s*/u,
  /^(?:叫做|叫作|叫)\s*/u,
  /^(?:名字|姓名|名称|全称|全名)\s*[:：]\s*/u,
  /^(?:my|his|her|their|our|the)?\s*(?:full\s+)?(?:name|company\s+name|company|business)\s+(?:is|was)\s+/i,
  /^(?:i'm|i am|im|it's|it is|this is|he is|she is|he's|she's|they are|they're|we are|call me|called|they call me|the name's)\s+/i,
  /^name\s*:\s*/i,
];

const maxOf = (options: FieldOptions): number =>
  typeof options.maxLength === 'number' && options.maxLength > 0 ? Math.floor(options.maxLength) : DEFAULT_MAX;

function tidyName(raw: string): string {
  let s = toHalfWidth(raw).replace(/[’‘`]/g, "'").trim();
  s = stripLeadIns(cleanText(s), LEAD_INS);
  // Sentence particles after a spoken Chinese name (王小明啊); no Chinese name ends in them.
  s = s.replace(/(?<=[\u4E00-\u9FFF]{2})[啊呀吧呢哦嘛啦]+$/u, '');
  // Recognizers put spaces between the characters of a Chinese name: 王 小 明.
  s = s.replace(/(?<=[\u4E00-\u9FFF])\s+(?=[\u4E00-\u9FFF])/gu, '');
  // Minority names join their parts with a middle dot; keyboards offer several look-alikes.
  s = s.replace(/(?<=[\u4E00-\u9FFF])\s*[•・．.]\s*(?=[\u4E00-\u9FFF])/gu, '·');
  // An English company name keeps the full stop of its abbreviation: "Co., Ltd.", "Inc.".
  const abbreviation = /\b(?:Ltd|Co|Inc|Corp|LLC|Bhd|Pte|Jr|Sr)\.$/i.exec(raw.trim());
  const tidy = trimPunct(s);
  return abbreviation && !tidy.endsWith('.') ? `${tidy}.` : tidy;
}

function check(name: string, raw: string, ctx: FieldContext): string | null {
  if (hasControlChars(raw) || MARKUP.test(name) || EMOJI.test(name)) return say(ctx.locale, M.symbols);
  if (!name) return say(ctx.locale, M.empty);
  if (/^[\d\s+\-.()#*]+$/.test(name)) return say(ctx.locale, M.digits);
  if (!/\p{L}/u.test(name)) return say(ctx.locale, M.symbols);
  const max = maxOf(ctx.options);
  if (charLength(name) > max) return say(ctx.locale, M.tooLong, { max });
  return null;
}

export const nameField = defineFieldType({
  name: 'name',
  parse(utterance, ctx) {
    // Cheap refusal first: a 5,000-character answer is not a name, whatever it says.
    if (charLength(utterance.trim()) > maxOf(ctx.options) * 4 + 40) return { ok: false, error: say(ctx.locale, M.tooLong, { max: maxOf(ctx.options) }) };
    const name = tidyName(utterance);
    const error = check(name, utterance.trim(), ctx);
    return error ? { ok: false, error } : { ok: true, value: name };
  },
  validate(value, ctx) {
    if (typeof value !== 'string') return say(ctx.locale, M.empty);
    return check(value.trim(), value.trim(), ctx);
  },
  format(value) {
    return cleanText(String(value));
  },
  speak(value) {
    return escapeXml(cleanText(String(value)));
  },
});
