import type { Activity } from 'botbuilder';
import type { AskData } from '../../bot/reply.js';
import { normalizeLocale, type Locale } from '../../i18n.js';
import type { Collection } from '../../store/types.js';

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
 * survives a restart; what is here is how the call is going right now, stored at every
 * webhook too, so a restart between two requests goes on at the same question.
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
  /** Bot turns running now; stored as turnOpen while above 0. */
  openTurns: number;
  /**
   * Restored with turnOpen: a crash cut a bot turn off, so the bot's state may be before or
   * after it. The next request hears the bot's current question again instead of being taken
   * as an answer to either.
   */
  interrupted?: boolean;
}

/**
 * A call as kept under DATA_DIR. The caller's number is left out: Twilio sends it with every
 * request, so it need not be written down.
 */
export interface StoredCall {
  sid: string;
  locale: Locale;
  rate: number;
  seq: number;
  question?: Question;
  silences: number;
  outbox: Partial<Activity>[];
  hinted: string[];
  callbackNoted?: boolean;
  finishedCode?: string;
  inputs: number;
  lastSeen: number;
  /** Present from the start of a bot turn until the webhook's answer is stored. */
  turnOpen?: true;
}

export type CallCollection = Collection<StoredCall>;

/** The file and collection name under DATA_DIR (`store.openCollection`). */
export const CALLS_FILE = 'phone-calls.json';
export const CALLS_COLLECTION = 'calls';

function isStoredCall(value: unknown): value is StoredCall {
  if (typeof value !== 'object' || value === null) return false;
  const call = value as Partial<StoredCall>;
  return typeof call.sid === 'string' && typeof call.locale === 'string' && typeof call.seq === 'number' &&
    typeof call.rate === 'number' && typeof call.silences === 'number' && Array.isArray(call.outbox) &&
    Array.isArray(call.hinted) && typeof call.inputs === 'number' && typeof call.lastSeen === 'number';
}

/** Twilio ends every call with a status callback; this is the net for calls whose callback never came. */
const IDLE_MS = 2 * 60 * 60 * 1000;
const MAX_CALLS = 5000;

export interface CallRegistryOptions {
  now?: () => number;
  /** Where calls survive a restart; without it they live in memory only. */
  store?: CallCollection;
  /** Told when a removal nobody waits for could not be written. */
  onStoreError?: (error: unknown) => void;
}

export class CallRegistry {
  readonly #calls = new Map<string, Call>();
  readonly #store: CallCollection | undefined;
  readonly #onStoreError: ((error: unknown) => void) | undefined;
  private readonly now: () => number;

  constructor(options: CallRegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.#store = options.store;
    this.#onStoreError = options.onStoreError;
    this.#restore();
  }

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
      openTurns: 0,
    };
    this.#calls.set(sid, call);
    return call;
  }

  remove(sid: string): void {
    this.#calls.delete(sid);
    if (this.#store?.delete(sid)) this.#commitQuietly();
  }

  /** Stores the call as it is now; resolves once that is durable. */
  async save(call: Call): Promise<void> {
    if (!this.#store || this.#calls.get(call.sid) !== call) return;
    this.#store.set(call.sid, toStored(call));
    await this.#store.commit();
  }

  /** Marks a bot turn as running, durably, before the bot acts: see Call.interrupted. */
  async beginTurn(call: Call): Promise<void> {
    call.openTurns++;
    try {
      await this.save(call);
    } catch (error) {
      call.openTurns--;
      throw error;
    }
  }

  /** The turn is over; the next save (the webhook's answer) stores that. */
  endTurn(call: Call): void {
    call.openTurns = Math.max(0, call.openTurns - 1);
  }

  #restore(): void {
    const store = this.#store;
    if (!store) return;
    const cutoff = this.now() - IDLE_MS;
    let removed = false;
    for (const record of [...store.values()]) {
      if (!isStoredCall(record)) continue;
      if (record.lastSeen < cutoff) {
        store.delete(record.sid);
        removed = true;
        continue;
      }
      const { turnOpen, hinted, ...rest } = record;
      this.#calls.set(record.sid, {
        ...rest,
        locale: normalizeLocale(record.locale),
        hinted: new Set(hinted),
        tail: Promise.resolve(),
        openTurns: 0,
        ...(turnOpen ? { interrupted: true } : {}),
      });
    }
    if (removed) this.#commitQuietly();
  }

  #commitQuietly(): void {
    this.#store?.commit().catch((error: unknown) => this.#onStoreError?.(error));
  }

  get size(): number {
    return this.#calls.size;
  }

  /** Forgets calls idle for hours, and the oldest ones beyond MAX_CALLS. */
  private sweep(): void {
    const cutoff = this.now() - IDLE_MS;
    for (const [sid, call] of this.#calls) if (call.lastSeen < cutoff) this.remove(sid);
    if (this.#calls.size < MAX_CALLS) return;
    const oldest = [...this.#calls.values()].sort((a, b) => a.lastSeen - b.lastSeen).slice(0, this.#calls.size - MAX_CALLS + 1);
    for (const call of oldest) this.remove(call.sid);
  }
}

function toStored(call: Call): StoredCall {
  return {
    sid: call.sid,
    locale: call.locale,
    rate: call.rate,
    seq: call.seq,
    ...(call.question ? { question: structuredClone(call.question) } : {}),
    silences: call.silences,
    outbox: structuredClone(call.outbox),
    hinted: [...call.hinted],
    ...(call.callbackNoted ? { callbackNoted: true } : {}),
    ...(call.finishedCode ? { finishedCode: call.finishedCode } : {}),
    inputs: call.inputs,
    lastSeen: call.lastSeen,
    ...(call.openTurns > 0 ? { turnOpen: true as const } : {}),
  };
}
