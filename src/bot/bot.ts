import { ActivityTypes, ConversationState, UserState, type Storage, type TurnContext } from 'botbuilder';
import {
  ComponentDialog, DialogSet, DialogTurnStatus, WaterfallDialog, type DialogState, type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { TranscriptEntry } from '../handoff/types.js';
import { normalizeLocale, type Locale } from '../i18n.js';
import { InterviewDialog, type InterviewResult } from '../interview/engine.js';
import { digitsSsml } from '../speech/ssml.js';
import type { EvidenceFile } from '../store/types.js';
import { ChooseCaseDialog, type ChooseCaseOptions, type ChooseCaseResult } from './choose-case-dialog.js';
import { detectCommand } from './commands.js';
import { soundsLikeDanger } from './danger.js';
import { markUploadOnly, uploadsOf, type UploadNotice } from './evidence.js';
import { setRecentTranscript } from './handoff-desk.js';
import { message, say } from './reply.js';
import type { BotServices } from './services.js';
import { VisitDialog, type VisitDialogOptions } from './visit-dialog.js';
import { visitIntent } from '../visits/messages.js';
import { markNoAnswer, markReturnFromClerk, overlongTextOf, setTurnEnv, turnEnv, utteranceOf, type SpeechRate, type TurnEnv } from './turn.js';
import { limitText } from './limit-texts.js';

/** Per conversation, beside the dialog stack: which draft it works on. */
interface Session {
  complaintId?: string;
  greeted?: boolean;
  /** Files sent before there was a draft to keep them with. */
  heldEvidence?: EvidenceFile[];
  /** The last lines of the conversation, handed to a clerk with a handoff. */
  recent?: TranscriptEntry[];
  /** Danger words were heard once; the emergency advice is not repeated every turn. */
  dangerNoted?: boolean;
}

const RECENT_LINES = 40;

/** Per user: how they like to be spoken to. */
interface Preferences {
  rate?: SpeechRate;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const MAIN = 'main';
const FLOW = 'flow';

/** Case choice, then that case's interview, then a word about what comes next. */
class MainDialog extends ComponentDialog {
  constructor(private readonly services: BotServices) {
    super(MAIN);
    this.addDialog(new ChooseCaseDialog(services));
    for (const spec of services.cases.values()) this.addDialog(new InterviewDialog(spec, services));
    this.addDialog(new WaterfallDialog(FLOW, [
      async (step: WaterfallStepContext) => step.beginDialog(ChooseCaseDialog.id, step.options as ChooseCaseOptions),
      async (step: WaterfallStepContext) => {
        const chosen = step.result as ChooseCaseResult;
        return step.beginDialog(`interview:${chosen.caseType}`, { complaintId: chosen.complaintId });
      },
      async (step: WaterfallStepContext) => {
        const result = step.result as InterviewResult | undefined;
        const env = turnEnv(step.context);
        if (result?.outcome === 'finished') {
          // The finished message already says what comes next; the next words start anew.
          env.complaintId = undefined;
        } else {
          await say(step.context, message(this.services.specs.messages, 'afterEnd', env.locale));
        }
        return step.endDialog();
      },
    ]));
    this.initialDialogId = FLOW;
  }
}

/**
 * The bot: one turn in, replies out. It never asks which channel it is on; everything a
 * channel needs to render a question travels in channelData.ask.
 */
export class ComplaintBot {
  private readonly conversationState: ConversationState;
  private readonly userState: UserState;
  private readonly dialogs: DialogSet;
  private readonly dialogState;
  private readonly session;
  private readonly preferences;

  constructor(storage: Storage, private readonly services: BotServices, private readonly log: Logger) {
    this.conversationState = new ConversationState(storage);
    this.userState = new UserState(storage);
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.session = this.conversationState.createProperty<Session>('session');
    this.preferences = this.userState.createProperty<Preferences>('preferences');
    this.dialogs = new DialogSet(this.dialogState);
    this.dialogs.add(new MainDialog(services));
    // Pushed on top of the interview from any question; the interview asks again after it.
    this.dialogs.add(new VisitDialog(services));
  }

  async run(context: TurnContext): Promise<void> {
    const session = await this.session.get(context, {});
    const preferences = await this.preferences.get(context, {});
    const env: TurnEnv = {
      locale: normalizeLocale(context.activity.locale),
      rate: preferences.rate ?? 'normal',
      ...(session.complaintId ? { complaintId: session.complaintId } : {}),
    };
    setTurnEnv(context, env);
    const recent = (session.recent ??= []);
    setRecentTranscript(context, recent);
    const conversationId = context.activity.conversation?.id ?? '';
    context.onSendActivities(async (_ctx, activities, next) => {
      // While the filer waits for a clerk, every reply carries their current place.
      const waiting = this.services.handoff.waiting(conversationId);
      for (const sent of activities) {
        if (sent.type !== ActivityTypes.Message) continue;
        const data = (sent.channelData ?? {}) as Record<string, unknown>;
        if (waiting && !data.handoff) sent.channelData = { ...data, handoff: waiting };
        if (!sent.text) continue;
        const entry: TranscriptEntry = { from: 'bot', text: sent.text, at: new Date().toISOString() };
        recent.push(entry);
        await this.services.handoff.note(conversationId, entry);
      }
      if (recent.length > RECENT_LINES) recent.splice(0, recent.length - RECENT_LINES);
      return next();
    });
    try {
      await this.dispatch(context, session);
      await this.attachHeldEvidence(context, session);
    } catch (error) {
      // Nothing is saved from a failed turn: the filer is where they were before it, and
      // every answer acknowledged earlier is already in the draft.
      this.log.error({ err: error, conversation: context.activity.conversation?.id, activityType: context.activity.type }, 'turn failed');
      await say(context, message(this.services.specs.messages, 'error', env.locale));
      return;
    }
    session.complaintId = env.complaintId;
    if (env.rate !== 'normal') preferences.rate = env.rate;
    await this.conversationState.saveChanges(context);
    await this.userState.saveChanges(context);
  }

  private async dispatch(context: TurnContext, session: Session): Promise<void> {
    const activity = context.activity;
    if (activity.type === ActivityTypes.ConversationUpdate) {
      const someoneJoined = (activity.membersAdded ?? []).some((m) => m.id !== activity.recipient?.id);
      if (someoneJoined && !session.greeted) await this.start(context, session);
      return;
    }
    if (activity.type === ActivityTypes.Event && activity.name === 'handoff.status') {
      await this.handoffStatus(context);
      return;
    }
    if (activity.type === ActivityTypes.Event && activity.name === 'kiosk.leave') {
      await this.kioskLeave(context);
      return;
    }
    if (activity.type !== ActivityTypes.Message) return;

    const utterance = utteranceOf(context);
    if (utterance.trim()) {
      const entry: TranscriptEntry = { from: 'filer', text: utterance.slice(0, 2000), at: new Date().toISOString() };
      // With a clerk on the line, the filer talks to the clerk, not the assistant.
      if (await this.services.handoff.relay(context, entry.text)) return;
      (session.recent ??= []).push(entry);
      await this.services.handoff.note(activity.conversation.id, entry);
    }
    // A clerk with the filer got its first part above and can ask; the assistant asks for shorter parts.
    const overlong = overlongTextOf(context);
    if (overlong) {
      await this.tooLong(context, session, overlong);
      return;
    }
    const dc = await this.dialogs.createContext(context);
    const env = turnEnv(context);
    if (env.complaintId && (await this.services.complaints.get(env.complaintId))?.status !== 'draft') {
      // A clerk finished (or filed) this complaint meanwhile: the next words start anew.
      await dc.cancelAllDialogs();
      env.complaintId = undefined;
    }
    // A client that did not announce the filer joining still gets the greeting first.
    if (!session.greeted) await this.greet(context, session);
    if (soundsLikeDanger(utterance) && !session.dangerNoted) {
      session.dangerNoted = true;
      await this.services.handoff.request(context, 'danger');
    }
    const uploads = uploadsOf(context);
    if (uploads.saved.length > 0 || uploads.rejected.length > 0) {
      await this.acceptEvidence(context, session, uploads);
      if (!utterance.trim()) markUploadOnly(context);
    }
    if (detectCommand(utterance) === 'restart') {
      await dc.cancelAllDialogs();
      if (env.complaintId) {
        const record = await this.services.complaints.get(env.complaintId);
        if (record) {
          await say(context, message(this.services.specs.messages, 'restarted', env.locale, { code: record.resumeCode }, { code: digitsSsml(record.resumeCode, env.locale, [3, 3]) }));
        }
        env.complaintId = undefined;
      }
      await dc.beginDialog(MAIN);
      return;
    }
    const visiting = dc.activeDialog?.id === VisitDialog.id;
    const intent = this.services.visits && !visiting ? visitIntent(utterance) : null;
    if (intent) {
      await dc.beginDialog(VisitDialog.id, { intent } satisfies VisitDialogOptions);
      return;
    }
    const result = await dc.continueDialog();
    if (visiting && dc.activeDialog && dc.activeDialog.id !== VisitDialog.id) {
      // The visit flow ended: the question it interrupted is asked again, nothing is lost.
      markReturnFromClerk(context, undefined);
      await dc.continueDialog();
      return;
    }
    if (result.status === DialogTurnStatus.empty && !visiting) {
      await dc.beginDialog(MAIN, { utterance } satisfies ChooseCaseOptions);
    }
  }

  /**
   * A message longer than the bot reads (pasted pages, a stuck key): half of it is no answer,
   * so the filer is asked for shorter parts and the question is asked again.
   */
  private async tooLong(context: TurnContext, session: Session, overlong: { length: number; limit: number }): Promise<void> {
    const env = turnEnv(context);
    if (!session.greeted) await this.greet(context, session);
    // "5001个字" as Chinese writes a count; "5,001 characters" in English.
    const count = new Intl.NumberFormat(env.locale, { useGrouping: env.locale === 'en-US' });
    await say(context, limitText(this.services.specs, 'messageTooLong', env.locale, { length: count.format(overlong.length), limit: count.format(overlong.limit) }));
    markNoAnswer(context);
    const dc = await this.dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(MAIN, {} satisfies ChooseCaseOptions);
  }

  /** Keeps the files with the draft (or holds them until there is one) and says what happened to each. */
  private async acceptEvidence(context: TurnContext, session: Session, uploads: UploadNotice): Promise<void> {
    const env = turnEnv(context);
    const { messages } = this.services.specs;
    const stored: EvidenceFile[] = [];
    for (const file of uploads.saved) {
      const found = await this.services.files.read(file.fileId);
      if (found) stored.push({ ...file, name: found.meta.name, contentType: found.meta.contentType, size: found.meta.size });
    }
    if (stored.length > 0) {
      if (env.complaintId) {
        await this.services.complaints.update(env.complaintId, (r) => {
          r.evidence = [...(r.evidence ?? []), ...stored];
        });
        await say(context, message(messages, 'evidenceSaved', env.locale, { count: stored.length }));
      } else {
        session.heldEvidence = [...(session.heldEvidence ?? []), ...stored];
        await say(context, message(messages, 'evidenceHeld', env.locale, { count: stored.length }));
      }
    }
    for (const refused of uploads.rejected) {
      const key = refused.reason === 'type' ? 'uploadRejectedType' : refused.reason === 'size' ? 'uploadRejectedSize' : 'uploadRejectedCount';
      await say(context, message(messages, key, env.locale, { name: refused.name }));
    }
  }

  /** Files sent before the case was chosen join the draft as soon as it exists. */
  private async attachHeldEvidence(context: TurnContext, session: Session): Promise<void> {
    const env = turnEnv(context);
    if (!env.complaintId || !session.heldEvidence?.length) return;
    const held = session.heldEvidence;
    await this.services.complaints.update(env.complaintId, (r) => {
      r.evidence = [...(r.evidence ?? []), ...held];
    });
    delete session.heldEvidence;
  }

  /**
   * A clerk gave the filer back (a proactive turn): the interview asks again, at the field
   * the clerk chose or where the filer was.
   */
  async returnFromClerk(context: TurnContext, locale: Locale, field?: string): Promise<void> {
    const session = await this.session.get(context, {});
    const preferences = await this.preferences.get(context, {});
    setTurnEnv(context, { locale, rate: preferences.rate ?? 'normal', ...(session.complaintId ? { complaintId: session.complaintId } : {}) });
    setRecentTranscript(context, session.recent ?? []);
    markReturnFromClerk(context, field);
    const dc = await this.dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(MAIN, {} satisfies ChooseCaseOptions);
    session.complaintId = turnEnv(context).complaintId;
    await this.conversationState.saveChanges(context, true);
  }

  /** An agent desk of the court's own (Azure handoff protocol) reports on the handoff. */
  private async handoffStatus(context: TurnContext): Promise<void> {
    const env = turnEnv(context);
    const { messages } = this.services.specs;
    const value = context.activity.value as { state?: string } | undefined;
    const name = env.locale === 'zh-CN' ? '工作人员' : 'A clerk';
    if (value?.state === 'accepted') {
      await say(context, message(messages, 'handoffAccepted', env.locale, { name }), { handoff: { state: 'accepted' } });
    } else if (value?.state === 'completed') {
      await say(context, message(messages, 'handoffGivenBack', env.locale, { name }), { handoff: { state: 'completed' } });
    } else if (value?.state === 'failed') {
      await say(context, message(messages, 'personUnavailableNoDraft', env.locale,
        { clerkPhone: this.services.clerk.phone, officeHours: this.services.clerk.hours[env.locale] },
        { clerkPhone: this.services.handoff.spokenPhone(this.services.clerk.phone, env.locale) }), { handoff: { state: 'unavailable' } });
    }
  }

  /**
   * The kiosk's filer walked away. Every answer is already in the draft; tell the code that
   * resumes it (a message, not a question, with channelData.resumeCode so the page can show it
   * big) and let go of the draft, so this conversation can no longer reach it.
   */
  private async kioskLeave(context: TurnContext): Promise<void> {
    const env = turnEnv(context);
    const { messages } = this.services.specs;
    const dc = await this.dialogs.createContext(context);
    await dc.cancelAllDialogs();
    const record = env.complaintId ? await this.services.complaints.get(env.complaintId) : undefined;
    env.complaintId = undefined;
    // Only a draft can be resumed by its code; a finished, filed or archived one cannot.
    if (record?.status === 'draft') {
      await say(context, message(messages, 'stoppedHere', env.locale, { code: record.resumeCode }, { code: digitsSsml(record.resumeCode, env.locale, [3, 3]) }), { resumeCode: record.resumeCode });
      return;
    }
    await say(context, message(messages, 'kioskGoodbye', env.locale));
  }

  private async greet(context: TurnContext, session: Session): Promise<void> {
    session.greeted = true;
    await say(context, message(this.services.specs.messages, 'greeting', turnEnv(context).locale));
  }

  private async start(context: TurnContext, session: Session): Promise<void> {
    await this.greet(context, session);
    const dc = await this.dialogs.createContext(context);
    await dc.beginDialog(MAIN, {} satisfies ChooseCaseOptions);
  }
}
