import { escapeXml } from '../../speech/ssml.js';
import { charLength, cleanText, defineFieldType, say, type Msg } from './common.js';
import type { FieldContext, FieldOptions } from './types.js';

const DEFAULT_MAX = 2000;

const M = {
  empty: {
    'zh-CN': '我没有听到内容。请再说一遍，用自己的话说就可以。',
    'en-US': 'I did not catch anything. Please say it again in your own words.',
  },
  tooLong: {
    'zh-CN': '这段话有点长（最多{max}个字）。请说得简短一些，只说最要紧的部分。',
    'en-US': 'That is a little long (at most {max} characters). Please say it more briefly, just the most important part.',
  },
  notText: {
    'zh-CN': '这里需要一段文字。请再说一遍。',
    'en-US': 'A few words are needed here. Please say it again.',
  },
} satisfies Record<string, Msg>;

const maxOf = (options: FieldOptions): number =>
  typeof options.maxLength === 'number' && options.maxLength > 0 ? Math.floor(options.maxLength) : DEFAULT_MAX;

/** Free text. Markup is kept as the filer typed it: the document templates escape it. */
function check(text: string, ctx: FieldContext): string | null {
  if (!text) return say(ctx.locale, M.empty);
  const max = maxOf(ctx.options);
  if (charLength(text) > max) return say(ctx.locale, M.tooLong, { max });
  return null;
}

export const textField = defineFieldType({
  name: 'text',
  parse(utterance, ctx) {
    const text = cleanText(utterance);
    const error = check(text, ctx);
    return error ? { ok: false, error } : { ok: true, value: text };
  },
  validate(value, ctx) {
    if (typeof value !== 'string') return say(ctx.locale, M.notText);
    return check(cleanText(value), ctx);
  },
  format(value) {
    return cleanText(String(value));
  },
  speak(value) {
    return escapeXml(cleanText(String(value)));
  },
});
