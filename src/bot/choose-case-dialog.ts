import type { DialogContext, DialogTurnResult } from 'botbuilder-dialogs';
import { turnClient } from '../http/network.js';
import type { Locale } from '../i18n.js';
import { getFieldType } from '../interview/fields/index.js';
import { spokenDigits } from '../interview/fields/numerals.js';
import type { ChoiceOption } from '../interview/fields/types.js';
import { likelySteps } from '../interview/plan.js';
import type { CaseSpec } from '../interview/spec.js';
import type { ComplaintRecord } from '../store/types.js';
import { digitsSsml, escapeXml } from '../speech/ssml.js';
import { AskingDialog } from './asking-dialog.js';
import { limitText } from './limit-texts.js';
import { buildQuestion, choicesForAsk, joinSpoken, message, say, type Spoken } from './reply.js';
import type { BotServices } from './services.js';
import { turnEnv } from './turn.js';

/**
 * What a filer is asked after a right code, before the draft is opened: a code alone is one of
 * 900,000 numbers, and an opened draft reads names and ID numbers back. The last 4 digits of
 * the phone given in the draft when there is one; else the birth date (filled from the ID
 * number); a draft with neither holds no more than a name, and opens on its code.
 */
type ResumeCheck = 'phone' | 'birthDate';

