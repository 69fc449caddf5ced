import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import twilio from 'twilio';
import type IVoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { detectCommand } from '../../bot/commands.js';
import { confirmChoicesForAsk, spokenFromTemplate, type AskData } from '../../bot/reply.js';
import type { TranscriptEntry } from '../../handoff/types.js';
import { DEFAULT_LOCALE, fill, normalizeLocale, type Locale, type Localized } from '../../i18n.js';
import { getFieldType } from '../../interview/fields/index.js';
import type { MessageKey, Messages } from '../../interview/spec.js';
import { digitsSsml, escapeXml } from '../../speech/ssml.js';
import type { ComplaintRepository } from '../../store/types.js';
import { PHONE_BOT, PHONE_CHANNEL_ID, PhoneCallEndedError, callerAccount, type BotLogic, type PhoneAdapter, type PhoneLogger } from './adapter.js';
import type { AudioClips } from './audio.js';
import type { Call, CallRegistry, Question } from './calls.js';
import { COMMAND_WORDS, buildMenu, isOptionTitle, menuOptions, readInput, speechHints, type PhoneInput, type PhoneMenu } from './keypad.js';
import { addSpeech, phoneSsml, rateOf } from './speech.js';

type GatherAttributes = IVoiceResponse.GatherAttributes;
type SayAttributes = IVoiceResponse.SayAttributes;
type Say = IVoiceResponse.Say;

/** The clerk queue as the phone line uses it (PersistentHandoffService fits). */
export interface PhoneHandoffs {
  forConversation(conversationId: string): { id: string; state: string; complaintId?: string } | undefined;
  /** Adds a line to a waiting handoff's transcript, for the clerk. */
  note(conversationId: string, entry: TranscriptEntry): Promise<void>;
}

/** The speech service (src/speech) as the phone line uses it: audio for <Play> when Azure speaks. */
export interface PhoneSpeech {
  readonly synthesis: string;
  synthesize(ssml: string, options: { locale: Locale; rate?: number }): Promise<{ audio: Buffer; contentType: string }>;
}

export interface PhoneLineOptions {
  bot: BotLogic;
  messages: Messages;
  complaints: Pick<ComplaintRepository, 'get'>;
  handoffs: PhoneHandoffs;
  /** Whether clerks are on duty now. */
  officeOpen(): boolean;
  /** Today in the court's time zone, 'YYYY-MM-DD' (an ID number's birth date must be before it). */
  today(): string;
  /** CLERK_LINE: where a caller asking for a person is put through to in office hours. */
  clerkLine?: string;
  /** The court as it is named at the end of the call ("到{court}诉讼服务大厅"). */
  courtName: Localized;
  /** Twilio voices per locale. */
  voices: Localized;
  /** Percent of normal speed for everything said (TWILIO_SPEECH_RATE). */
  speechRate: number;
  /** PUBLIC_URL, read at each request (tests learn their port after start-up). */
  publicUrl(): string;
  /** Where the routes are mounted, e.g. /api/phone/twilio. */
  basePath: string;
  /** With Azure synthesis, replies are played as its audio instead of Twilio's <Say>. */
  speech?: PhoneSpeech;
  log: PhoneLogger;
  /**
   * After a restart, for a call whose bot turn a crash cut off: the bot says its current
   * question again (a proactive turn) at the caller's next request.
   */
  resume?: BotLogic;
}

/** Twilio's webhook parameters (form fields). */
export type TwilioParams = Record<string, unknown>;

/** Something to say: a full SSML document, in the call's language or another. */
interface Speech {
  ssml: string;
  locale: Locale;
}

/** The answer to one webhook, before it becomes TwiML. */
interface Plan {
  speech: Speech[];
  gather?: { attributes: GatherAttributes; speech: Speech[] };
  dial?: { number: string; action: string };
  hangup?: boolean;
}

interface RespondInfo {
  /** Said before the bot's replies. */
  lead?: Speech[];
  /** The caller asked for a person in this turn (0, or words like 转人工). */
  personRequested?: boolean;
  /** The conversation's open handoff before the turn, to notice one the turn opened. */
  handoffBefore?: string;
  /** The call's first answer: the keys are explained once. */
  greeting?: boolean;
  /** With nothing asked in the replies, ask the waiting question again (after a transfer). */
  reask?: boolean;
}

type Mode = 'full' | 'simple' | 'options' | 'none';

