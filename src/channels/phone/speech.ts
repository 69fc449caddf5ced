import twilio from 'twilio';
import type { Locale } from '../../i18n.js';
import { parseSsml, rateValue, ssmlRate } from '../../speech/index.js';
import { escapeXml } from '../../speech/ssml.js';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type Say = ReturnType<VoiceResponse['say']>;
/** A Say or an SSML element inside it: all take text; some (say-as, sub) take no elements. */
type SayNode = { addText(text: string): void } & Partial<Pick<Say, 'break' | 'sayAs' | 'sub' | 'p' | 's' | 'prosody'>>;
type SsmlToken = ReturnType<typeof parseSsml>[number];

/*
 * The bot's `speak` (SSML for Azure) as Twilio's <Say> reads it. Twilio documents a subset
 * of SSML inside <Say>: break, emphasis, lang, p, phoneme, prosody, s, say-as, sub, w. The
 * bot reads ID numbers, phone numbers and codes as digit words with <break>s between the
 * groups, which survives here unchanged; rates become percentages, the form Twilio's
 * (Amazon Polly) voices take, while Azure reads "0.85" as a multiplier.
 */

/** say-as types Azure knows, as Twilio names them; others are dropped and their text kept. */
const SAY_AS: Readonly<Record<string, string>> = {
  digits: 'digits', number_digit: 'digits', telephone: 'telephone', characters: 'characters', 'spell-out': 'spell-out',
  cardinal: 'cardinal', number: 'number', ordinal: 'ordinal', date: 'date', time: 'time', address: 'address', fraction: 'fraction', unit: 'unit',
};
const BREAK_STRENGTHS = new Set(['none', 'x-weak', 'weak', 'medium', 'strong', 'x-strong']);

/** A full SSML document, as every bot message carries in `speak`. */
export function phoneSsml(fragment: string, locale: Locale, rate = 1): string {
  const lang = locale === 'en-US' ? 'en-US' : 'zh-CN';
  return `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${lang}"><prosody rate="${rate}">${fragment}</prosody></speak>`;
}

/** The speaking rate the bot asked for (1 normal, 0.85 slow, 0.7 slower), or 1. */
export function rateOf(ssml: string | undefined): number {
  if (!ssml) return 1;
  try {
    return ssmlRate(parseSsml(ssml)) ?? 1;
  } catch {
    return 1;
  }
}

function tokensOf(ssml: string): SsmlToken[] {
  try {
    return parseSsml(ssml);
  } catch {
    // A document the speech module would refuse is still worth saying, as plain words.
    const words = ssml.replace(/<[^>]*>?/g, ' ').replace(/\s+/g, ' ').trim();
    return parseSsml(`<speak>${escapeXml(words.replace(/&(amp|lt|gt|quot|apos);/g, (_m, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[n] ?? ''))}</speak>`);
  }
}

/**
 * Adds one SSML document to a <Say>: the outer rate times the line's own rate (TWILIO_SPEECH_RATE)
 * as one <prosody rate="n%">, and the elements Twilio documents; anything else keeps its words.
 */
export function addSpeech(say: Say, ssml: string, baseRate: number): void {
  const tokens = tokensOf(ssml);
  const rate = (ssmlRate(tokens) ?? 1) * baseRate;
  const root: SayNode = Math.abs(rate - 1) < 0.005 ? say : say.prosody({ rate: `${Math.round(rate * 100)}%` }, '');
  const stack: SayNode[] = [root];
  /** For each open element: whether it pushed a node (closing pops only those). */
  const pushed: boolean[] = [];
  let outerRateSeen = false;
  for (const token of tokens) {
    const top = stack[stack.length - 1]!;
    if (token.kind === 'text') {
      if (token.text) top.addText(token.text);
      continue;
    }
    if (token.kind === 'close') {
      if (pushed.pop()) stack.pop();
      continue;
    }
    let child: SayNode | undefined;
    const { attrs } = token;
    switch (token.name) {
      case 'break': {
        const time = attrs.time && /^\d+(\.\d+)?(ms|s)$/.test(attrs.time.trim()) ? attrs.time.trim() : undefined;
        const strength = attrs.strength && BREAK_STRENGTHS.has(attrs.strength) ? attrs.strength : undefined;
        top.break?.({ ...(time ? { time } : {}), ...(strength ? { strength: strength as 'medium' } : {}) });
        break;
      }
      case 'say-as': {
        const as = SAY_AS[attrs['interpret-as'] ?? ''];
        if (as) child = top.sayAs?.({ 'interpret-as': as as 'digits' }, '');
        break;
      }
      case 'sub':
        if (attrs.alias) child = top.sub?.({ alias: attrs.alias }, '');
        break;
      case 'p':
        child = top.p?.({}, '');
        break;
      case 's':
        child = top.s?.({}, '');
        break;
      case 'prosody': {
        // The outer rate is already applied; an inner one (rare) keeps its own, as a percentage.
        const value = outerRateSeen ? rateValue(attrs.rate) : undefined;
        if (attrs.rate !== undefined) outerRateSeen = true;
        if (value !== undefined && Math.abs(value - 1) >= 0.005) child = top.prosody?.({ rate: `${Math.round(value * 100)}%` }, '');
        break;
      }
      default:
        // speak and voice are the envelope; emphasis is not read by neural voices: its words stay.
        break;
    }
    if (!token.empty) {
      pushed.push(child !== undefined);
      if (child) stack.push(child);
    }
  }
}
