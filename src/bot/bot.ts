import { ActivityTypes, ConversationState, UserState, type Storage, type TurnContext } from 'botbuilder';
import {
  ComponentDialog, DialogSet, DialogTurnStatus, WaterfallDialog, type DialogState, type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { normalizeLocale } from '../i18n.js';
import { InterviewDialog, type InterviewResult } from '../interview/engine.js';
import { digitsSsml } from '../speech/ssml.js';
import { ChooseCaseDialog, type ChooseCaseOptions, type ChooseCaseResult } from './choose-case-dialog.js';
import { detectCommand } from './commands.js';
import { message, say } from './reply.js';
import type { BotServices } from './services.js';
import { setTurnEnv, turnEnv, utteranceOf, type SpeechRate, type TurnEnv } from './turn.js';

/** Per conversation, beside the dialog stack: which draft it works on. */
interface Session {
  complaintId?: string;
  greeted?: boolean;
}

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
    try {
      await this.dispatch(context, session);
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
    if (activity.type !== ActivityTypes.Message) return;

    const dc = await this.dialogs.createContext(context);
    const utterance = utteranceOf(context);
    if (detectCommand(utterance) === 'restart') {
      await dc.cancelAllDialogs();
      const env = turnEnv(context);
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
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) {
      if (!session.greeted) {
        await this.start(context, session, utterance);
      } else {
        await dc.beginDialog(MAIN, { utterance } satisfies ChooseCaseOptions);
      }
    }
  }

  private async start(context: TurnContext, session: Session, utterance?: string): Promise<void> {
    session.greeted = true;
    const env = turnEnv(context);
    await say(context, message(this.services.specs.messages, 'greeting', env.locale));
    const dc = await this.dialogs.createContext(context);
    await dc.beginDialog(MAIN, (utterance ? { utterance } : {}) satisfies ChooseCaseOptions);
  }
}
