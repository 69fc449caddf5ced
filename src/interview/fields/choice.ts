import { escapeXml } from '../../speech/ssml.js';
import type { Locale } from '../../i18n.js';
import { CJK, defineFieldType, dict, normalizeShort, quoteList, say, SHORT_ANSWER_LIMIT, type Msg } from './common.js';
import { parseChineseNumber, parseEnglishNumber } from './numerals.js';
import type { ChoiceOption, FieldContext, FieldOptions } from './types.js';

const M = {
  none: {
    'zh-CN': '没听清您选的是哪一项。请说{list}，也可以说序号。',
    'en-US': 'I did not catch which one you chose. Please say {list}, or say its number.',
  },
  ambiguous: {
    'zh-CN': '您的回答对得上不止一项。请只说一项：{list}，也可以说序号。',
    'en-US': 'Your answer fits more than one option. Please say just one: {list}, or say its number.',
  },
  noChoices: {
    'zh-CN': '这个问题现在没有可选的答案。请说“人工”，请工作人员帮忙。',
    'en-US': 'There are no options for this question right now. Please say "person" to get help from a staff member.',
  },
} satisfies Record<string, Msg>;

const EN_ORDINALS: Record<string, number> = dict({
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  '1st': 1, '2nd': 2, '3rd': 3, '4th': 4, '5th': 5, '6th': 6, '7th': 7, '8th': 8, '9th': 9, '10th': 10,
});

const choicesOf = (options: FieldOptions | undefined): ChoiceOption[] =>
  Array.isArray(options?.choices) ? options.choices.filter((c) => c && typeof c.value === 'string') : [];

const titleOf = (c: ChoiceOption, locale: Locale): string => c.title?.[locale] || c.title?.['zh-CN'] || c.value;

/** Lower-case, half-width, without spaces and punctuation: how two spellings are compared. */
const compact = (s: string): string => normalizeShort(s).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');

function termsOf(c: ChoiceOption): string[] {
  const terms = [c.value, c.title?.['zh-CN'], c.title?.['en-US'], ...(c.synonyms?.['zh-CN'] ?? []), ...(c.synonyms?.['en-US'] ?? [])];
  return [...new Set(terms.filter((t): t is string => typeof t === 'string').map((t) => t.trim()).filter(Boolean))];
}

/** "第二个", "选2", "2号", "the second one", "number two": a 1-based position, or null. */
function ordinal(s: string): number | null {
  const zh = /^(?:我)?(?:选择?|要|是)?(?:第)?([0-9零〇一二两三四五六七八九十]+)(?:个选项|个|项|种|号|条|种方式)?(?:吧|的)?$/u.exec(s.replace(/\s+/g, ''));
  if (zh?.[1]) return parseChineseNumber(zh[1]);
  const en = /^(?:(?:i\s+)?(?:choose|pick|select|want)\s+)?(?:the\s+)?(?:option|number|choice|no\.?|#)?\s*([a-z0-9]+)(?:\s+(?:one|option|choice))?$/.exec(s);
  const w = en?.[1];
  if (!w) return null;
  if (w in EN_ORDINALS) return EN_ORDINALS[w] ?? null;
  if (/^\d+$/.test(w)) return Number(w);
  return parseEnglishNumber(w);
}

interface Hit { index: number; start: number; end: number }

const ZH_NEGATION = /(?:不|没|非|不是|没有|不用|不要|别)$/u;
const EN_NEGATION = /(?:\bnot|\bno|\bnever|\bwithout|n't)\s*$/;

/** Where the options' words occur in a sentence (我选银行转账, "by bank transfer"), negated ones left out. */
function findHits(choices: ChoiceOption[], utterance: string): Hit[] {
  const lower = normalizeShort(utterance).toLowerCase().replace(/[’‘`]/g, "'");
  const flat = lower.replace(/\s+/g, '');
  const hits: Hit[] = [];
  choices.forEach((c, index) => {
    for (const term of termsOf(c)) {
      const t = term.toLowerCase();
      if (CJK.test(t)) {
        const needle = t.replace(/\s+/g, '');
        let from = 0;
        for (let at = flat.indexOf(needle, from); at >= 0 && needle; at = flat.indexOf(needle, from)) {
          if (!ZH_NEGATION.test(flat.slice(Math.max(0, at - 2), at))) hits.push({ index, start: at, end: at + needle.length });
          from = at + 1;
        }
      } else {
        const words = t.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
        if (!words) continue;
        const re = new RegExp(`(?<![a-z0-9])${words}(?![a-z0-9])`, 'g');
        for (const m of lower.matchAll(re)) {
          const at = m.index ?? 0;
          if (EN_NEGATION.test(lower.slice(Math.max(0, at - 12), at))) continue;
          // Positions in the spaceless string keep Chinese and English hits comparable.
          const start = lower.slice(0, at).replace(/\s+/g, '').length;
          hits.push({ index, start, end: start + m[0].replace(/\s+/g, '').length });
        }
      }
    }
  });
  // A hit inside a longer hit of another option is part of that option's words (转账 in 银行转账).
  return hits.filter((h) => !hits.some((o) => o.index !== h.index && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start));
}

function reask(kind: 'none' | 'ambiguous', choices: ChoiceOption[], ctx: FieldContext): string {
  return say(ctx.locale, M[kind], { list: quoteList(ctx.locale, choices.map((c) => titleOf(c, ctx.locale))) });
}

export const choiceField = defineFieldType({
  name: 'choice',
  parse(utterance, ctx) {
    const choices = choicesOf(ctx.options);
    if (choices.length === 0) return { ok: false, error: say(ctx.locale, M.noChoices) };
    if (utterance.length > SHORT_ANSWER_LIMIT * 2) return { ok: false, error: reask('none', choices, ctx) };
    const answer = compact(utterance);
    if (!answer) return { ok: false, error: reask('none', choices, ctx) };

    // 1. The exact words of one option (a tapped button sends its title or value).
    const exact = choices.filter((c) => termsOf(c).some((t) => compact(t) === answer));
    if (exact.length === 1 && exact[0]) return { ok: true, value: exact[0].value };

    // 2. A phone key, then a position ("第二个", "the second one").
    const byKey = choices.find((c, i) => (c.dtmf ?? String(i + 1)) === answer);
    if (byKey) return { ok: true, value: byKey.value };
    const n = ordinal(normalizeShort(utterance).toLowerCase());
    if (n !== null && Number.isInteger(n) && n >= 1 && n <= choices.length) {
      const picked = choices[n - 1];
      if (picked) return { ok: true, value: picked.value };
    }

    // 3. An option's words inside a sentence.
    const picked = [...new Set(findHits(choices, utterance).map((h) => h.index))];
    if (picked.length === 1) {
      const c = choices[picked[0] ?? -1];
      if (c) return { ok: true, value: c.value };
    }
    return { ok: false, error: reask(picked.length > 1 || exact.length > 1 ? 'ambiguous' : 'none', choices, ctx) };
  },
  validate(value, ctx) {
    const choices = choicesOf(ctx.options);
    if (choices.length === 0) return say(ctx.locale, M.noChoices);
    return typeof value === 'string' && choices.some((c) => c.value === value) ? null : reask('none', choices, ctx);
  },
  format(value, locale, options) {
    const c = choicesOf(options).find((x) => x.value === value);
    return c ? titleOf(c, locale) : String(value);
  },
  speak(value, locale, options) {
    const c = choicesOf(options).find((x) => x.value === value);
    return escapeXml(c ? titleOf(c, locale) : String(value));
  },
});
