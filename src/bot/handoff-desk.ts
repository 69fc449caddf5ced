import { EventFactory, TurnContext, type Activity, type Transcript } from 'botbuilder';
import type { Localized } from '../i18n.js';
import { getFieldType, parseIdNumber } from '../interview/fields/index.js';
import type { HandoffReason, HandoffRecord, Priority, TranscriptEntry } from '../handoff/types.js';
import type { HandoffDeps, PersistentHandoffService } from '../handoff/service.js';
import type { Messages } from '../interview/spec.js';
import { digitsSsml, escapeXml, speakDocument } from '../speech/ssml.js';
import type { ComplaintRepository } from '../store/types.js';
import { message, say, spokenFromTemplate } from './reply.js';
import { turnEnv } from './turn.js';

/** Channels whose filers this server's own clerk console serves; others also get the standard handoff event. */
const OWN_CHANNELS = new Set(['directline', 'test', 'emulator', 'twilio-voice']);
const ELDERLY_AGE = 70;

export interface HandoffDeskOptions {
  service: PersistentHandoffService;
  complaints: ComplaintRepository;
  messages: Messages;
  clerk: { phone: string; hours: Localized };
  today(): string;
  /** Whether clerks are on duty now (office hours). */
  officeOpen(): boolean;
}

const RECENT = Symbol('recentTranscript');

/** The bot keeps the conversation's recent lines on the turn so a handoff can carry them. */
export function setRecentTranscript(context: TurnContext, recent: TranscriptEntry[]): void {
  context.turnState.set(RECENT, recent);
}

function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < (bd || 1)) ? 1 : 0);
}

/**
 * Puts a filer in the clerk queue from any question, with the right priority, and tells
 * them honestly where they stand: their place and wait, or that nobody is on duty and
 * what happens next.
 */
export class HandoffDesk {
  constructor(private readonly options: HandoffDeskOptions) {}

  private async priorityFor(reason: HandoffReason, complaintId: string | undefined): Promise<Priority> {
    if (reason === 'danger') return 'urgent';
    const record = complaintId ? await this.options.complaints.get(complaintId) : undefined;
    const id = record?.answers['plaintiff.idNumber'];
    const birth = typeof id === 'string' ? parseIdNumber(id) : undefined;
    const birthDate = birth?.ok ? birth.birthDate : record?.answers['plaintiff.birthDate'];
    if (typeof birthDate === 'string' && ageOn(birthDate, this.options.today()) >= ELDERLY_AGE) return 'elderly';
    return 'normal';
  }

  async request(context: TurnContext, reason: HandoffReason, field?: string): Promise<void> {
    const env = turnEnv(context);
    const { service, messages } = this.options;
    const recent = (context.turnState.get(RECENT) as TranscriptEntry[] | undefined) ?? [];
    if (env.complaintId) {
      await this.options.complaints.update(env.complaintId, (r) => {
        r.clerkNeeds.push({ reason: reason === 'danger' ? 'asked' : reason, field, at: new Date().toISOString() });
      });
    }
    const { record, position } = await service.request({
      conversationId: context.activity.conversation.id,
      channelId: context.activity.channelId,
      reference: TurnContext.getConversationReference(context.activity),
      complaintId: env.complaintId,
      locale: env.locale,
      priority: await this.priorityFor(reason, env.complaintId),
      reason,
      field,
      transcript: recent,
    });
    if (reason === 'danger') await say(context, message(messages, 'dangerHelp', env.locale));

    const phoneSpeech = this.spokenPhone(this.options.clerk.phone, env.locale);
    if (service.clerksOnline > 0 && this.options.officeOpen() && position > 0) {
      await say(context, message(messages, 'handoffQueued', env.locale, { ahead: position - 1, minutes: service.waitMinutes(position) }),
        { handoff: { state: 'queued', position } });
    } else {
      const draft = env.complaintId ? await this.options.complaints.get(env.complaintId) : undefined;
      const phone = draft?.answers['plaintiff.phone'];
      const callback = typeof phone === 'string'
        ? spokenFromTemplate(messages.handoffCallback[env.locale], { phone: getFieldType('phone').format(phone, env.locale) }, { phone: getFieldType('phone').speak(phone, env.locale) })
        : { text: '', speak: '' };
      const main = message(messages, 'handoffNoClerk', env.locale,
        { officeHours: this.options.clerk.hours[env.locale], clerkPhone: this.options.clerk.phone, callback: callback.text },
        { clerkPhone: phoneSpeech, callback: callback.speak });
      const code = draft ? message(messages, 'handoffCode', env.locale, { code: draft.resumeCode }, { code: digitsSsml(draft.resumeCode, env.locale, [3, 3]) }) : undefined;
      await say(context, code ? { text: `${main.text}${code.text}`, speak: `${main.speak}${code.speak}` } : main, { handoff: { state: 'unavailable' } });
    }
    if (!OWN_CHANNELS.has(context.activity.channelId)) {
      // A court with its own agent desk on Azure gets the standard handoff event too.
      const transcript: Transcript = { activities: recent.map((e) => ({ type: 'message', text: e.text, timestamp: new Date(e.at), from: { id: e.from, name: e.clerkName ?? e.from } }) as Activity) };
      await context.sendActivity(EventFactory.createHandoffInitiation(context, { handoffId: record.id, reason, field, priority: record.priority }, transcript));
    }
  }