interface ChooseCaseState {
  phase: 'case' | 'code' | 'check';
  failedCodes: number;
  /** The draft a right code found, waiting for the answer to its check. */
  pending?: { complaintId: string; check: ResumeCheck; failed: number };
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
/** Tries at the check after a right code; one guess in 3,333 at most for the last 4 phone digits. */
const MAX_FAILED_CHECKS = 3;

const CHECK_FIELDS: Record<ResumeCheck, string> = { phone: 'resume.phone', birthDate: 'resume.birthDate' };

function checkFor(record: ComplaintRecord): ResumeCheck | undefined {
  if (digitsOf(record.answers['plaintiff.phone']).length >= 4) return 'phone';
  if (typeof record.answers['plaintiff.birthDate'] === 'string') return 'birthDate';
  return undefined;
}

function digitsOf(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\D/g, '') : '';
}

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
    if (state.phase === 'check' && state.pending) {
      const check = state.pending.check;
      const question = limitText(this.services.specs, check === 'phone' ? 'checkPhone' : 'checkBirthDate', env.locale);
      const ask = { field: CHECK_FIELDS[check], type: check === 'phone' ? 'number' as const : 'date' as const, required: true };
      await dc.context.sendActivity(buildQuestion(dc.context, lead ? joinSpoken([lead, question]) : question, ask));
      return this.waiting();
    }
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
    if (state.phase === 'check' && state.pending) {
      return limitText(this.services.specs, state.pending.check === 'phone' ? 'checkPhoneHelp' : 'checkBirthDateHelp', env.locale);
    }
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
    if (state.phase === 'check' && state.pending) return CHECK_FIELDS[state.pending.check];
    return state.phase === 'case' ? 'caseType' : 'resume.code';
  }

  protected override async onAnswer(dc: DialogContext, state: ChooseCaseState, utterance: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    if (state.phase === 'check') return this.check(dc, state, utterance);
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
    // A locked-out guesser learns nothing, not even whether this code would have been right.
    const refused = await this.refusedByGuard(dc, state);
    if (refused) return refused;
    const record = await this.services.complaints.findByResumeCode(code);
    const spec = record?.caseType ? this.services.cases.get(record.caseType) : undefined;
    if (!record || !spec) {
      this.services.codeGuard?.failed(turnClient(dc.context));
      state.failedCodes += 1;
      if (state.failedCodes >= MAX_FAILED_CODES) {
        state.phase = 'case';
        state.failedCodes = 0;
        return this.ask(dc, state, message(messages, 'resumeLocked', env.locale));
      }
      state.phase = 'code';
      return this.ask(dc, state, message(messages, 'resumeNotFound', env.locale, { code }, { code: digitsSsml(code, env.locale, [3, 3]) }));
    }
    const check = checkFor(record);
    if (check) {
      state.phase = 'check';
      state.pending = { complaintId: record.id, check, failed: 0 };
      return this.ask(dc, state, limitText(this.services.specs, 'draftFound', env.locale));
    }
    return this.open(dc, record, spec);
  }

  /** The answer to the check after a right code: the draft opens only when it matches. */
  private async check(dc: DialogContext, state: ChooseCaseState, utterance: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const pending = state.pending;
    const refused = await this.refusedByGuard(dc, state);
    if (refused) return refused;
    const record = pending ? await this.services.complaints.get(pending.complaintId) : undefined;
    const spec = record?.caseType ? this.services.cases.get(record.caseType) : undefined;
    if (!pending || !record || record.status !== 'draft' || !spec) {
      // Finished or removed meanwhile: start from the code again.
      state.phase = 'code';
      delete state.pending;
      return this.ask(dc, state);
    }
    if (this.checkMatches(record, pending.check, utterance, env.locale)) {
      delete state.pending;
      return this.open(dc, record, spec);
    }
    this.services.codeGuard?.failed(turnClient(dc.context));
    pending.failed += 1;
    // Wrong answers share the conversation's budget with wrong codes, so saying the right code
    // again does not buy more guesses at the phone digits.
    state.failedCodes += 1;
    if (pending.failed >= MAX_FAILED_CHECKS || state.failedCodes >= MAX_FAILED_CODES) {
      state.phase = 'case';
      state.failedCodes = 0;
      delete state.pending;
      return this.ask(dc, state, limitText(this.services.specs, 'checkFailed', env.locale,
        { clerkPhone: this.services.clerk.phone }, { clerkPhone: this.spokenClerkPhone(env.locale) }));
    }
    return this.ask(dc, state, limitText(this.services.specs, 'checkWrong', env.locale));
  }

  private checkMatches(record: ComplaintRecord, check: ResumeCheck, utterance: string, locale: Locale): boolean {
    if (check === 'phone') {
      const phone = digitsOf(record.answers['plaintiff.phone']);
      const said = digitsOf(spokenDigits(utterance.normalize('NFKC')));
      // The last 4 digits as asked, or the whole number from a filer who says all of it.
      return said.length >= 4 && (said === phone.slice(-4) || said === phone);
    }
    const parsed = getFieldType('date').parse(utterance, { locale, today: this.services.today(), options: { past: true } });
    return parsed.ok && parsed.value === record.answers['plaintiff.birthDate'];
  }

  private async open(dc: DialogContext, record: ComplaintRecord, spec: CaseSpec): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    env.complaintId = record.id;
    await say(dc.context, message(this.services.specs.messages, 'resumed', env.locale, { title: spec.title[env.locale] }));
    return dc.endDialog({ complaintId: record.id, caseType: spec.caseType } satisfies ChooseCaseResult);
  }

  /** While the code guard holds this client, says how long to wait and goes back to the case question. */
  private async refusedByGuard(dc: DialogContext, state: ChooseCaseState): Promise<DialogTurnResult | undefined> {
    const guard = this.services.codeGuard;
    const until = guard?.lockedUntil(turnClient(dc.context));
    if (!guard || until === undefined) return undefined;
    const env = turnEnv(dc.context);
    state.phase = 'case';
    state.failedCodes = 0;
    delete state.pending;
    return this.ask(dc, state, limitText(this.services.specs, 'codeTriesLocked', env.locale,
      { minutes: guard.minutesUntil(until), clerkPhone: this.services.clerk.phone },
      { clerkPhone: this.spokenClerkPhone(env.locale) }));
  }

  protected override async onBack(dc: DialogContext, state: ChooseCaseState): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    if (state.phase === 'code' || state.phase === 'check') {
      state.phase = 'case';
      delete state.pending;
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
