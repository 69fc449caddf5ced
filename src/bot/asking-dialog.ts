import { Dialog, DialogTurnStatus, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Locale } from '../i18n.js';
import type { ChoiceOption } from '../interview/fields/types.js';
import { detectCommand, type Command } from './commands.js';
import { isUploadOnly } from './evidence.js';
import { joinSpoken, message, say, type Spoken } from './reply.js';
import type { BotServices } from './services.js';
import { turnEnv, utteranceOf } from './turn.js';
import { digitsSsml } from '../speech/ssml.js';

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
    if (isUploadOnly(dc.context)) return this.ask(dc, state);
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

  /**
   * Until the clerk queue exists (issue 6) a person cannot take over here: the need is
   * written on the draft so the clerk sees it, and the filer is told how to reach one.
   */
  protected async askForPerson(dc: DialogContext, state: State): Promise<void> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const vars = { clerkPhone: this.services.clerk.phone, officeHours: this.services.clerk.hours[env.locale] };
    if (env.complaintId) {
      const field = await this.currentField(dc, state);
      const record = await this.services.complaints.update(env.complaintId, (r) => {
        r.clerkNeeds.push({ reason: 'asked', field, at: new Date().toISOString() });
      });
      const spoken = message(messages, 'personUnavailable', env.locale, { ...vars, code: record.resumeCode }, {
        code: digitsSsml(record.resumeCode, env.locale, [3, 3]),
        clerkPhone: this.spokenClerkPhone(env.locale),
      });
      await say(dc.context, spoken, { handoff: { state: 'unavailable' } });
    } else {
      const spoken = message(messages, 'personUnavailableNoDraft', env.locale, vars, {
        clerkPhone: this.spokenClerkPhone(env.locale),
      });
      await say(dc.context, spoken, { handoff: { state: 'unavailable' } });
    }
  }

  /** Digit by digit: service numbers like 12368 in one group, longer ones ending in groups of four. */
  protected spokenClerkPhone(locale: Locale): string {
    const digits = this.services.clerk.phone.replace(/\D/g, '');
    const n = digits.length;
    return digitsSsml(digits, locale, n <= 6 ? [n] : n <= 8 ? [n - 4, 4] : [n - 8, 4, 4]);
  }

  protected waiting(): DialogTurnResult {
    return { status: DialogTurnStatus.waiting };
  }
}