const KEYPAD_TYPES = new Set(['idNumber', 'phone', 'money', 'number', 'date']);
/** Numbers a caller cannot see: read back digit by digit and confirmed before the bot takes them. */
const READ_BACK_TYPES = new Set(['idNumber', 'phone']);
const TERMINAL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
/** Numbers Twilio puts in From when the caller's number is withheld or unknown. */
const WITHHELD = new Set(['266696687', '7378742833', '2562533', '8656696', '86282452253']);
const MAX_UTTERANCE = 1000;
/** Synthesis slower than this falls back to <Say>: Twilio gives up on a webhook after 15 s. */
const SYNTHESIS_TIMEOUT_MS = 6000;

function param(p: TwilioParams, name: string): string | undefined {
  const value = p[name];
  return typeof value === 'string' ? value : undefined;
}

function dataOf(activity: Partial<Activity>): Record<string, unknown> {
  const data = activity.channelData as unknown;
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
}

function isQuestion(activity: Partial<Activity>): boolean {
  return activity.inputHint === 'expectingInput' && typeof dataOf(activity).ask === 'object';
}

function handoffState(activity: Partial<Activity>): string | undefined {
  const handoff = dataOf(activity).handoff as { state?: unknown } | undefined;
  return typeof handoff?.state === 'string' ? handoff.state : undefined;
}

/** The literal start of a message template, before its first placeholder. */
function templateStart(template: string): string {
  const at = template.indexOf('{');
  return (at < 0 ? template : template.slice(0, at)).trim();
}

/** The caller's number as it is shown and read back, or undefined when it is withheld. */
export function callerNumber(from: string | undefined, locale: Locale): { text: string; ssml: string } | undefined {
  const raw = (from ?? '').trim();
  if (!/^\+?\d{5,15}$/.test(raw) || WITHHELD.has(raw.replace(/^\+/, ''))) return undefined;
  const phone = getFieldType('phone');
  if (raw.startsWith('+86')) {
    const national = raw.slice(3);
    const parsed = phone.parse(/^1\d{10}$/.test(national) ? national : `0${national}`, { locale, today: '2000-01-01', options: {} });
    if (parsed.ok) return { text: phone.format(parsed.value, locale, {}), ssml: phone.speak(parsed.value, locale, {}) };
  }
  const digits = raw.replace(/\D/g, '');
  return { text: raw, ssml: digitsSsml(digits, locale, digits.length > 8 ? [digits.length - 8, 4, 4] : [digits.length]) };
}

/**
 * The phone line's logic: each Twilio webhook becomes a bot turn (or, for silence, paging
 * and stale answers, no turn at all), and the bot's replies become TwiML. Everything the bot
 * says is said; the last question becomes a <Gather> with its options read option-first.
 */
export class PhoneLine {
  constructor(
    private readonly o: PhoneLineOptions,
    readonly calls: CallRegistry,
    readonly adapter: PhoneAdapter,
    readonly clips: AudioClips,
  ) {}

  // ---- webhooks -------------------------------------------------------------------------

  /** POST {base}: a call comes in. The bot greets and asks its first question. */
  async incoming(p: TwilioParams, sid: string): Promise<string> {
    const existing = this.calls.get(sid);
    if (existing) {
      // Twilio asked for the call's TwiML again (a redirect or a retry): go on where it was.
      return this.adapter.exclusive(existing, async () => {
        if (existing.interrupted) return this.answer(existing, await this.resumed(existing));
        return this.answer(existing, existing.finishedCode ? this.endPlan(existing, []) : this.questionPlan(existing, [], 'full'));
      });
    }
    const locale = DEFAULT_LOCALE;
    const call = this.calls.create(sid, { locale, ...(callerNumber(param(p, 'From'), locale) ? { caller: param(p, 'From')!.trim() } : {}) });
    this.o.log.info({ call: sid }, 'phone call started');
    return this.adapter.exclusive(call, async () => {
      await this.adapter.run(call, this.callActivity(call, {
        type: 'conversationUpdate',
        id: `${sid}-start`,
        membersAdded: [{ ...PHONE_BOT }, callerAccount(sid)] as Activity['membersAdded'],
      }), this.o.bot);
      return this.answer(call, await this.respond(call, call.outbox.splice(0), { greeting: true }));
    });
  }

