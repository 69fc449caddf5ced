import { escapeXml } from '../../speech/ssml.js';
import { defineFieldType, normalizeShort, say, SHORT_ANSWER_LIMIT, type Msg } from './common.js';
import type { Locale } from '../../i18n.js';

type Gender = 'male' | 'female';

const M = {
  ask: {
    'zh-CN': '没听清是男还是女。请说“男”或“女”，也可以按1（男）或2（女）。',
    'en-US': 'I did not catch male or female. Please say "male" or "female", or press 1 for male, 2 for female.',
  },
  both: {
    'zh-CN': '您的回答里既有“男”也有“女”。请只说一个：“男”或“女”。',
    'en-US': 'Your answer has both "male" and "female" in it. Please say just one: "male" or "female".',
  },
} satisfies Record<string, Msg>;

const LABEL: Record<Locale, Record<Gender, string>> = {
  'zh-CN': { male: '男', female: '女' },
  'en-US': { male: 'Male', female: 'Female' },
};

const EN_MALE = new Set(['male', 'man', 'men', 'boy', 'gentleman', 'he', 'him', 'mr', 'sir', 'husband', 'father', 'son', 'masculine']);
const EN_FEMALE = new Set(['female', 'woman', 'women', 'girl', 'lady', 'she', 'her', 'mrs', 'ms', 'miss', 'madam', 'wife', 'mother', 'daughter', 'feminine']);

/** What the answer says, or 'both' / null when it does not say one thing. */
function read(utterance: string): Gender | 'both' | null {
  const s = normalizeShort(utterance).toLowerCase();
  if (s === '1' || s === '一') return 'male';
  if (s === '2' || s === '二') return 'female';
  // Single letters only as the whole answer: the m in "I'm female" is not "male".
  if (s === 'm') return 'male';
  if (s === 'f') return 'female';
  // Chinese: 男/女 anywhere (我是男的, 女士, 先生), but a negation (不是男的) is not an answer.
  let male = /男|先生|爷爷|老头|大爷|丈夫|儿子/u.test(s);
  let female = /女|小姐|太太|奶奶|老太|大妈|大娘|妻子|媳妇/u.test(s);
  const words = s.split(/[^a-z]+/).filter(Boolean);
  if (words.some((w) => EN_MALE.has(w))) male = true;
  if (words.some((w) => EN_FEMALE.has(w))) female = true;
  if (male && female) return 'both';
  if (/不|没|非|\bnot\b|n't\b/u.test(s)) return null;
  return male ? 'male' : female ? 'female' : null;
}

export const genderField = defineFieldType({
  name: 'gender',
  parse(utterance, ctx) {
    if (utterance.length > SHORT_ANSWER_LIMIT) return { ok: false, error: say(ctx.locale, M.ask) };
    const g = read(utterance);
    if (g === 'both') return { ok: false, error: say(ctx.locale, M.both) };
    if (!g) return { ok: false, error: say(ctx.locale, M.ask) };
    return { ok: true, value: g };
  },
  validate(value, ctx) {
    return value === 'male' || value === 'female' ? null : say(ctx.locale, M.ask);
  },
  format(value, locale) {
    return value === 'male' || value === 'female' ? LABEL[locale][value] : String(value);
  },
  speak(value, locale) {
    return escapeXml(value === 'male' || value === 'female' ? LABEL[locale][value] : String(value));
  },
});
