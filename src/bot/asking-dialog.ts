import { Dialog, DialogTurnStatus, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Locale } from '../i18n.js';
import type { ChoiceOption } from '../interview/fields/types.js';
import { detectCommand, type Command } from './commands.js';
import { isUploadOnly } from './evidence.js';
import { returnRequest } from './turn.js';
import { joinSpoken, message, type Spoken } from './reply.js';
import type { BotServices } from './services.js';
import { isNoAnswer, turnEnv, utteranceOf } from './turn.js';

function bare(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim().replace(/^(a|an|the)\s+/, '').replace(/[\s.,!?。，！？]+$/u, '');
}

function isExactChoice(utterance: string, choices: ChoiceOption[] | undefined): boolean {
  if (!choices) return false;
  const said = bare(utterance);
  return choices.some((c) => [...Object.values(c.title), ...Object.values(c.synonyms ?? {}).flat()].some((w) => w && bare(w) === said));
}

/**
 * A dialog that asks one question at a time. It answers the words of CONTRACT §5 the same
 * way at every question (help, repeat, slower, a person), and leaves back, skip and keep,
 * which depend on where the filer is, to the dialog itself.
 */
export abstract class AskingDialog<State extends object> extends Dialog {
  constructor(id: string, protected readonly services: BotServices) {
    super(id);
  }

  /** Sends the current question again, with an optional lead-in said before it. */
  protected abstract ask(dc: DialogContext, state: State, lead?: Spoken): Promise<DialogTurnResult>;
  /** Help for the current question (without the list of commands). */
  protected abstract help(dc: DialogContext, state: State): Promise<Spoken>;
  /** Whether the current question is a yes/no one (so 没有 is an answer, not "skip"). */
  protected abstract isYesNo(dc: DialogContext, state: State): Promise<boolean>;
  protected abstract onAnswer(dc: DialogContext, state: State, utterance: string): Promise<DialogTurnResult>;
  protected abstract onBack(dc: DialogContext, state: State): Promise<DialogTurnResult>;
  protected abstract onSkip(dc: DialogContext, state: State): Promise<DialogTurnResult>;
  protected abstract onKeep(dc: DialogContext, state: State): Promise<DialogTurnResult>;
  /** Choices of the current question, if it has any: their exact words are answers, not commands. */
  protected abstract currentChoices(dc: DialogContext, state: State): Promise<ChoiceOption[] | undefined>;
  /** The field the filer is at, for the clerk's notes. */
  protected abstract currentField(dc: DialogContext, state: State): Promise<string | undefined>;

  protected state(dc: DialogContext): State {
    return dc.activeDialog!.state as State;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = this.state(dc);
    const returned = returnRequest(dc.context);
    if (returned) return this.onReturn(dc, state, returned.field);
    if (isUploadOnly(dc.context) || isNoAnswer(dc.context)) return this.ask(dc, state);
    const utterance = utteranceOf(dc.context);
    let command = detectCommand(utterance, await this.isYesNo(dc, state));
    // "Person" answers "are you a person or an organization?"; it asks for a clerk elsewhere.
    if (command && isExactChoice(utterance, await this.currentChoices(dc, state))) command = null;
    return command ? this.onCommand(dc, state, command) : this.onAnswer(dc, state, utterance);
  }

  /** A dialog resumed after an inner one (none here) or after a restart re-asks. */
  override async resumeDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return this.ask(dc, this.state(dc));
  }

  override async repromptDialog(context: DialogContext['context'], instance: DialogContext['activeDialog']): Promise<void> {
    // Reprompts come from outside a turn of this dialog; there is nothing to do but wait.
    void context;
    void instance;
  }

  protected async onCommand(dc: DialogContext, state: State, command: Command): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    switch (command) {
      case 'help':
        return this.ask(dc, state, joinSpoken([await this.help(dc, state), message(messages, 'helpCommands', env.locale)]));
      case 'repeat':
        return this.ask(dc, state);
      case 'slower':
        env.rate = env.rate === 'normal' ? 'slow' : 'slower';
        return this.ask(dc, state, message(messages, 'slower', env.locale));
      case 'person':
        await this.askForPerson(dc, state);
        return this.ask(dc, state);
      case 'back':
        return this.onBack(dc, state);
      case 'skip':
        return this.onSkip(dc, state);
      case 'keep':
        return this.onKeep(dc, state);
      case 'restart':
        // The bot handles restart before any dialog sees the turn.
        return this.ask(dc, state);
    }
  }

  /** Puts the filer in the clerk queue; they may go on answering while they wait. */
  protected async askForPerson(dc: DialogContext, state: State): Promise<void> {
    await this.services.handoff.request(dc.context, 'asked', await this.currentField(dc, state));
  }

  /** Digit by digit, as phone numbers are said everywhere. */
  protected spokenClerkPhone(locale: Locale): string {
    return this.services.handoff.spokenPhone(this.services.clerk.phone, locale);
  }

  /** After a clerk hands the filer back: ask again, at `field` when the dialog knows it. */
  protected async onReturn(dc: DialogContext, state: State, field: string | undefined): Promise<DialogTurnResult> {
    void field;
    return this.ask(dc, state);
  }

  protected waiting(): DialogTurnResult {
    return { status: DialogTurnStatus.waiting };
  }
}
