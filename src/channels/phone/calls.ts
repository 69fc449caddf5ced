import type { Activity } from 'botbuilder';
import type { AskData } from '../../bot/reply.js';
import type { Locale } from '../../i18n.js';

/** The question a call is waiting on, kept to ask it again after silence, a 9 or a transfer. */
export interface Question {
  /** undefined when the bot's last words asked nothing in particular. */
  ask?: AskData;
  /** The question message's SSML document. */
  speak?: string;
  /** Which page of a long option list the caller heard last. */
  page: number;
  /** The first question offers the other language on key 8. */
  languageKey: boolean;
  /**
   * Set while an ID or phone number the caller gave is read back for "对吗？": the words to
   * pass on once confirmed, and the question they answer (asked again on "不对").
   */
  readBack?: { answer: string; keypad: boolean; question: Question };
}

/**
 * One phone call: the conversation is the CallSid, so the bot's state (kept in the store)
 * survives a restart; what is here is only how the call is going right now.
 */
export interface Call {
  sid: string;
  locale: Locale;
  /** The caller's number (Twilio's From), for a call back. Personal data: never logged. */
  caller?: string;
  /** The rate the bot speaks at (1, 0.85, 0.7), from its last message. */
  rate: number;
  /** Counts the questions asked; part of every Gather action, so a stale or repeated answer is recognized. */
  seq: number;
  question?: Question;
  /** Silent answers in a row at the current question. */
  silences: number;
  /** Bot messages not yet spoken: a turn's replies, or a clerk's words between turns. */
  outbox: Partial<Activity>[];
  /** Keypad explanations already given in this call, by field type. */
  hinted: Set<string>;
  /** Set once the caller was told the number a clerk will call back on. */
  callbackNoted?: boolean;
  /** Set when the complaint is finished: the code read at the end. */
  finishedCode?: string;
  inputs: number;
  lastSeen: number;
  /** Turns of a call run one at a time, in arrival order. */
  tail: Promise<void>;
}

/** Twilio ends every call with a status callback; this is the net for calls whose callback never came. */
const IDLE_MS = 2 * 60 * 60 * 1000;
const MAX_CALLS = 5000;

export class CallRegistry {
  readonly #calls = new Map<string, Call>();

  constructor(private readonly now: () => number = Date.now) {}

  get(sid: string): Call | undefined {
    return this.#calls.get(sid);
  }

  create(sid: string, init: { locale: Locale; caller?: string }): Call {
    this.sweep();
    const call: Call = {
      sid,
      locale: init.locale,
      ...(init.caller ? { caller: init.caller } : {}),
      rate: 1,
      seq: 0,
      silences: 0,
      outbox: [],
      hinted: new Set(),
      inputs: 0,
      lastSeen: this.now(),
      tail: Promise.resolve(),
    };
    this.#calls.set(sid, call);
    return call;
  }

  remove(sid: string): void {
    this.#calls.delete(sid);
  }

  get size(): number {
    return this.#calls.size;
  }

  /** Forgets calls idle for hours, and the oldest ones beyond MAX_CALLS. */
  private sweep(): void {
    const cutoff = this.now() - IDLE_MS;
    for (const [sid, call] of this.#calls) if (call.lastSeen < cutoff) this.#calls.delete(sid);
    if (this.#calls.size < MAX_CALLS) return;
    const oldest = [...this.#calls.values()].sort((a, b) => a.lastSeen - b.lastSeen).slice(0, this.#calls.size - MAX_CALLS + 1);
    for (const call of oldest) this.#calls.delete(call.sid);
  }
}