  /** POST {base}/gather: what the caller pressed or said at a question, or nothing. */
  async gather(p: TwilioParams, sid: string, seq: string | undefined): Promise<string> {
    const call = this.known(p, sid);
    return this.adapter.exclusive(call, async () => {
      call.lastSeen = Date.now();
      if (call.interrupted) return this.answer(call, await this.resumed(call));
      if (call.finishedCode) return this.answer(call, this.endPlan(call, []));
      if (call.question && seq !== undefined && seq !== String(call.seq)) {
        // An answer to a question already answered (Twilio retried): ask the current one, answer nothing twice.
        return this.answer(call, this.questionPlan(call, [], 'full'));
      }
      const q = call.question;
      const options = menuOptions(q?.ask, call.locale);
      const menu = options && q ? this.menu(q, options) : undefined;
      const input = readInput({ digits: param(p, 'Digits'), speech: param(p, 'SpeechResult') }, {
        ...(q?.ask ? { ask: q.ask } : {}), locale: call.locale, ...(menu ? { menu } : {}), languageKey: q?.languageKey ?? false,
      });
      if (q?.readBack) return this.answer(call, await this.answerReadBack(call, q.readBack, input));
      let plan: Plan;
      switch (input.kind) {
        case 'silence':
          plan = await this.silence(call);
          break;
        case 'page':
          q!.page = input.page;
          call.silences = 0;
          plan = this.questionPlan(call, [], 'options');
          break;
        case 'no-such-key':
          call.silences = 0;
          plan = this.questionPlan(call, [this.said(call, 'phoneNoSuchKey', { key: input.keys })], 'options');
          break;
        case 'language': {
          call.locale = input.locale;
          const greeting = this.o.messages.greeting[input.locale];
          plan = await this.turn(call, { text: COMMAND_WORDS[input.locale].repeat, keypad: true }, { lead: [{ ssml: phoneSsml(escapeXml(greeting), input.locale, call.rate), locale: input.locale }] });
          break;
        }
        case 'command':
          plan = await this.turn(call, { text: COMMAND_WORDS[call.locale][input.command], keypad: true }, { personRequested: input.command === 'person' });
          break;
        case 'answer': {
          const command = input.value === undefined ? detectCommand(input.text) : null;
          const personRequested = command === 'person' && !isOptionTitle(input.text, options);
          const readBack = command === null && q ? this.startReadBack(call, q, input.text, input.keys !== undefined) : undefined;
          if (readBack) {
            plan = readBack;
            break;
          }
          const confidence = Number(param(p, 'Confidence'));
          plan = await this.turn(call, {
            text: input.text, keypad: input.keys !== undefined,
            ...(input.value !== undefined ? { value: input.value } : {}),
            ...(Number.isFinite(confidence) && input.keys === undefined ? { confidence } : {}),
          }, { personRequested });
          break;
        }
      }
      return this.answer(call, plan);
    });
  }

  /** POST {base}/dial: the transfer to a clerk is over (or never connected). */
  async dialed(p: TwilioParams, sid: string): Promise<string> {
    const call = this.known(p, sid);
    return this.adapter.exclusive(call, async () => {
      if (call.interrupted) return this.answer(call, await this.resumed(call));
      const status = param(p, 'DialCallStatus') ?? '';
      const talked = status === 'completed' || status === 'answered';
      this.o.log.info({ call: sid, dialStatus: status }, 'phone transfer to the clerk line ended');
      const lead = [this.said(call, talked ? 'phoneTransferEnded' : 'phoneTransferFailed')];
      const before = this.o.handoffs.forConversation(sid)?.id;
      return this.answer(call, await this.respond(call, call.outbox.splice(0), { lead, reask: true, ...(before ? { handoffBefore: before } : {}) }));
    });
  }

  /** POST {base}/end: after the finished complaint, 9 reads the number again; anything else says goodbye. */
  async ended(p: TwilioParams, sid: string): Promise<string> {
    const call = this.calls.get(sid);
    if (!call?.finishedCode) {
      const locale = call?.locale ?? DEFAULT_LOCALE;
      this.calls.remove(sid);
      return this.render(undefined, { speech: [{ ssml: phoneSsml(escapeXml(this.o.messages.phoneGoodbye[locale]), locale), locale }], hangup: true });
    }
    return this.adapter.exclusive(call, async () => {
      const digits = param(p, 'Digits') ?? '';
      const words = param(p, 'SpeechResult') ?? '';
      if (digits === '9' || detectCommand(words) === 'repeat') return this.answer(call, this.endPlan(call, []));
      this.calls.remove(sid);
      this.o.log.info({ call: sid }, 'phone call finished with a complaint');
      // Hung up only now: the complaint is finished and its number was read twice.
      return this.render(call, { speech: [this.said(call, 'phoneGoodbye')], hangup: true });
    });
  }

  /** POST {base}/status: Twilio's call status callback; a finished call is forgotten. */
  status(p: TwilioParams, sid: string): void {
    const status = param(p, 'CallStatus') ?? '';
    if (!TERMINAL_STATUSES.has(status)) return;
    this.calls.remove(sid);
    this.clips.forgetCall(sid);
    this.o.log.info({ call: sid, status }, 'phone call ended');
  }

