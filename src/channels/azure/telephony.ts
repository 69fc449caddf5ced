import type { Activity, Middleware, TurnContext } from 'botbuilder';
import type { AskData } from '../../bot/reply.js';
import { fill, normalizeLocale, type Locale, type Localized } from '../../i18n.js';
import type { Messages } from '../../interview/spec.js';
import { escapeXml } from '../../speech/ssml.js';
import { COMMAND_WORDS, buildMenu, menuOptions, readInput, type PhoneMenu } from '../phone/keypad.js';

/*
 * The conventions of Azure Bot Service's Telephony channel (phone calls to the bot through
 * Azure Communication Services), applied on /api/messages to that channel only:
 * - `speak` is SSML naming the full neural voice (<voice name="zh-CN-XiaoxiaoNeural">);
 * - `inputHint` controls barge-in: questions may be interrupted, other messages only by keys;
 * - DTMF arrives as a message whose text is the tone, with an entity of type DTMF: tones are
 *   read as on the Twilio line (options by key, 9 / 0 / * on their own, numbers ending with #);
 * - a transfer is the `handoff.initiate` event with `TargetPhoneNumber` (CLERK_LINE), sent
 *   only while clerks are on duty.
 */

export const TELEPHONY_CHANNEL_ID = 'telephony';

export interface TelephonyOptions {
  /** Azure voice names per locale (SPEECH_VOICE_ZH / SPEECH_VOICE_EN). */
  voices: Localized;
  /** The sentences the phone line says besides the bot's own (option-first menus). */
  messages: Messages;
  /** CLERK_LINE: the number a call is transferred to. */
  clerkLine?: string;
  officeOpen(): boolean;
}

const KEYPAD_TYPES = new Set(['idNumber', 'phone', 'money', 'number', 'date']);
const IDLE_MS = 2 * 60 * 60 * 1000;
/** Longer than any number asked (an 18-character ID number); more is a stuck key. */
const MAX_KEYS = 40;

/** What a call is at: the question last asked, the menu page heard, tones keyed so far. */
interface CallState {
  ask?: AskData;
  page: number;
  keys: string;
  lastSeen: number;
}

function isDtmf(activity: Partial<Activity>): boolean {
  return activity.type === 'message' && (activity.entities ?? []).some((e) => String(e?.type ?? '').toLowerCase() === 'dtmf');
}

function dataOf(activity: Partial<Activity>): Record<string, unknown> {
  const data = activity.channelData as unknown;
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
}

export class TelephonyConventions implements Middleware {
  private readonly calls = new Map<string, CallState>();

