import { escapeXml } from '../../speech/ssml.js';
import { CJK, charLength, cleanText, defineFieldType, MARKUP, say, stripLeadIns, toHalfWidth, trimPunct, type Msg } from './common.js';
import type { FieldContext, FieldOptions } from './types.js';

const MIN = 5;
const DEFAULT_MAX = 200;

const M = {
  empty: {
    'zh-CN': '我没有听到地址。请说住址，比如“天津市北辰区京津路123号”。',
    'en-US': 'I did not hear an address. Please say the address, for example "123 Jingjin Road, Beichen District, Tianjin".',
  },
  tooShort: {
    'zh-CN': '这个地址还不够详细。请接着说区（县）、街道或村、门牌号，比如“天津市北辰区京津路123号”。',
    'en-US': 'That address is not detailed enough. Please add the district, the street or village and the number, for example "123 Jingjin Road, Beichen District, Tianjin".',
  },
  tooLong: {
    'zh-CN': '这个地址太长了（最多{max}个字）。请只说地址，比如“天津市北辰区京津路123号”。',
    'en-US': 'That is too long for an address (at most {max} characters). Please say only the address.',
  },
  markup: {
    'zh-CN': '地址里有些符号用不上。请只说地址，比如“天津市北辰区京津路123号”。',
    'en-US': 'The address has symbols that cannot be used. Please say only the address, for example "123 Jingjin Road, Beichen District, Tianjin".',
  },
  digits: {
    'zh-CN': '这听起来是一串数字，不像地址。请说住址，比如“天津市北辰区京津路123号”。',
    'en-US': 'That sounds like a number, not an address. Please say the address, for example "123 Jingjin Road, Beichen District, Tianjin".',
  },
} satisfies Record<string, Msg>;

const LEAD_INS: RegExp[] = [
  /^(?:我|他|她|对方|原告|被告|公司|单位|我们)?(?:家)?(?:现在|目前)?(?:的)?(?:住在|住址是|住址在|地址是|地址在|家住|住|地址|住址)\s*[:：]?\s*/u,
  /^(?:my|his|her|their|our|the)?\s*(?:home\s+)?address\s*(?:is|:)\s*/i,
  /^(?:i|we|he|she|they)\s+(?:live|lives|am living|are living|is living)\s+(?:at|in)\s+/i,
];

/** Words that show an address has reached street level (路 街 村 号 …). */
const STREET_LEVEL = /[路街道巷弄胡同村组号楼栋幢室院里屯庄]|小区|社区|\d/u;

const maxOf = (options: FieldOptions): number =>
  typeof options.maxLength === 'number' && options.maxLength > 0 ? Math.floor(options.maxLength) : DEFAULT_MAX;

function check(address: string, ctx: FieldContext): string | null {
  if (!address) return say(ctx.locale, M.empty);
  if (MARKUP.test(address)) return say(ctx.locale, M.markup);
  if (/^[\d\s+\-.()#*]+$/.test(address)) return say(ctx.locale, M.digits);
  const max = maxOf(ctx.options);
  const length = charLength(address);
  if (length > max) return say(ctx.locale, M.tooLong, { max });
  if (length < MIN) return say(ctx.locale, M.tooShort);
  // "天津市北辰区" passes the length but names no street; ask once more rather than file it.
  if (CJK.test(address) && length < 10 && !STREET_LEVEL.test(address)) return say(ctx.locale, M.tooShort);
  if (!CJK.test(address) && length < 15 && !/\d/.test(address)) return say(ctx.locale, M.tooShort);
  return null;
}

export const addressField = defineFieldType({
  name: 'address',
  parse(utterance, ctx) {
    if (charLength(utterance) > maxOf(ctx.options) * 4 + 40) return { ok: false, error: say(ctx.locale, M.tooLong, { max: maxOf(ctx.options) }) };
    const address = trimPunct(stripLeadIns(cleanText(toHalfWidth(utterance)), LEAD_INS));
    const error = check(address, ctx);
    return error ? { ok: false, error } : { ok: true, value: address };
  },
  validate(value, ctx) {
    if (typeof value !== 'string') return say(ctx.locale, M.empty);
    return check(cleanText(value), ctx);
  },
  format(value) {
    return cleanText(String(value));
  },
  speak(value) {
    return escapeXml(cleanText(String(value)));
  },
});
