import type { Locale } from '../i18n.js';
import { checkWellFormed, escapeXml } from './ssml.js';

/*
 * Reading the SSML that reaches the speech service: the bot's `speak` (built by ssml.ts) or a
 * sentence a page makes itself. A page may send anything, so only the few elements the
 * assistant uses get through: no <audio> (Azure would fetch a URL), no vendor extensions.
 */

/** Longest SSML document the service accepts, in characters (the longest bot reply is ~2,000). */
export const MAX_SSML_LENGTH = 8000;

export class SsmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsmlError';
  }
}

type Attrs = Record<string, string>;
export type SsmlToken =
  | { kind: 'open'; name: string; attrs: Attrs; empty: boolean }
  | { kind: 'close'; name: string }
  | { kind: 'text'; text: string };

/** Elements a page may send, with the attributes kept for each; `voice` is replaced by the server's own. */
const ALLOWED: Record<string, readonly string[]> = {
  speak: ['version', 'xmlns', 'xml:lang'],
  voice: [],
  prosody: ['rate', 'pitch', 'volume'],
  break: ['time', 'strength'],
  'say-as': ['interpret-as', 'format', 'detail'],
  sub: ['alias'],
  emphasis: ['level'],
  p: [],
  s: [],
};

const TOKEN = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy;
const ATTR = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? '';
  });
}

/** Checks a whole SSML document (size, well-formedness, allowed elements) and returns its tokens. */
export function parseSsml(ssml: string): SsmlToken[] {
  if (typeof ssml !== 'string' || ssml.trim() === '') throw new SsmlError('the SSML is empty');
  if (ssml.length > MAX_SSML_LENGTH) throw new SsmlError(`the SSML is longer than ${MAX_SSML_LENGTH} characters`);
  const problem = checkWellFormed(ssml);
  if (problem) throw new SsmlError(`the SSML is not well-formed: ${problem}`);
  const tokens: SsmlToken[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < ssml.length && (match = TOKEN.exec(ssml))) {
    if (match[5] !== undefined) {
      tokens.push({ kind: 'text', text: decode(match[5]) });
      continue;
    }
    const name = match[2]!;
    if (!(name in ALLOWED)) throw new SsmlError(`the SSML element <${name}> is not accepted`);
    if (match[1]) {
      tokens.push({ kind: 'close', name });
      continue;
    }
    const attrs: Attrs = {};
    for (const a of (match[3] ?? '').matchAll(ATTR)) {
      const attrName = a[1]!;
      if (ALLOWED[name]!.includes(attrName)) attrs[attrName] = decode(a[2] ?? a[3] ?? '');
    }
    tokens.push({ kind: 'open', name, attrs, empty: match[4] === '/' });
  }
  const root = tokens.find((t) => t.kind !== 'text');
  if (!root || root.kind !== 'open' || root.name !== 'speak') throw new SsmlError('the SSML root element must be <speak>');
  return tokens;
}

const RATE_WORDS: Record<string, number> = { 'x-slow': 0.5, slow: 0.75, medium: 1, default: 1, fast: 1.25, 'x-fast': 1.5 };

/** A prosody rate attribute as a multiplier: "0.85", "-20%" (Azure: 20 % slower), "slow". */
export function rateValue(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (value in RATE_WORDS) return RATE_WORDS[value];
  const percent = /^([+-]?\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) return clampRate(1 + Number(percent[1]) / 100);
  if (/^\d+(?:\.\d+)?$/.test(value)) return clampRate(Number(value));
  return undefined;
}

/** Speech between half and double speed: anything outside is a mistake, not a wish. */
export function clampRate(rate: number): number {
  if (!Number.isFinite(rate)) return 1;
  return Math.min(2, Math.max(0.5, rate));
}

/** The rate of the outermost `<prosody rate>`, or undefined when the SSML sets none. */
export function ssmlRate(tokens: SsmlToken[]): number | undefined {
  for (const t of tokens) {
    if (t.kind === 'open' && t.name === 'prosody' && t.attrs.rate !== undefined) return rateValue(t.attrs.rate);
  }
  return undefined;
}

/**
 * The words to say, for an engine that reads plain text: `<sub alias>` says its alias,
 * `<break>` becomes a comma (short) or a full stop (500 ms and longer) so the engine pauses.
 */
export function ssmlToText(tokens: SsmlToken[]): string {
  const out: string[] = [];
  let insideSub = 0;
  for (const t of tokens) {
    if (t.kind === 'text') {
      if (insideSub === 0) out.push(t.text);
    } else if (t.kind === 'open') {
      if (t.name === 'sub') {
        out.push(` ${t.attrs.alias ?? ''} `);
        if (!t.empty) insideSub += 1;
      } else if (t.name === 'break') {
        const ms = breakMs(t.attrs);
        out.push(ms >= 500 ? '. ' : ', ');
      } else if (t.name === 's' || t.name === 'p') {
        out.push(' ');
      }
    } else if (t.name === 'sub') {
      insideSub = Math.max(0, insideSub - 1);
    } else if (t.name === 's' || t.name === 'p') {
      out.push('. ');
    }
  }
  return out.join('').replace(/\s+/g, ' ').replace(/ ([,.])/g, '$1').replace(/([,.])(?:\s*[,.])+/g, '$1').trim();
}

function breakMs(attrs: Attrs): number {
  const time = attrs.time?.trim().toLowerCase();
  if (time) {
    const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(time);
    if (m) return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  }
  const strength = attrs.strength?.trim().toLowerCase();
  return strength === 'strong' || strength === 'x-strong' ? 750 : 300;
}

/**
 * The SSML as sent to Azure: a clean document in the locale, spoken by the configured voice
 * (a page's own `<voice>` is dropped), with only the accepted elements and attributes, every
 * value escaped again. `rate`, when the document has no prosody of its own, wraps it.
 */
export function azureSsml(tokens: SsmlToken[], voice: string, locale: Locale, rate?: number): string {
  const body: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'text') {
      body.push(escapeXml(t.text));
    } else if (t.name === 'speak' || t.name === 'voice') {
      continue;
    } else if (t.kind === 'open') {
      const attrs = Object.entries(t.attrs).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
      body.push(`<${t.name}${attrs}${t.empty ? '/' : ''}>`);
    } else {
      body.push(`</${t.name}>`);
    }
  }
  let inner = body.join('');
  if (rate !== undefined && ssmlRate(tokens) === undefined && rate !== 1) inner = `<prosody rate="${clampRate(rate)}">${inner}</prosody>`;
  const lang = locale === 'en-US' ? 'en-US' : 'zh-CN';
  return `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${lang}"><voice name="${escapeXml(voice)}">${inner}</voice></speak>`;
}
