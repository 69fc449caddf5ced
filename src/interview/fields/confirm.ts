import { escapeXml } from '../../speech/ssml.js';
import { defineFieldType, normalizeShort, say, SHORT_ANSWER_LIMIT, type Msg } from './common.js';
import type { ChoiceOption } from './types.js';

const M = {
  ask: {
    'zh-CN': '没听清您的意思。请说“是”或“不是”，也可以按1（是）或2（不是）。',
    'en-US': 'I did not catch that. Please say "yes" or "no", or press 1 for yes, 2 for no.',
  },
  unsure: {
    'zh-CN': '不确定也没关系。请说“是”或“不是”；如果实在记不清，可以说“跳过”或“人工”。',
    'en-US': 'That is all right if you are not sure. Please say "yes" or "no"; if you really do not remember, say "skip" or "person".',
  },
} satisfies Record<string, Msg>;

/** The two answers as choices, for buttons and phone keys (1 yes, 2 no). */
export const confirmChoices: ChoiceOption[] = [
  { value: 'yes', title: { 'zh-CN': '是', 'en-US': 'Yes' }, dtmf: '1' },
  { value: 'no', title: { 'zh-CN': '否', 'en-US': 'No' }, dtmf: '2' },
];

type Reading = boolean | 'unsure' | null;

/*
 * Chinese is read left to right and the first decisive word wins, so 不是 (不 first) is no,
 * 是的，不过… is yes, 没有借条 is no and 有的 is yes. Fixed phrases are matched before
 * single characters: 没错 and 不错 mean yes, 不知道 means not sure, 好像 and 对方 decide nothing.
 */
const ZH_PHRASES: [string, Reading | 'skip'][] = [
  ['没错', true], ['不错', true], ['没问题', true], ['没毛病', true], ['那当然', true], ['当然', true],
  ['不知道', 'unsure'], ['不清楚', 'unsure'], ['不确定', 'unsure'], ['不记得', 'unsure'], ['记不清', 'unsure'],
  ['说不清', 'unsure'], ['不一定', 'unsure'], ['不好说', 'unsure'], ['忘了', 'unsure'], ['也许', 'unsure'], ['可能', 'unsure'],
  ['好像', 'skip'], ['好几', 'skip'], ['有点', 'skip'], ['有些', 'skip'], ['要是', 'skip'], ['对方', 'skip'], ['对面', 'skip'],
  ['是否', 'skip'], ['还是', 'skip'], ['就是', 'skip'], ['只是', 'skip'], ['但是', 'skip'], ['可是', 'skip'], ['于是', 'skip'],
  ['可以', true], ['确定', true], ['同意', true], ['愿意', true], ['需要', true], ['确实', true], ['肯定', true], ['对头', true],
];
const ZH_NO_CHARS = '不没无否别未';
const ZH_YES_CHARS = '是对好嗯恩有行要';

const EN_YES = new Set(['yes', 'yeah', 'yep', 'yup', 'ya', 'yea', 'y', 'ok', 'okay', 'sure', 'right', 'correct', 'true', 'affirmative', 'certainly', 'absolutely', 'indeed', 'agree', 'confirm', 'confirmed', 'definitely', 'exactly', 'alright']);
const EN_NO = new Set(['no', 'nope', 'n', 'nah', 'not', 'never', 'wrong', 'incorrect', 'false', 'none', 'neither', 'nor', 'negative', "don't", 'dont', "didn't", 'didnt', "doesn't", 'doesnt', "isn't", 'isnt', "haven't", 'havent', "hasn't", 'hasnt', "wasn't", 'wasnt', "aren't", 'arent', 'without']);
const EN_WEAK_YES = new Set(['have', 'has', 'had', 'did', 'do', 'does', 'is', 'was', 'got', 'want', 'would']);
const EN_UNSURE = /\b(?:don'?t know|do not know|not sure|unsure|maybe|perhaps|can'?t remember|cannot remember|don'?t remember|no idea|not certain)\b/;

function readChinese(s: string): Reading {
  for (let i = 0; i < s.length; i += 1) {
    const phrase = ZH_PHRASES.find(([p]) => s.startsWith(p, i));
    if (phrase) {
      if (phrase[1] === 'skip') {
        i += phrase[0].length - 1;
        continue;
      }
      return phrase[1];
    }
    const c = s[i] ?? '';
    if (ZH_NO_CHARS.includes(c)) return false;
    if (ZH_YES_CHARS.includes(c)) return true;
  }
  // The filer answers with the verb itself: 催过 / 签了 / 交过了 mean yes (a 没 before it
  // would have said no above).
  if (/^\p{Script=Han}{1,4}(?:了|过|过了)[啊呀吧的]?$/u.test(s)) return true;
  return null;
}

function readEnglish(s: string): Reading {
  if (EN_UNSURE.test(s)) return 'unsure';
  const words = s.split(/[^a-z']+/).filter(Boolean);
  for (const w of words) {
    if (EN_NO.has(w)) return false;
    if (EN_YES.has(w)) return true;
  }
  for (const w of words) if (EN_WEAK_YES.has(w)) return true;
  return null;
}

function read(utterance: string): Reading {
  const s = normalizeShort(utterance).toLowerCase().replace(/[’‘`]/g, "'");
  if (!s) return null;
  // Phone keys and kiosk buttons: 1 yes, 2 no.
  if (s === '1') return true;
  if (s === '2') return false;
  const zh = readChinese(s.replace(/\s+/g, ''));
  if (zh !== null) return zh;
  return readEnglish(s);
}

export const confirmField = defineFieldType({
  name: 'confirm',
  parse(utterance, ctx) {
    if (utterance.length > SHORT_ANSWER_LIMIT) return { ok: false, error: say(ctx.locale, M.ask) };
    const r = read(utterance);
    if (r === 'unsure') return { ok: false, error: say(ctx.locale, M.unsure) };
    if (r === null) return { ok: false, error: say(ctx.locale, M.ask) };
    return { ok: true, value: r };
  },
  validate(value, ctx) {
    return typeof value === 'boolean' ? null : say(ctx.locale, M.ask);
  },
  format(value, locale) {
    const yes = value === true || value === 'yes';
    return locale === 'zh-CN' ? (yes ? '是' : '否') : yes ? 'Yes' : 'No';
  },
  speak(value, locale) {
    const yes = value === true || value === 'yes';
    return escapeXml(locale === 'zh-CN' ? (yes ? '是' : '否') : yes ? 'Yes' : 'No');
  },
});