  /** While a clerk has the filer, their words go to the clerk. True when it did. */
  relay(context: TurnContext, text: string): Promise<boolean> {
    return this.options.service.fromFiler(context.activity.conversation.id, text);
  }

  /** The filer's current place while they wait (for channelData.handoff on every reply). */
  waiting(conversationId: string): { state: 'queued'; position: number } | undefined {
    const record = this.options.service.forConversation(conversationId);
    if (!record || record.state !== 'queued') return undefined;
    return { state: 'queued', position: this.options.service.position(record.id) };
  }

  /** A line of the conversation, kept for the clerk while the filer waits. */
  note(conversationId: string, entry: TranscriptEntry): Promise<void> {
    return this.options.service.note(conversationId, entry);
  }

  /** Digit by digit: service numbers like 12368 in one group, longer ones ending in groups of four. */
  spokenPhone(phone: string, locale: Parameters<typeof digitsSsml>[1]): string {
    const digits = phone.replace(/\D/g, '');
    const n = digits.length;
    return digitsSsml(digits, locale, n <= 6 ? [n] : n <= 8 ? [n - 4, 4] : [n - 8, 4, 4]);
  }
}

/**
 * What the filer is told when a clerk takes, speaks, gives back or finishes: built outside
 * a turn (the clerk acts from the console), so locale and speech come from the handoff.
 */
export function handoffWords(messages: Messages): HandoffDeps['words'] {
  const activity = (record: HandoffRecord, text: string, speak: string, extra: Record<string, unknown>): Partial<Activity> => ({
    type: 'message',
    text,
    speak: speakDocument(speak, record.locale),
    locale: record.locale,
    inputHint: 'acceptingInput',
    channelData: { ...extra, ...(record.clerk ? { clerk: { name: record.clerk.displayName } } : {}) },
  });
  const named = (record: HandoffRecord, key: 'handoffAccepted' | 'handoffGivenBack' | 'handoffCompleted') =>
    message(messages, key, record.locale, { name: record.clerk?.displayName ?? (record.locale === 'zh-CN' ? '工作人员' : 'the clerk') });
  return {
    accepted(record) {
      const said = named(record, 'handoffAccepted');
      return activity(record, said.text, said.speak, { handoff: { state: 'accepted' } });
    },
    fromClerk(record, text) {
      const name = record.clerk?.displayName ?? '';
      const shown = record.locale === 'zh-CN' ? `【${name}】${text}` : `[${name}] ${text}`;
      const spoken = record.locale === 'zh-CN' ? `${name}说：${text}` : `${name} says: ${text}`;
      return activity(record, shown, escapeXml(spoken), { handoff: { state: 'accepted' } });
    },
    givenBack(record) {
      const said = named(record, 'handoffGivenBack');
      return activity(record, said.text, said.speak, { handoff: { state: 'completed' } });
    },
    completed(record, extra, finished) {
      const said = named(record, 'handoffCompleted');
      const text = extra ? `${said.text}${record.locale === 'zh-CN' ? '' : ' '}${extra}` : said.text;
      return activity(record, text, extra ? `${said.speak} ${escapeXml(extra)}` : said.speak,
        { handoff: { state: 'completed' }, ...(finished ? { complaint: finished } : {}) });
    },
  };
}