  constructor(private readonly options: TelephonyOptions) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.channelId !== TELEPHONY_CHANNEL_ID) {
      await next();
      return;
    }
    const call = this.callFor(context.activity.conversation?.id ?? '');
    const locale = normalizeLocale(context.activity.locale);
    context.onSendActivities(async (_ctx, activities, send) => {
      const kept = activities.filter((a) => this.outgoing(call, a, locale));
      activities.splice(0, activities.length, ...kept);
      return send();
    });
    if (isDtmf(context.activity) && !(await this.tones(context, call, locale))) return;
    await next();
  }

  private callFor(id: string): CallState {
    const now = Date.now();
    for (const [key, state] of this.calls) if (state.lastSeen < now - IDLE_MS) this.calls.delete(key);
    const call = this.calls.get(id) ?? { page: 0, keys: '', lastSeen: now };
    call.lastSeen = now;
    this.calls.set(id, call);
    return call;
  }

  /** Adapts one outgoing activity; false drops it. */
  private outgoing(call: CallState, activity: Partial<Activity>, turnLocale: Locale): boolean {
    if (activity.type === 'event' && activity.name === 'handoff.initiate') {
      // Without a line to put the caller through to, the queue's own answer has said it all.
      if (!this.options.clerkLine || !this.options.officeOpen()) return false;
      const value = activity.value && typeof activity.value === 'object' ? (activity.value as Record<string, unknown>) : {};
      activity.value = { ...value, TargetPhoneNumber: this.options.clerkLine };
      return true;
    }
    if ((activity.type ?? 'message') !== 'message') return true;
    const locale = normalizeLocale(activity.locale ?? turnLocale);
    const ask = dataOf(activity).ask as AskData | undefined;
    const expecting = activity.inputHint === 'expectingInput';
    let extra = '';
    if (expecting && ask) {
      call.ask = ask;
      call.page = 0;
      call.keys = '';
      const options = menuOptions(ask, locale);
      if (options) extra = ` ${escapeXml(this.menuText(buildMenu(options, 0, false), locale))}`;
    } else if (!expecting) {
      // Keys (0 for a person) may cut a statement short; a cough may not, or a code is lost.
      activity.inputHint = 'ignoringSpeechInput';
    }
    activity.speak = this.withVoice(activity.speak ?? escapeXml(activity.text ?? ''), locale, extra);
    return true;
  }

  /** The bot's SSML in the configured voice, with `extra` said at the end. */
  private withVoice(speak: string, locale: Locale, extra: string): string {
    const voice = escapeXml(this.options.voices[locale]);
    const whole = /^\s*<speak\b([^>]*)>([\s\S]*)<\/speak>\s*$/.exec(speak);
    const attrs = whole ? whole[1]! : ` version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${locale}"`;
    let body = whole ? whole[2]! : speak;
    if (/<voice\b/.test(body)) return extra ? speak.replace(/<\/voice>(?![\s\S]*<\/voice>)/, `${extra}</voice>`) : speak;
    body = `<voice name="${voice}">${body}${extra}</voice>`;
    return `<speak${attrs}>${body}</speak>`;
  }

  /** "现金，请按1；银行转账，请按2。": the option before its key. */
  private menuText(menu: PhoneMenu, locale: Locale): string {
    const m = this.options.messages;
    const parts = menu.entries.map((e) => fill(m.phoneOption[locale], { title: e.title, key: e.key }));
    if (menu.moreKey) parts.push(fill(m.phoneMore[locale], { key: menu.moreKey }));
    if (menu.firstKey) parts.push(fill(m.phoneFirst[locale], { key: menu.firstKey }));
    return locale === 'zh-CN' ? `${parts.join('；')}。` : `${parts.join('. ')}.`;
  }

  /**
   * Reads a tone into the words the bot understands, in place. False when the turn ends here:
   * a digit of a number still being keyed, or a menu page or wrong key the channel answers itself.
   */
  private async tones(context: TurnContext, call: CallState, locale: Locale): Promise<boolean> {
    const tone = String(context.activity.text ?? '').trim();
    const options = menuOptions(call.ask, locale);
    let digits = tone;
    if (!options && call.ask && KEYPAD_TYPES.has(call.ask.type)) {
      if (tone !== '#') {
        call.keys = (call.keys + tone).slice(0, MAX_KEYS);
        return false;
      }
      digits = call.keys;
      call.keys = '';
    }
    const menu = options ? buildMenu(options, call.page, false) : undefined;
    const input = readInput({ digits }, { ...(call.ask ? { ask: call.ask } : {}), locale, ...(menu ? { menu } : {}), languageKey: false });
    const activity = context.activity;
    switch (input.kind) {
      case 'command':
        activity.text = COMMAND_WORDS[locale][input.command];
        return true;
      case 'answer':
        activity.text = input.text;
        if (input.value !== undefined) activity.value = { answer: input.value };
        return true;
      case 'page':
      case 'no-such-key': {
        if (input.kind === 'page') call.page = input.page;
        const lead = input.kind === 'no-such-key' ? `${fill(this.options.messages.phoneNoSuchKey[locale], { key: input.keys })} ` : '';
        const text = `${lead}${this.menuText(buildMenu(options!, call.page, false), locale)}`;
        await context.sendActivity({ type: 'message', text, speak: escapeXml(text), inputHint: 'expectingInput', locale });
        return false;
      }
      default:
        // A lone # or nothing: the question again.
        activity.text = COMMAND_WORDS[locale].repeat;
        return true;
    }
  }
}