  /** TwiML for a webhook that failed: an apology, and the caller is listened to again. */
  async apology(sid: string): Promise<string> {
    const call = this.calls.get(sid);
    const locale = call?.locale ?? DEFAULT_LOCALE;
    const sorry: Speech = { ssml: phoneSsml(escapeXml(this.o.messages.error[locale]), locale, call?.rate ?? 1), locale };
    return this.render(call, call ? this.questionPlan(call, [sorry], 'none') : { speech: [sorry], gather: { attributes: this.gatherAttributes(locale, undefined, this.url('/gather')), speech: [] } });
  }

  // ---- reaching a caller between requests -------------------------------------------------

  /**
   * Runs proactive logic for a caller (a clerk's words, the bot taking over again). What the
   * bot says is spoken at the caller's next request. False when the call is over.
   */
  async continueCall(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<boolean> {
    try {
      await this.adapter.continueConversation(reference, logic);
      return true;
    } catch (error) {
      if (!(error instanceof PhoneCallEndedError)) throw error;
      this.o.log.warn({ call: reference.conversation?.id }, 'the phone call has ended; the caller cannot be reached');
      return false;
    }
  }

  // ---- turns ------------------------------------------------------------------------------

  /** The call, also when this server does not know it; a call restored from the store gets the caller's number back. */
  private known(p: TwilioParams, sid: string): Call {
    const call = this.calls.get(sid);
    if (!call) return this.recreate(p, sid);
    const from = param(p, 'From');
    if (!call.caller && callerNumber(from, call.locale)) call.caller = from!.trim();
    return call;
  }

  /** What the caller hears, stored first: a restart after this answer goes on from exactly here. */
  private async answer(call: Call, plan: Plan): Promise<string> {
    await this.calls.save(call);
    return this.render(call, plan);
  }

  /**
   * The first request after a restart for a call whose bot turn a crash cut off. What the
   * caller said may answer a question the bot has already left, so it is not taken: the bot
   * says its current question again, and the caller answers that.
   */
  private async resumed(call: Call): Promise<Plan> {
    call.interrupted = false;
    const resume = this.o.resume;
    if (!resume) return this.questionPlan(call, [], 'full');
    this.o.log.info({ call: call.sid }, 'phone call resumed after a restart cut its turn off');
    await this.adapter.run(call, this.callActivity(call, { type: 'event', name: 'continueConversation', id: `${call.sid}-resume-${call.inputs}` }), resume);
    return this.respond(call, call.outbox.splice(0), { reask: true });
  }

  /** An activity from the caller: what every turn of a call shares, plus `fields`. */
  private callActivity(call: Call, fields: Partial<Activity> & Pick<Activity, 'type' | 'id'>): Partial<Activity> {
    return {
      timestamp: new Date(),
      channelId: PHONE_CHANNEL_ID,
      serviceUrl: this.o.publicUrl(),
      conversation: { id: call.sid } as Activity['conversation'],
      from: callerAccount(call.sid) as Activity['from'],
      recipient: { ...PHONE_BOT } as Activity['recipient'],
      locale: call.locale,
      ...fields,
    };
  }

  /** A request for a call this server does not know (it restarted mid-call): the bot's state is in the store. */
  private recreate(p: TwilioParams, sid: string): Call {
    const from = param(p, 'From');
    return this.calls.create(sid, { locale: DEFAULT_LOCALE, ...(callerNumber(from, DEFAULT_LOCALE) ? { caller: from!.trim() } : {}) });
  }

  private async turn(call: Call, input: { text: string; value?: string; keypad: boolean; confidence?: number }, info: RespondInfo): Promise<Plan> {
    const before = this.o.handoffs.forConversation(call.sid)?.id;
    call.inputs += 1;
    await this.adapter.run(call, this.callActivity(call, {
      type: 'message',
      id: `${call.sid}-${call.inputs}`,      text: input.text.slice(0, MAX_UTTERANCE),
      ...(input.value !== undefined ? { value: { answer: input.value } } : {}),
      channelData: { phone: { input: input.keypad ? 'keys' : 'speech', ...(input.confidence !== undefined ? { confidence: input.confidence } : {}) } },
    }), this.o.bot);
    return this.respond(call, call.outbox.splice(0), { ...info, ...(before ? { handoffBefore: before } : {}) });
  }

  /** No keys, no words: ask again; then more simply; from the third time on, offer a person. Never hang up. */
  private async silence(call: Call): Promise<Plan> {
    const waiting = call.outbox.splice(0);
    if (waiting.length > 0) {
      // A clerk wrote, or gave the caller back, since the last answer: that is what to say now.
      const before = this.o.handoffs.forConversation(call.sid)?.id;
      return this.respond(call, waiting, before ? { handoffBefore: before } : {});
    }
    call.silences += 1;
    if (call.silences === 1) return this.questionPlan(call, [this.said(call, 'phoneAskAgain')], 'full');
    return this.questionPlan(call, [], 'simple', call.silences >= 3);
  }

  /**
   * A valid ID or phone number, keyed or said, is read back digit by digit in groups before the
   * bot takes it: "幺幺零 幺零五…，对吗？ 是，请按1；否，请按2。" Invalid ones go straight to
   * the bot, whose answer says what is wrong with them.
   */
  private startReadBack(call: Call, q: Question, answer: string, keypad: boolean): Plan | undefined {
    const ask = q.ask;
    if (!ask || !READ_BACK_TYPES.has(ask.type)) return undefined;
    const type = getFieldType(ask.type);
    const parsed = type.parse(answer, { locale: call.locale, today: this.o.today(), options: {} });
    if (!parsed.ok) return undefined;
    const spoken = spokenFromTemplate(this.o.messages.confirmValue[call.locale], { value: type.format(parsed.value, call.locale, {}) }, { value: type.speak(parsed.value, call.locale, {}) });
    call.seq += 1;
    call.silences = 0;
    call.question = {
      ask: { field: ask.field, type: 'confirm', ...(ask.index !== undefined ? { index: ask.index } : {}), required: true, choices: confirmChoicesForAsk(call.locale) },
      speak: phoneSsml(spoken.speak, call.locale, call.rate),
      page: 0,
      languageKey: false,
      readBack: { answer, keypad, question: q },
    };
    return this.questionPlan(call, [], 'full');
  }

  /** The caller's answer to a read-back: yes passes the number to the bot, no asks for it again. */
  private async answerReadBack(call: Call, readBack: NonNullable<Question['readBack']>, input: PhoneInput): Promise<Plan> {
    const askAgain = (lead: Speech[]): Plan => {
      call.seq += 1;
      call.silences = 0;
      call.question = { ...readBack.question, page: 0 };
      return this.questionPlan(call, lead, 'full');
    };
    const person = async (): Promise<Plan> => {
      call.question = readBack.question;
      return this.turn(call, { text: COMMAND_WORDS[call.locale].person, keypad: true }, { personRequested: true });
    };
    switch (input.kind) {
      case 'silence':
        return this.silence(call);
      case 'command':
        if (input.command === 'person') return person();
        return input.command === 'back' ? askAgain([]) : this.questionPlan(call, [], 'full');
      case 'no-such-key':
        return this.questionPlan(call, [this.said(call, 'phoneNoSuchKey', { key: input.keys })], 'options');
      case 'answer': {
        const command = input.value === undefined ? detectCommand(input.text, true) : null;
        if (command === 'person') return person();
        if (command === 'back') return askAgain([]);
        if (command === 'repeat') return this.questionPlan(call, [], 'full');
        let yes: boolean | undefined = input.value === 'yes' ? true : input.value === 'no' ? false : undefined;
        if (yes === undefined) {
          const parsed = getFieldType('confirm').parse(input.text, { locale: call.locale, today: this.o.today(), options: {} });
          if (parsed.ok) yes = parsed.value === true;
        }
        if (yes === true) {
          call.question = readBack.question;
          return this.turn(call, { text: readBack.answer, keypad: readBack.keypad }, {});
        }
        if (yes === false) return askAgain([this.said(call, 'sayAgain')]);
        return this.questionPlan(call, [this.said(call, 'confirmValueHelp')], 'full');
      }
      default:
        return this.questionPlan(call, [], 'full');
    }
  }

  /** The bot's replies of a turn as what the caller hears next. */
  private async respond(call: Call, activities: Partial<Activity>[], info: RespondInfo): Promise<Plan> {
    const replies = activities.filter((a) => (a.type ?? 'message') === 'message' && (a.speak || a.text));
    for (const reply of replies) if (reply.speak) call.rate = rateOf(reply.speak);
    const lead = info.lead ?? [];

    const finished = replies.findIndex((a) => typeof dataOf(a).complaint === 'object');
    if (finished >= 0) {
      const complaint = dataOf(replies[finished]!).complaint as { id?: unknown };
      return this.finishPlan(call, [...lead, ...replies.slice(0, finished).map((a) => this.speechOf(call, a))], typeof complaint.id === 'string' ? complaint.id : undefined);
    }

    const handoff = this.o.handoffs.forConversation(call.sid);
    const raised = Boolean(info.personRequested) || (handoff !== undefined && handoff.id !== info.handoffBefore);
    const desk = raised ? replies.findIndex((a) => this.isDeskHandoff(a, call.locale)) : -1;
    let asked = -1;
    replies.forEach((a, i) => { if (isQuestion(a)) asked = i; });
    if (asked >= 0) this.setQuestion(call, replies[asked]!);

    if (raised && this.canTransfer()) {
      // The queue entry stays, so the clerk who answers finds the draft waiting in the console.
      const kept = replies.filter((_a, i) => i !== desk && i !== asked).map((a) => this.speechOf(call, a));
      const code = await this.resumeCode(handoff?.complaintId);
      const speech = [...lead, ...kept, this.said(call, 'phoneTransfer'), ...(code ? [this.said(call, 'handoffCode', { code }, { code: digitsSsml(code, call.locale, [3, 3]) })] : [])];
      this.o.log.info({ call: call.sid }, 'phone caller put through to the clerk line');
      return { speech, dial: { number: this.o.clerkLine!, action: this.url('/dial', { q: call.seq }) } };
    }

    const statements: Speech[] = [...lead];
    for (const [i, reply] of replies.entries()) {
      if (i === asked) continue;
      statements.push(this.speechOf(call, reply));
      if (i === desk && handoffState(reply) === 'unavailable') statements.push(...(await this.callback(call, handoff?.complaintId)));
    }
    if (info.greeting) statements.push(this.said(call, 'phoneKeys'));
    if (asked >= 0 || (info.reask && call.question)) return this.questionPlan(call, statements, 'full');
    // Nothing asked (words relayed to a clerk, an apology): listen again with the same keys.
    const plan = this.questionPlan(call, statements, 'none');
    if (replies.length === 0) plan.gather!.speech.push(this.said(call, 'phoneWaitClerk'));
    return plan;
  }

  private setQuestion(call: Call, activity: Partial<Activity>): void {
    const ask = dataOf(activity).ask as AskData;
    call.seq += 1;
    call.silences = 0;
    call.question = { ask, ...(activity.speak ? { speak: activity.speak } : {}), page: 0, languageKey: ask.field === 'caseType' };
    if (activity.locale) call.locale = normalizeLocale(activity.locale);
  }

  /** The clerk queue's own answer to a request for a person ("you are number 2" / "nobody is on duty"). */
  private isDeskHandoff(activity: Partial<Activity>, locale: Locale): boolean {
    const state = handoffState(activity);
    if (state !== 'queued' && state !== 'unavailable') return false;
    const text = activity.text ?? '';
    const lang = normalizeLocale(activity.locale ?? locale);
    return (['handoffQueued', 'handoffNoClerk'] as const).some((key) => {
      const start = templateStart(this.o.messages[key][lang]);
      return start.length > 0 && text.startsWith(start);
    });
  }

  private canTransfer(): boolean {
    return Boolean(this.o.clerkLine) && this.o.officeOpen();
  }

  private async resumeCode(complaintId: string | undefined): Promise<string | undefined> {
    return complaintId ? (await this.o.complaints.get(complaintId))?.resumeCode : undefined;
  }

  /**
   * Nobody can take the call now: the caller's own number is kept on the handoff for the clerk
   * to call back, and read back to the caller (unless the draft already gave one, which the
   * queue's answer has just read out).
   */
  private async callback(call: Call, complaintId: string | undefined): Promise<Speech[]> {
    const number = callerNumber(call.caller, call.locale);
    if (!number) return [];
    if (!call.callbackNoted) {
      call.callbackNoted = true;
      const text = fill(this.o.messages.phoneCallbackNote[call.locale], { phone: number.text });
      await this.o.handoffs.note(call.sid, { from: 'bot', text, at: new Date().toISOString() });
    }
    const draft = complaintId ? await this.o.complaints.get(complaintId) : undefined;
    if (typeof draft?.answers['plaintiff.phone'] === 'string') return [];
    return [this.said(call, 'phoneCallback', { phone: number.text }, { phone: number.ssml })];
  }

  // ---- what is said -----------------------------------------------------------------------

  private said(call: Call, key: MessageKey, vars: Record<string, string | number> = {}, speakVars: Record<string, string> = {}): Speech {
    const spoken = spokenFromTemplate(this.o.messages[key][call.locale], vars, speakVars);
    return { ssml: phoneSsml(spoken.speak, call.locale, call.rate), locale: call.locale };
  }

  private speechOf(call: Call, activity: Partial<Activity>): Speech {
    const locale = normalizeLocale(activity.locale ?? call.locale);
    return { ssml: activity.speak || phoneSsml(escapeXml(activity.text ?? ''), locale, call.rate), locale };
  }

  private menu(q: Question, options: NonNullable<ReturnType<typeof menuOptions>>): PhoneMenu {
    return buildMenu(options, q.page, q.languageKey);
  }

  /** "现金，请按1；银行转账，请按2。" — the option before its key, as COGA advises. */
  private menuSpeech(call: Call, menu: PhoneMenu): Speech {
    const m = this.o.messages;
    const parts = menu.entries.map((e) => fill(m.phoneOption[call.locale], { title: e.title, key: e.key }));
    if (menu.moreKey) parts.push(fill(m.phoneMore[call.locale], { key: menu.moreKey }));
    if (menu.firstKey) parts.push(fill(m.phoneFirst[call.locale], { key: menu.firstKey }));
    const text = call.locale === 'zh-CN' ? `${parts.join('；')}。` : `${parts.join('. ')}.`;
    return { ssml: phoneSsml(escapeXml(text), call.locale, call.rate), locale: call.locale };
  }

  /** How to answer a number by keys, said the first time such a question comes in a call. */
  private keypadHint(call: Call, ask: AskData | undefined, always: boolean): Speech | undefined {
    if (!ask || !KEYPAD_TYPES.has(ask.type)) return undefined;
    // Codes and the last digits of a phone number have no decimal point to explain.
    const kind = ask.field === 'resume.code' || ask.field === 'resume.phone' ? 'phone' : ask.type === 'money' ? 'number' : ask.type;
    if (!always && call.hinted.has(kind)) return undefined;
    call.hinted.add(kind);
    switch (kind) {
      case 'idNumber':
        return this.said(call, 'phoneKeysId');
      case 'number':
        return this.said(call, 'phoneKeysNumber');
      case 'date':
        return this.said(call, 'phoneKeysDate', { example: '20240305' }, { example: digitsSsml('20240305', call.locale, [4, 2, 2], { oneAsYao: false }) });
      default:
        return this.said(call, 'phoneKeysPhone');
    }
  }

  /**
   * The question the call waits on, as a <Gather>: in full (its words, options, how to key
   * it), simply (only the options, or "please key it in"), only the options (paging), or
   * nothing (listen again).
   */
  private questionPlan(call: Call, lead: Speech[], mode: Mode, offerPerson = false): Plan {
    const q = call.question;
    const ask = q?.ask;
    const options = menuOptions(ask, call.locale);
    const menu = options && q ? this.menu(q, options) : undefined;
    const inside: Speech[] = [];
    if (offerPerson) inside.push(this.said(call, 'phoneOfferPerson'));
    if (mode === 'full') {
      if (q?.speak) inside.push({ ssml: q.speak, locale: call.locale });
      else if (!menu) inside.push(this.said(call, 'phoneSayIt'));
      if (!menu) {
        const hint = this.keypadHint(call, ask, false);
        if (hint) inside.push(hint);
      }
    }
    if (menu && mode !== 'none') inside.push(this.menuSpeech(call, menu));
    if (!menu && mode === 'simple') inside.push(ask && KEYPAD_TYPES.has(ask.type) ? this.said(call, 'phonePressKeys') : this.said(call, 'phoneSayIt'));
    if (q?.languageKey && (mode === 'full' || mode === 'options')) {
      const other: Locale = call.locale === 'zh-CN' ? 'en-US' : 'zh-CN';
      inside.push({ ssml: phoneSsml(escapeXml(this.o.messages.phoneOtherLanguage[other]), other, call.rate), locale: other });
    }
    const action = this.url('/gather', { q: call.seq, ...(ask ? { field: ask.field } : {}), ...(ask?.index !== undefined ? { index: ask.index } : {}) });
    return { speech: lead, gather: { attributes: this.gatherAttributes(call.locale, q, action), speech: inside } };
  }

  /** Gather by field type: one key for options, keys ending with # for numbers, speech for words. */
  private gatherAttributes(locale: Locale, q: Question | undefined, action: string): GatherAttributes {
    const ask = q?.ask;
    const options = menuOptions(ask, locale);
    const hints = speechHints(options, locale, q?.languageKey ?? false);
    const base: GatherAttributes = {
      input: ['dtmf', 'speech'],
      action,
      method: 'POST',
      // Silence comes back to us too, so it is asked again, never hung up on.
      actionOnEmptyResult: true,
      language: locale === 'en-US' ? 'en-US' : 'cmn-Hans-CN',
      // Names could be taken for rude words and masked; a complaint needs them as said.
      profanityFilter: false,
      timeout: 8,
      ...(hints ? { hints } : {}),
    };
    if (!options && ask && KEYPAD_TYPES.has(ask.type)) {
      // Digits said one by one come with pauses; keys end with #, and * is X or a decimal point.
      return { ...base, finishOnKey: '#', timeout: 10, speechTimeout: '3' };
    }
    // One key is enough: an option, or 9 / 0 / * at a question answered in words.
    return { ...base, numDigits: 1, speechTimeout: 'auto' };
  }

  /** The end of the call: the number read back, 9 to hear it again. */
  private finishPlan(call: Call, speech: Speech[], complaintId: string | undefined): Promise<Plan> {
    return (async () => {
      const code = await this.resumeCode(complaintId);
      call.question = undefined;
      if (!code) return { speech: [...speech, this.said(call, 'phoneGoodbye')], hangup: true };
      call.finishedCode = code;
      const court = this.o.courtName[call.locale];
      speech.push(this.said(call, 'phoneFinished', { code, court }, { code: digitsSsml(code, call.locale, [3, 3]) }));
      return this.endPlan(call, speech);
    })();
  }

  private endPlan(call: Call, speech: Speech[]): Plan {
    const code = call.finishedCode ?? '';
    return {
      speech,
      gather: {
        attributes: {
          input: ['dtmf', 'speech'], action: this.url('/end'), method: 'POST', actionOnEmptyResult: true, numDigits: 1, timeout: 6,
          speechTimeout: 'auto', language: call.locale === 'en-US' ? 'en-US' : 'cmn-Hans-CN', hints: COMMAND_WORDS[call.locale].repeat,
        },
        speech: [this.said(call, 'phoneCodeAgain', { code }, { code: digitsSsml(code, call.locale, [3, 3]) })],
      },
    };
  }

  private url(path: string, query: Record<string, string | number> = {}): string {
    const qs = Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
    return `${this.o.publicUrl()}${this.o.basePath}${path}${qs ? `?${qs}` : ''}`;
  }

  // ---- TwiML ------------------------------------------------------------------------------

  private async render(call: Call | undefined, plan: Plan): Promise<string> {
    const all = [...plan.speech, ...(plan.gather?.speech ?? [])];
    const audio = call ? await this.audioFor(call, all) : new Map<Speech, string>();
    const response = new twilio.twiml.VoiceResponse();
    interface Sink {
      say(attributes: SayAttributes, message: string): Say;
      play(attributes: IVoiceResponse.PlayAttributes, url: string): unknown;
    }
    const add = (sink: Sink, s: Speech) => {
      const url = audio.get(s);
      if (url) {
        sink.play({}, url);
        return;
      }
      const say = sink.say({ voice: this.o.voices[s.locale] as SayAttributes['voice'], language: s.locale === 'en-US' ? 'en-US' : 'cmn-CN' }, '');
      addSpeech(say, s.ssml, this.o.speechRate / 100);
    };
    for (const s of plan.speech) add(response, s);
    if (plan.gather) {
      const gather = response.gather(plan.gather.attributes);
      for (const s of plan.gather.speech) add(gather, s);
    }
    if (plan.dial) response.dial({ action: plan.dial.action, method: 'POST', timeout: 30 }, plan.dial.number);
    if (plan.hangup) response.hangup();
    return response.toString();
  }

  /** Azure's audio for each sentence, when Azure speaks; a sentence it cannot make in time is left to <Say>. */
  private async audioFor(call: Call, speech: Speech[]): Promise<Map<Speech, string>> {
    const urls = new Map<Speech, string>();
    const service = this.o.speech;
    if (!service || service.synthesis !== 'azure' || speech.length === 0) return urls;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), SYNTHESIS_TIMEOUT_MS); });
    try {
      await Promise.all(speech.map(async (s) => {
        const result = await Promise.race([service.synthesize(s.ssml, { locale: s.locale }).catch(() => undefined), deadline]);
        if (result && result !== 'late') urls.set(s, `${this.o.publicUrl()}${this.o.basePath}/audio/${this.clips.put(call.sid, result.audio, result.contentType)}`);
      }));
    } finally {
      clearTimeout(timer);
    }
    if (urls.size < speech.length) this.o.log.warn({ call: call.sid, missing: speech.length - urls.size }, 'speech synthesis failed or was slow; Twilio reads those sentences');
    return urls;
  }
}
