import type { DialogContext, DialogTurnResult } from 'botbuilder-dialogs';
import { getFieldType } from '../interview/fields/index.js';
import type { ChoiceOption } from '../interview/fields/types.js';
import { likelySteps } from '../interview/plan.js';
import type { CaseSpec } from '../interview/spec.js';
import { digitsSsml, escapeXml } from '../speech/ssml.js';
import { AskingDialog } from './asking-dialog.js';
import { buildQuestion, choicesForAsk, joinSpoken, message, say, type Spoken } from './reply.js';
import type { BotServices } from './services.js';
import { turnEnv } from './turn.js';

interface ChooseCaseState {
  phase: 'case' | 'code';
  failedCodes: number;
}

export interface ChooseCaseOptions {
  /** Words the filer already said (a message that arrived when no dialog was running). */
  utterance?: string;
}

export interface ChooseCaseResult {
  complaintId: string;
  caseType: string;
}

const RESUME = 'resume';
const OTHER = 'other';
/** Enough tries for a filer who mixes up two digits, too few to guess a stranger's code. */
const MAX_FAILED_CODES = 5;

function codeIn(utterance: string): string | null {
  const digits = utterance.normalize('NFKC').replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** The first question: which kind of case, or a resume code to continue a saved draft. */
export class ChooseCaseDialog extends AskingDialog<ChooseCaseState> {
  static readonly id = 'chooseCase';

  constructor(services: BotServices) {
    super(ChooseCaseDialog.id, services);
  }

  private choices(): ChoiceOption[] {
    const { messages } = this.services.specs;
    const asChoice = (spec: CaseSpec): ChoiceOption => ({ value: spec.caseType, title: spec.title, synonyms: spec.keywords });
    // A loaded "other" spec (a narrative for a clerk to review) takes the place of the
    // hard-coded "other", and stays last, where filers look for "none of these".
    const otherSpec = this.services.cases.get(OTHER);
    return [
      ...[...this.services.cases.values()].filter((spec) => spec !== otherSpec).map(asChoice),
      {
        value: RESUME, title: messages.resumeTitle,
        synonyms: { 'zh-CN': ['接着办', '继续', '续办', '续办码', '上次', '没办完'], 'en-US': ['continue', 'resume', 'saved', 'code', 'last time'] },
      },
      otherSpec
        ? asChoice(otherSpec)
        : { value: OTHER, title: messages.otherTitle, synonyms: { 'zh-CN': ['其他', '别的', '其它', '都不是'], 'en-US': ['other', 'something else', 'none of these'] } },
    ];
  }

  override async beginDialog(dc: DialogContext, options?: ChooseCaseOptions): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as ChooseCaseState;
    state.phase = 'case';
    state.failedCodes = 0;
    const utterance = options?.utterance?.trim();
    if (utterance) {
      const parsed = this.parseCase(dc, utterance);
      if (parsed) return this.onAnswer(dc, state, utterance);
    }
    return this.ask(dc, state);
  }

  private parseCase(dc: DialogContext, utterance: string): string | null {
    if (codeIn(utterance)) return RESUME;
    const env = turnEnv(dc.context);
    const result = getFieldType('choice').parse(utterance, { locale: env.locale, today: this.services.today(), options: { choices: this.choices() } });
    return result.ok ? String(result.value) : null;
  }

  protected override async ask(dc: DialogContext, state: ChooseCaseState, lead?: Spoken): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const question = state.phase === 'case'
      ? message(messages, 'caseTypePrompt', env.locale)
      : message(messages, 'resumeCodePrompt', env.locale);
    const spoken = lead ? joinSpoken([lead, question]) : question;
    const ask = state.phase === 'case'
      ? { field: 'caseType', type: 'choice' as const, required: true, choices: choicesForAsk(this.choices(), env.locale) }
      : { field: 'resume.code', type: 'number' as const, required: true };
    await dc.context.sendActivity(buildQuestion(dc.context, spoken, ask));
    return this.waiting();
  }

  protected override async help(dc: DialogContext, state: ChooseCaseState): Promise<Spoken> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    if (state.phase === 'code') return message(messages, 'resumeCodeHelp', env.locale);
    const options = this.choices().map((c, i) => `${i + 1}. ${c.title[env.locale]}`).join(env.locale === 'zh-CN' ? '；' : '; ');
    return message(messages, 'caseTypeHelp', env.locale, { options });
  }

  protected override async currentChoices(dc: DialogContext, state: ChooseCaseState): Promise<ChoiceOption[] | undefined> {
    return state.phase === 'case' ? this.choices() : undefined;
  }

  protected override async isYesNo(): Promise<boolean> {
    return false;
  }

  protected override async currentField(dc: DialogContext, state: ChooseCaseState): Promise<string> {
    return state.phase === 'case' ? 'caseType' : 'resume.code';
  }

  protected override async onAnswer(dc: DialogContext, state: ChooseCaseState, utterance: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const code = codeIn(utterance);
    if (state.phase === 'code' || code) {
      if (!code) return this.ask(dc, state, message(messages, 'resumeCodeInvalid', env.locale));
      return this.resume(dc, state, code);
    }
    const result = getFieldType('choice').parse(utterance, { locale: env.locale, today: this.services.today(), options: { choices: this.choices() } });
    if (!result.ok) return this.ask(dc, state, { text: result.error, speak: escapeXml(result.error) });
    if (result.value === RESUME) {
      state.phase = 'code';
      return this.ask(dc, state);
    }
    if (result.value === OTHER && !this.services.cases.has(OTHER)) {
      const vars = { clerkPhone: this.services.clerk.phone, officeHours: this.services.clerk.hours[env.locale] };
      await say(dc.context, message(messages, 'unsupportedCase', env.locale, vars, { clerkPhone: this.spokenClerkPhone(env.locale) }), { handoff: { state: 'unavailable' } });
      return this.ask(dc, state);
    }
    const spec = this.services.cases.get(String(result.value))!;
    const record = await this.services.complaints.create({ locale: env.locale, caseType: spec.caseType });
    env.complaintId = record.id;
    const count = likelySteps(spec, record, this.services.today()).length;
    await say(dc.context, message(messages, 'caseChosen', env.locale,
      { title: spec.title[env.locale], count, code: record.resumeCode },
      { code: digitsSsml(record.resumeCode, env.locale, [3, 3]) }));
    return dc.endDialog({ complaintId: record.id, caseType: spec.caseType } satisfies ChooseCaseResult);
  }

  private async resume(dc: DialogContext, state: ChooseCaseState, code: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const record = await this.services.complaints.findByResumeCode(code);
    const spec = record?.caseType ? this.services.cases.get(record.caseType) : undefined;
    if (!record || !spec) {
      state.failedCodes += 1;
      if (state.failedCodes >= MAX_FAILED_CODES) {
        state.phase = 'case';
        state.failedCodes = 0;
        return this.ask(dc, state, message(messages, 'resumeLocked', env.locale));
      }
      state.phase = 'code';
      return this.ask(dc, state, message(messages, 'resumeNotFound', env.locale, { code }, { code: digitsSsml(code, env.locale, [3, 3]) }));
    }
    env.complaintId = record.id;
    await say(dc.context, message(messages, 'resumed', env.locale, { title: spec.title[env.locale] }));
    return dc.endDialog({ complaintId: record.id, caseType: spec.caseType } satisfies ChooseCaseResult);
  }

  protected override async onBack(dc: DialogContext, state: ChooseCaseState): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    if (state.phase === 'code') {
      state.phase = 'case';
      return this.ask(dc, state);
    }
    return this.ask(dc, state, message(this.services.specs.messages, 'atFirstQuestion', env.locale));
  }

  protected override async onSkip(dc: DialogContext, state: ChooseCaseState): Promise<DialogTurnResult> {
    return this.ask(dc, state, message(this.services.specs.messages, 'requiredNoSkip', turnEnv(dc.context).locale));
  }

  protected override async onKeep(dc: DialogContext, state: ChooseCaseState): Promise<DialogTurnResult> {
    return this.onAnswer(dc, state, dc.context.activity.text ?? '');
  }
}
