import type { AskData } from '../../bot/reply.js';
import type { Locale } from '../../i18n.js';

/*
 * What a caller's keys mean. CONTRACT §5: on the phone 9 repeats, 0 asks for a person and *
 * goes back, at every question. Only a key pressed on its own is a command: a 9 or 0 inside a
 * longer number is a digit of that number.
 */

export type KeyCommand = 'repeat' | 'person' | 'back';

export const COMMAND_KEYS: Readonly<Record<string, KeyCommand>> = { '9': 'repeat', '0': 'person', '*': 'back' };

/** At the first question, switches between Chinese and English. */
export const LANGUAGE_KEY = '8';

/** Keys a menu may use for its options: 0, 9 and * are taken by the commands above. */
const MENU_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8'] as const;

/** The words the bot knows for each command, said in the call's language so the transcript reads naturally. */
export const COMMAND_WORDS: Readonly<Record<Locale, Record<KeyCommand, string>>> = {
  'zh-CN': { repeat: '重复', person: '转人工', back: '上一步' },
  'en-US': { repeat: 'repeat', person: 'speak to a person', back: 'go back' },
};

/** Sex is a question without choices in channelData.ask; on a keypad it becomes a two-key menu. */
const GENDER_OPTIONS: Readonly<Record<Locale, { value: string; title: string }[]>> = {
  'zh-CN': [{ value: 'male', title: '男' }, { value: 'female', title: '女' }],
  'en-US': [{ value: 'male', title: 'Male' }, { value: 'female', title: 'Female' }],
};

export interface MenuOption {
  value: string;
  title: string;
  dtmf?: string;
}

export interface MenuEntry {
  key: string;
  value: string;
  title: string;
}

/** One page of a question's options as the caller hears them: "现金，请按1". */
export interface PhoneMenu {
  entries: MenuEntry[];
  page: number;
  pages: number;
  /** The key that reads the next page (not on the last page). */
  moreKey?: string;
  /** On the last page of a long list, the key that reads the list from the start again. */
  firstKey?: string;
}

/** The options a question can be answered with by key, or undefined for questions answered in words or numbers. */
export function menuOptions(ask: AskData | undefined, locale: Locale): MenuOption[] | undefined {
  if (!ask) return undefined;
  if (ask.choices && ask.choices.length > 0) return ask.choices;
  if (ask.type === 'gender') return GENDER_OPTIONS[locale];
  return undefined;
}

/**
 * Lays options out on the keypad. Options keep the key the bot gave them when it is free
 * (so the phone matches a printed list); otherwise, or when a key is taken, they are numbered
 * in order. A list longer than the free keys is read in pages, the last free key reading on.
 */
export function buildMenu(options: MenuOption[], page: number, languageKeyTaken: boolean): PhoneMenu {
  const free: string[] = MENU_KEYS.filter((k) => !(languageKeyTaken && k === LANGUAGE_KEY));
  if (options.length <= free.length) {
    const own = options.map((o) => o.dtmf ?? '');
    const keepOwn = own.every((k) => free.includes(k)) && new Set(own).size === own.length;
    return {
      entries: options.map((o, i) => ({ key: keepOwn ? own[i]! : free[i]!, value: o.value, title: o.title })),
      page: 0,
      pages: 1,
    };
  }
  const perPage = free.length - 1;
  const pages = Math.ceil(options.length / perPage);
  const at = ((page % pages) + pages) % pages;
  const navKey = free[free.length - 1]!;
  const entries = options.slice(at * perPage, (at + 1) * perPage).map((o, i) => ({ key: free[i]!, value: o.value, title: o.title }));
  return { entries, page: at, pages, ...(at < pages - 1 ? { moreKey: navKey } : { firstKey: navKey }) };
}

/** What the caller did at a question. */
export type PhoneInput =
  | { kind: 'silence' }
  | { kind: 'command'; command: KeyCommand; keys: string }
  | { kind: 'language'; locale: Locale }
  | { kind: 'page'; page: number }
  | { kind: 'no-such-key'; keys: string }
  /** Something for the bot: `value` is a chosen option's value (sent as `value.answer`). */
  | { kind: 'answer'; text: string; value?: string; keys?: string };

export interface QuestionContext {
  ask?: AskData;
  locale: Locale;
  /** The menu as last read to the caller, if the question has options. */
  menu?: PhoneMenu;
  /** Whether the language key works here (the first question). */
  languageKey: boolean;
}

