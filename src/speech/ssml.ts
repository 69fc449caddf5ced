import type { Locale } from '../i18n.js';

/*
 * SSML for every channel that speaks: Azure TTS, the phone gateway and the offline voice.
 * A single stray `<` or `&` from a filer's answer makes the whole reply unspeakable (Azure
 * rejects it, the phone goes silent), so everything user-made passes through escapeXml and
 * the document builder refuses fragments that are not well-formed.
 */

/** Characters XML 1.0 forbids outright (even escaped): C0 controls, lone surrogates, U+FFFE/U+FFFF. */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Plain text → text safe inside SSML elements and attribute values. */
export function escapeXml(s: string): string {
  return String(s ?? '').replace(XML_INVALID, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Plain text as an SSML fragment (an alias that says what the caller means). */
export function textSsml(plainText: string): string {
  return escapeXml(plainText);
}

/** A silence; clamped because a typo like 30000 would leave a caller in dead air. */
export function pause(ms: number): string {
  const value = Number.isFinite(ms) ? Math.min(5000, Math.max(0, Math.round(ms))) : 0;
  return `<break time="${value}ms"/>`;
}

const DIGIT_WORDS: Record<Locale, readonly string[]> = {
  'zh-CN': ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'],
  'en-US': ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
};

export interface DigitsOptions {
  /**
   * Chinese only: read 1 as 幺 (default true). Over a phone line 一 and 七 sound alike;
   * 幺 is how numbers are read aloud in China, so callers are used to it.
   */
  oneAsYao?: boolean;
  /** Pause between groups in ms (default 300). */
  groupPauseMs?: number;
}

/**
 * Reads a code (ID number, phone number, booking code) one digit per word, in groups with
 * short pauses, so a listener can check it digit by digit. Words instead of say-as because
 * every engine reads words the same way, the offline voice included. Spaces and dashes in
 * `digits` are ignored; the last group takes whatever `groups` leaves over.
 */
export function digitsSsml(digits: string, locale: Locale, groups: number[] = [], options: DigitsOptions = {}): string {
  const chars = Array.from(String(digits ?? '').replace(/[\s\-–—]/g, ''));
  const zh = locale !== 'en-US';
  const words = DIGIT_WORDS[zh ? 'zh-CN' : 'en-US'];
  const yao = options.oneAsYao ?? true;
  const wordFor = (c: string): string => {
    if (/^[0-9]$/.test(c)) {
      if (zh && c === '1' && yao) return '幺';
      return words[Number(c)] ?? c;
    }
    if (c === 'X' || c === 'x') return zh ? '叉' : 'X';
    return escapeXml(c);
  };
  const sizes = groups.filter((g) => Number.isInteger(g) && g > 0);
  const out: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= chars.length) break;
    out.push(chars.slice(at, at + size).map(wordFor).join(' '));
    at += size;
  }
  if (at < chars.length) out.push(chars.slice(at).map(wordFor).join(' '));
  return out.filter(Boolean).join(` ${pause(options.groupPauseMs ?? 300)} `);
}

export type SpeechRateName = 'normal' | 'slow' | 'slower';

export interface SpeakDocumentOptions {
  rate?: SpeechRateName;
  /** A TTS voice name (e.g. zh-CN-XiaoxiaoNeural); without it the engine picks its default. */
  voice?: string;
}

/** Relative rates: Azure reads a bare number as a multiplier (0.5 = half speed, "50%" would mean faster). */
const RATES: Record<SpeechRateName, string> = { normal: '1', slow: '0.85', slower: '0.7' };

/** Drops markup from a broken fragment so the words can still be spoken. */
function stripTags(fragment: string): string {
  return fragment
    .replace(/<[^>]*>?/g, ' ')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Wraps a fragment in a complete SSML document. A fragment that is not well-formed (a bug
 * somewhere upstream) is spoken as plain text rather than sent broken: a silent phone line
 * is worse than a reply that reads slightly oddly.
 */
export function speakDocument(fragment: string, locale: Locale, options: SpeakDocumentOptions = {}): string {
  const lang = locale === 'en-US' ? 'en-US' : 'zh-CN';
  const raw = String(fragment ?? '');
  const body = checkWellFormed(raw, { fragment: true }) === null ? raw : escapeXml(stripTags(raw));
  const rate = RATES[options.rate ?? 'normal'] ?? RATES.normal;
  const inner = `<prosody rate="${rate}">${body}</prosody>`;
  const voiced = options.voice ? `<voice name="${escapeXml(options.voice)}">${inner}</voice>` : inner;
  return `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${lang}">${voiced}</speak>`;
}

const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const ENTITY = '&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);';
const ATTR_VALUE = `(?:"(?:[^"<&]|${ENTITY})*"|'(?:[^'<&]|${ENTITY})*')`;
const OPEN_TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*${ATTR_VALUE})*)\\s*(/?)>`, 'y');
const CLOSE_TAG = new RegExp(`</(${NAME})\\s*>`, 'y');
const ENTITY_RE = new RegExp(ENTITY, 'y');
const ATTR_NAME = new RegExp(`(${NAME})\\s*=`, 'g');

/**
 * Checks that SSML is well-formed XML of the plain kind this project emits: elements,
 * attributes, text and the predefined or numeric entities (no comments, CDATA, DOCTYPE or
 * processing instructions). Returns null when fine, or what is wrong. With `fragment`, any
 * number of top-level nodes is allowed; otherwise exactly one root element.
 */
export function checkWellFormed(xml: string, options: { fragment?: boolean } = {}): string | null {
  const s = String(xml ?? '');
  XML_INVALID.lastIndex = 0;
  const bad = XML_INVALID.exec(s);
  XML_INVALID.lastIndex = 0;
  if (bad) return `character not allowed in XML at ${bad.index}`;
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '<') {
      if (s.startsWith('</', i)) {
        CLOSE_TAG.lastIndex = i;
        const m = CLOSE_TAG.exec(s);
        if (!m) return `malformed end tag at ${i}`;
        const open = stack.pop();
        if (open !== m[1]) return `end tag </${m[1]}> does not match <${open ?? ''}> at ${i}`;
        i = CLOSE_TAG.lastIndex;
        continue;
      }
      OPEN_TAG.lastIndex = i;
      const m = OPEN_TAG.exec(s);
      if (!m) return `malformed tag or bare "<" at ${i}`;
      const names = [...(m[2] ?? '').matchAll(ATTR_NAME)].map((a) => a[1]);
      if (new Set(names).size !== names.length) return `duplicate attribute at ${i}`;
      if (stack.length === 0) {
        roots += 1;
        if (!options.fragment && roots > 1) return `second root element at ${i}`;
      }
      if (m[3] !== '/') stack.push(m[1] ?? '');
      i = OPEN_TAG.lastIndex;
      continue;
    }
    if (c === '&') {
      ENTITY_RE.lastIndex = i;
      if (!ENTITY_RE.exec(s)) return `bare "&" at ${i}`;
      i = ENTITY_RE.lastIndex;
      continue;
    }
    if (stack.length === 0 && !options.fragment && !/\s/.test(c ?? '')) return `text outside the root element at ${i}`;
    i += 1;
  }
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1]}>`;
  if (!options.fragment && roots !== 1) return 'no root element';
  return null;
}