const TO_ENGLISH = /^(english|in english|speak english|英文|英语|说英语|讲英语|说英文)$/i;
const TO_CHINESE = /^(chinese|mandarin|in chinese|中文|普通话|汉语|说中文|讲中文|说普通话)$/i;

/** 20240305 → 2024年3月5日 / 2024-03-05; 202403 → a month. Anything else goes to the bot as typed. */
function keyedDate(digits: string, locale: Locale): string {
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(digits);
  if (day) {
    const [, y, m, d] = day;
    return locale === 'zh-CN' ? `${y}年${Number(m)}月${Number(d)}日` : `${y}-${m}-${d}`;
  }
  const month = /^(\d{4})(\d{2})$/.exec(digits);
  if (month) {
    const [, y, m] = month;
    return locale === 'zh-CN' ? `${y}年${Number(m)}月` : `${y}-${m}`;
  }
  return digits;
}

/** Keys typed for a question without options, as the field's reader understands them. */
function keyedAnswer(digits: string, ask: AskData | undefined, locale: Locale): string {
  switch (ask?.type) {
    case 'idNumber':
      return digits.replace(/\*/g, 'X');
    case 'money':
    case 'number':
      return digits.replace(/\*/g, '.');
    case 'date':
      return keyedDate(digits.replace(/\*/g, ''), locale);
    case 'phone':
      return digits.replace(/\*/g, '');
    default:
      return digits;
  }
}

/** Reads Twilio's `Digits` or `SpeechResult` at a question. */
export function readInput(input: { digits?: string; speech?: string }, question: QuestionContext): PhoneInput {
  const digits = (input.digits ?? '').replace(/[^0-9*#]/g, '').replace(/#+$/, '');
  const speech = (input.speech ?? '').trim();
  if (digits) {
    const command = COMMAND_KEYS[digits];
    if (command) return { kind: 'command', command, keys: digits };
    if (question.languageKey && digits === LANGUAGE_KEY) {
      return { kind: 'language', locale: question.locale === 'zh-CN' ? 'en-US' : 'zh-CN' };
    }
    const menu = question.menu;
    if (menu) {
      const entry = menu.entries.find((e) => e.key === digits);
      if (entry) return { kind: 'answer', text: entry.title, value: entry.value, keys: digits };
      if (menu.moreKey === digits) return { kind: 'page', page: menu.page + 1 };
      if (menu.firstKey === digits) return { kind: 'page', page: 0 };
      return { kind: 'no-such-key', keys: digits };
    }
    return { kind: 'answer', text: keyedAnswer(digits, question.ask, question.locale), keys: digits };
  }
  if (speech) {
    if (question.languageKey) {
      const bare = speech.replace(/[\s.,!?。，！？]+$/u, '');
      if (TO_ENGLISH.test(bare) && question.locale !== 'en-US') return { kind: 'language', locale: 'en-US' };
      if (TO_CHINESE.test(bare) && question.locale !== 'zh-CN') return { kind: 'language', locale: 'zh-CN' };
    }
    return { kind: 'answer', text: speech };
  }
  return { kind: 'silence' };
}

/** Whether spoken words are exactly one of the options (then "person" is an answer, not a request for one). */
export function isOptionTitle(words: string, options: MenuOption[] | undefined): boolean {
  const bare = (s: string) => s.normalize('NFKC').toLowerCase().trim().replace(/^(a|an|the)\s+/, '').replace(/[\s.,!?。，！？]+$/u, '');
  const said = bare(words);
  return (options ?? []).some((o) => bare(o.title) === said || bare(o.value) === said);
}

/** Speech recognition hints: the options' names and the command words, in the call's language. */
export function speechHints(options: MenuOption[] | undefined, locale: Locale, languageKey: boolean): string {
  const commands = locale === 'zh-CN' ? ['重复', '上一步', '转人工', '慢一点', '帮助', '跳过'] : ['repeat', 'go back', 'person', 'slower', 'help', 'skip'];
  const hints = [...(options ?? []).map((o) => o.title), ...commands, ...(languageKey ? [locale === 'zh-CN' ? 'English' : '中文'] : [])];
  // Twilio takes phrases of up to 100 characters, separated by commas.
  return [...new Set(hints.map((h) => h.replace(/[,，]/g, ' ').trim().slice(0, 100)).filter(Boolean))].join(',');
}
