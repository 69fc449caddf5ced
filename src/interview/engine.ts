import type { DialogContext, DialogTurnResult } from 'botbuilder-dialogs';
import { AskingDialog } from '../bot/asking-dialog.js';
import {
  buildQuestion, choicesForAsk, confirmChoicesForAsk, joinSpoken, message, say, spokenFromTemplate, type AskData, type Spoken,
} from '../bot/reply.js';
import type { BotServices } from '../bot/services.js';
import { turnEnv } from '../bot/turn.js';
import { fill, type Locale } from '../i18n.js';
import { buildChecklist, estimateFee } from '../fees/index.js';
import { digitsSsml, escapeXml, pause } from '../speech/ssml.js';
import type { ComplaintRecord } from '../store/types.js';
import { chineseNumber, getFieldType } from './fields/index.js';
import type { ChoiceOption, FieldValue, ParseResult } from './fields/types.js';
import { isSettled, likelySteps, planSteps, type Step } from './plan.js';
import { readBack } from './review.js';
import { conditionFields, type CaseSpec, type FieldDef } from './spec.js';

type Phase = 'fields' | 'review-confirm' | 'review-section' | 'correcting';

/** Kept in dialog state: where the filer is. The answers themselves live in the draft. */
export interface InterviewState {
  complaintId: string;
  phase: Phase;
  /** A question the filer went back to. */
  reask?: string;
  /** A parsed answer waiting for "对吗？" (a large amount). */
  pending?: { key: string; value: FieldValue; fills?: Record<string, FieldValue> };
  /** Keys settled in this conversation, newest last, for "back". */
  history: string[];
  attempts: Record<string, number>;
  noticesShown: string[];
  correcting?: { sectionId: string; done: string[] };
}

export interface InterviewOptions {
  complaintId: string;
}

export interface InterviewResult {
  outcome: 'finished' | 'stopped';
}

const ORDINALS_EN = ['', 'second ', 'third ', 'fourth ', 'fifth ', 'sixth ', 'seventh ', 'eighth ', 'ninth ', 'tenth '];
const ORDINALS_ZH = ['', '第二个', '第三个', '第四个', '第五个', '第六个', '第七个', '第八个', '第九个', '第十个'];

function ordinal(index: number | undefined, locale: Locale): string {
  if (!index) return '';
  const list = locale === 'zh-CN' ? ORDINALS_ZH : ORDINALS_EN;
  return list[index] ?? (locale === 'zh-CN' ? `第${index + 1}个` : `number ${index + 1} `);
}

/** Fills a spec text: the section's vars first (they may hold {ordinal}), then the engine's. */
export function specText(template: string, vars: FieldDef['vars'], index: number | undefined, locale: Locale): string {
  const engineVars = { ordinal: ordinal(index, locale), n: index === undefined ? '' : String(index + 1) };
  const sectionVars = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, fill(v[locale], engineVars)]));
  const text = fill(fill(template, sectionVars), engineVars);
  // English sentences may now start with a lower-case var ("the borrower is…").
  return locale === 'en-US' ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

const STOP_WORDS = new Set(['the', 'and', 'part', 'about', 'change', 'wrong', 'that', 'this', 'section', 'want', 'need', 'please', 'with', 'for']);

/**
 * Which section a filer means when they name something in it rather than its title:
 * "the wages", "月工资不对", "被告的电话". Scores each section by the words (English) or
 * character pairs (Chinese) it shares with the section's title and field labels; only a
 * clear winner counts.
 */
export function sectionByWords(spec: CaseSpec, utterance: string): string | undefined {
  const said = utterance.normalize('NFKC').toLowerCase();
  const words = said.match(/[a-z]{3,}/g)?.filter((w) => !STOP_WORDS.has(w)).map((w) => w.replace(/s$/, '')) ?? [];
  const han = said.replace(/[^\p{Script=Han}]/gu, '');
  const pairs = han.length === 1 ? [han] : [...han].slice(0, -1).map((c, i) => c + han[i + 1]!);
  const scores = spec.sections.map((section) => {
    const labels = [section.title, ...section.items.flatMap((i) => (i.kind === 'field' ? [i.label] : []))];
    const texts = labels.flatMap((l) => Object.values(l)).map((t) => t.toLowerCase());
    return [...words, ...pairs].reduce((score, w) => score + texts.filter((t) => t.includes(w)).length, 0);
  });
  const best = Math.max(...scores);
  if (best <= 0 || scores.filter((s) => s === best).length > 1) return undefined;
  return spec.sections[scores.indexOf(best)]!.id;
}

function parentOf(key: string): string {
  return key.slice(0, key.lastIndexOf('.'));
}

/**
 * One case type's interview as a botbuilder dialog, built from its spec: every question,
 * re-ask, notice, repeated group, read-back and correction comes from the YAML.
 */
export class InterviewDialog extends AskingDialog<InterviewState> {
  constructor(private readonly spec: CaseSpec, services: BotServices) {
    super(`interview:${spec.caseType}`, services);
  }

  override async beginDialog(dc: DialogContext, options?: InterviewOptions): Promise<DialogTurnResult> {
    if (!options?.complaintId) throw new Error('InterviewDialog needs a complaintId');
    const state = dc.activeDialog!.state as InterviewState;
    Object.assign(state, { complaintId: options.complaintId, phase: 'fields', history: [], attempts: {}, noticesShown: [] } satisfies InterviewState);
    return this.advance(dc, state);
  }

  private async record(state: InterviewState): Promise<ComplaintRecord> {
    const record = await this.services.complaints.get(state.complaintId);
    if (!record) throw new Error(`draft ${state.complaintId} is gone`);
    return record;
  }

  private steps(record: ComplaintRecord): Step[] {
    return planSteps(this.spec, record, this.services.today());
  }

  /** The step being asked now, or undefined in the review phases. */
  private currentStep(state: InterviewState, record: ComplaintRecord): Step | undefined {
    const steps = this.steps(record);
    if (state.phase === 'review-confirm' || state.phase === 'review-section') return undefined;
    if (state.phase === 'correcting' && state.correcting) {
      const { sectionId, done } = state.correcting;
      return steps.find((s) => s.section.id === sectionId && s.kind !== 'notice' && !done.includes(s.key))
        ?? steps.find((s) => s.kind !== 'notice' && !isSettled(s, record, state.noticesShown));
    }
    if (state.reask) {
      const step = steps.find((s) => s.key === state.reask);
      if (step) return step;
      delete state.reask;
    }
    return steps.find((s) => !isSettled(s, record, state.noticesShown));
  }

  protected override async currentField(dc: DialogContext, state: InterviewState): Promise<string | undefined> {
    if (state.phase === 'review-confirm') return 'review.confirm';
    if (state.phase === 'review-section') return 'review.section';
    return this.currentStep(state, await this.record(state))?.key;
  }

  protected override async currentChoices(dc: DialogContext, state: InterviewState): Promise<ChoiceOption[] | undefined> {
    if (state.pending || state.phase === 'review-confirm') return undefined;
    if (state.phase === 'review-section') return this.sectionChoices();
    const step = this.currentStep(state, await this.record(state));
    return step?.kind === 'field' ? step.field.options.choices : undefined;
  }

  protected override async onReturn(dc: DialogContext, state: InterviewState, field: string | undefined): Promise<DialogTurnResult> {
    delete state.pending;
    const record = await this.record(state);
    const target = field ? this.steps(record).find((s) => s.kind !== 'notice' && (s.key === field || (s.kind === 'field' && s.field.id === field))) : undefined;
    if (target) {
      // The clerk chose where the assistant goes on; answers after it are kept.
      state.phase = 'fields';
      delete state.correcting;
      state.reask = target.key;
    }
    return this.advance(dc, state);
  }

  protected override async isYesNo(dc: DialogContext, state: InterviewState): Promise<boolean> {
    if (state.pending || state.phase === 'review-confirm') return true;
    if (state.phase === 'review-section') return false;
    const step = this.currentStep(state, await this.record(state));
    return step?.kind === 'more' || (step?.kind === 'field' && step.field.type === 'confirm');
  }

  /** Moves to whatever comes next, telling notices on the way, and asks it. */
  private async advance(dc: DialogContext, state: InterviewState, lead?: Spoken): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    for (;;) {
      const record = await this.record(state);
      if (state.phase === 'correcting' && state.correcting) {
        const { sectionId, done } = state.correcting;
        const remaining = this.steps(record).some((s) => s.section.id === sectionId && s.kind !== 'notice' && !done.includes(s.key));
        if (!remaining) {
          delete state.correcting;
          state.phase = 'fields';
        }
      }
      const step = state.phase === 'fields' || state.phase === 'correcting' ? this.currentStep(state, record) : undefined;
      if (step?.kind === 'notice') {
        const { notice } = step;
        const text = specText(notice.message[env.locale], notice.vars, step.index, env.locale);
        if (lead) { await say(dc.context, lead); lead = undefined; }
        await say(dc.context, { text, speak: escapeXml(text) });
        state.noticesShown.push(step.key);
        if (notice.clerkNeed) {
          await this.services.complaints.update(record.id, (r) => {
            r.clerkNeeds.push({ reason: notice.clerkNeed!, field: step.key, at: new Date().toISOString() });
            // Forget the answers that led here, so a filer who comes back with the
            // award or the IOU is asked again instead of hearing this notice again.
            if (notice.end) for (const field of conditionFields(notice.when)) delete r.answers[field];
          });
        }
        if (notice.end) {
          await say(dc.context, message(this.services.specs.messages, 'stoppedHere', env.locale, { code: record.resumeCode }, { code: digitsSsml(record.resumeCode, env.locale, [3, 3]) }));
          return dc.endDialog({ outcome: 'stopped' } satisfies InterviewResult);
        }
        continue;
      }
      if (step) return this.askStep(dc, state, record, step, lead);
      if (state.phase === 'fields') {
        state.phase = 'review-confirm';
        return this.review(dc, state, record, lead);
      }
      return this.ask(dc, state, lead);
    }
  }

  /** Reads every section back, then asks review.confirm. */
  private async review(dc: DialogContext, state: InterviewState, record: ComplaintRecord, lead?: Spoken): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const intro = message(messages, 'reviewIntro', env.locale);
    await say(dc.context, lead ? joinSpoken([lead, intro]) : intro);
    for (const section of readBack(this.spec, record, this.services.today(), env.locale, messages)) {
      await say(dc.context, section);
    }
    return this.ask(dc, state);
  }

  protected override async ask(dc: DialogContext, state: InterviewState, lead?: Spoken): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const record = await this.record(state);
    if (state.phase === 'review-confirm' && !state.pending) {
      const spoken = message(messages, 'reviewConfirmPrompt', env.locale);
      await this.sendQuestion(dc, lead, spoken, { field: 'review.confirm', type: 'confirm', required: true, choices: confirmChoicesForAsk(env.locale) });
      return this.waiting();
    }
    if (state.phase === 'review-section') {
      const spoken = message(messages, 'reviewSectionPrompt', env.locale);
      await this.sendQuestion(dc, lead, spoken, { field: 'review.section', type: 'choice', required: true, choices: choicesForAsk(this.sectionChoices(), env.locale) });
      return this.waiting();
    }
    const step = this.currentStep(state, record);
    if (!step || step.kind === 'notice') return this.advance(dc, state, lead);
    return this.askStep(dc, state, record, step, lead);
  }

  private sectionChoices() {
    return this.spec.sections.map((s) => ({ value: s.id, title: s.title }));
  }

  private async sendQuestion(dc: DialogContext, lead: Spoken | undefined, spoken: Spoken, ask: AskData): Promise<void> {
    const full = lead ? joinSpoken([lead, spoken]) : spoken;
    await dc.context.sendActivity(buildQuestion(dc.context, full, ask));
  }

  private progress(record: ComplaintRecord, step: Step): AskData['progress'] {
    // Counted over the answers as they will most likely be, so the total holds still
    // instead of growing with every branch the filer opens.
    const steps = likelySteps(this.spec, record, this.services.today());
    const position = steps.findIndex((s) => s.key === step.key);
    const total = Math.max(steps.length, position + 1);
    return { step: position < 0 ? total : position + 1, total };
  }

  private async askStep(dc: DialogContext, state: InterviewState, record: ComplaintRecord, step: Step, lead?: Spoken): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    if (state.pending && state.pending.key === step.key && step.kind === 'field') {
      const type = getFieldType(step.field.type);
      const spoken = message(messages, 'confirmValue', env.locale,
        { value: type.format(state.pending.value, env.locale, step.field.options) },
        { value: type.speak(state.pending.value, env.locale, step.field.options) });
      await this.sendQuestion(dc, lead, spoken, { field: step.field.id, type: 'confirm', index: step.index, required: true, choices: confirmChoicesForAsk(env.locale), progress: this.progress(record, step) });
      return this.waiting();
    }
    if (step.kind === 'more') {
      const repeat = step.section.repeat!;
      const text = specText(repeat.more![env.locale], step.section.vars, step.index, env.locale);
      await this.sendQuestion(dc, lead, { text, speak: escapeXml(text) },
        { field: step.key, type: 'confirm', index: step.index, required: true, choices: confirmChoicesForAsk(env.locale), progress: this.progress(record, step) });
      return this.waiting();
    }
    if (step.kind !== 'field') return this.advance(dc, state, lead);
    const { field } = step;
    const text = specText(field.prompt[env.locale], field.vars, step.index, env.locale);
    const speakText = specText((field.speak ?? field.prompt)[env.locale], field.vars, step.index, env.locale);
    let spoken: Spoken = { text, speak: escapeXml(speakText) };
    const revisiting = state.reask === step.key || state.phase === 'correcting';
    if (revisiting && step.key in record.answers) {
      const type = getFieldType(field.type);
      const value = record.answers[step.key]!;
      spoken = joinSpoken([spoken, message(messages, 'currentAnswer', env.locale,
        { value: type.format(value, env.locale, field.options) }, { value: type.speak(value, env.locale, field.options) })]);
    }
    const ask: AskData = { field: field.id, type: field.type, required: field.required, progress: this.progress(record, step) };
    if (step.index !== undefined) ask.index = step.index;
    if (field.type === 'choice' && field.options.choices) ask.choices = choicesForAsk(field.options.choices, env.locale);
    if (field.type === 'confirm') ask.choices = confirmChoicesForAsk(env.locale);
    await this.sendQuestion(dc, lead, spoken, ask);
    return this.waiting();
  }

  protected override async help(dc: DialogContext, state: InterviewState): Promise<Spoken> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    if (state.pending) return message(messages, 'confirmValueHelp', env.locale);
    if (state.phase === 'review-confirm') return message(messages, 'reviewConfirmHelp', env.locale);
    if (state.phase === 'review-section') {
      const options = this.spec.sections.map((s, i) => `${i + 1}. ${s.title[env.locale]}`).join(env.locale === 'zh-CN' ? '；' : '; ');
      return message(messages, 'reviewSectionHelp', env.locale, { options });
    }
    const step = this.currentStep(state, await this.record(state));
    if (step?.kind === 'more') {
      const text = specText(step.section.repeat!.moreHelp![env.locale], step.section.vars, step.index, env.locale);
      return { text, speak: escapeXml(text) };
    }
    if (step?.kind === 'field') {
      const text = specText(step.field.help[env.locale], step.field.vars, step.index, env.locale);
      return { text, speak: escapeXml(text) };
    }
    return { text: '', speak: '' };
  }

  private parse(step: Step, utterance: string, locale: Locale): ParseResult {
    const type = getFieldType(step.kind === 'field' ? step.field.type : 'confirm');
    const options = step.kind === 'field' ? step.field.options : {};
    return type.parse(utterance, { locale, today: this.services.today(), options });
  }

  private parseYesNo(utterance: string, locale: Locale): ParseResult {
    return getFieldType('confirm').parse(utterance, { locale, today: this.services.today(), options: {} });
  }

  protected override async onAnswer(dc: DialogContext, state: InterviewState, utterance: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const record = await this.record(state);

    if (state.phase === 'review-confirm' && !state.pending) {
      const yes = this.parseYesNo(utterance, env.locale);
      if (!yes.ok) return this.failed(dc, state, 'review.confirm', yes.error);
      if (yes.value === true) return this.finish(dc, state);
      state.phase = 'review-section';
      return this.ask(dc, state);
    }
    if (state.phase === 'review-section') {
      const choice = getFieldType('choice').parse(utterance, { locale: env.locale, today: this.services.today(), options: { choices: this.sectionChoices() } });
      const sectionId = choice.ok ? String(choice.value) : sectionByWords(this.spec, utterance);
      if (!sectionId) return this.failed(dc, state, 'review.section', choice.ok ? '' : choice.error);
      const section = this.spec.sections.find((s) => s.id === sectionId)!;
      state.phase = 'correcting';
      state.correcting = { sectionId: section.id, done: [] };
      delete state.reask;
      return this.advance(dc, state, message(messages, 'reviewCorrecting', env.locale, { title: section.title[env.locale] }));
    }

    const step = this.currentStep(state, record);
    if (!step) return this.advance(dc, state);

    if (state.pending && state.pending.key === step.key) {
      const yes = this.parseYesNo(utterance, env.locale);
      if (!yes.ok) return this.failed(dc, state, step.key, yes.error);
      const pending = state.pending;
      delete state.pending;
      if (yes.value === true) return this.commit(dc, state, step, pending.value, pending.fills);
      return this.ask(dc, state, message(messages, 'sayAgain', env.locale));
    }

    if (step.kind === 'more') {
      const yes = this.parseYesNo(utterance, env.locale);
      if (!yes.ok) return this.failed(dc, state, step.key, yes.error);
      return this.answerMore(dc, state, step, yes.value === true);
    }
    if (step.kind !== 'field') return this.advance(dc, state);

    const result = this.parse(step, utterance, env.locale);
    if (!result.ok) return this.failed(dc, state, step.key, result.error);
    if (result.confirm) {
      state.pending = { key: step.key, value: result.value, ...(result.fills ? { fills: result.fills } : {}) };
      return this.ask(dc, state);
    }
    return this.commit(dc, state, step, result.value, result.fills);
  }

  /** A kind, specific re-ask; the third miss in a row also offers a person and notes it for the clerks. */
  private async failed(dc: DialogContext, state: InterviewState, key: string, error: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const attempts = (state.attempts[key] ?? 0) + 1;
    state.attempts[key] = attempts;
    let lead: Spoken = { text: error, speak: escapeXml(error) };
    if (attempts === 3) {
      // The bot cannot help here: a clerk is called, and the filer may still try again.
      await say(dc.context, joinSpoken([lead, message(this.services.specs.messages, 'failedThrice', env.locale)]));
      await this.services.handoff.request(dc.context, 'repeated-failure', key);
      return this.ask(dc, state);
    }
    return this.ask(dc, state, lead);
  }

  private async answerMore(dc: DialogContext, state: InterviewState, step: Extract<Step, { kind: 'more' }>, more: boolean): Promise<DialogTurnResult> {
    const group = step.section.id;
    await this.services.complaints.update(state.complaintId, (r) => {
      if (more) {
        r.groups[group] = Math.max(1, r.groups[group] ?? 1) + 1;
        delete r.answers[step.key];
      } else {
        r.answers[step.key] = false;
      }
    });
    this.settled(state, step.key, !more);
    return this.advance(dc, state);
  }

  private settled(state: InterviewState, key: string, remember = true): void {
    delete state.attempts[key];
    if (state.reask === key) delete state.reask;
    if (state.correcting && !state.correcting.done.includes(key)) state.correcting.done.push(key);
    state.history = state.history.filter((k) => k !== key);
    if (remember) state.history.push(key);
  }

  private async commit(dc: DialogContext, state: InterviewState, step: Step, value: FieldValue, fills?: Record<string, FieldValue>): Promise<DialogTurnResult> {
    const parent = parentOf(step.key);
    await this.services.complaints.update(state.complaintId, (r) => {
      r.answers[step.key] = value;
      r.skipped = r.skipped.filter((k) => k !== step.key);
      if (step.kind === 'field' && step.field.type === 'idNumber') this.clearDerived(r, parent);
      for (const [name, filled] of Object.entries(fills ?? {})) {
        const key = parent ? `${parent}.${name}` : name;
        const sibling = this.spec.fields.get(`${step.kind === 'field' ? step.field.id.slice(0, step.field.id.lastIndexOf('.')) : ''}.${name}`);
        if (!sibling) continue;
        r.answers[key] = filled;
        r.skipped = r.skipped.filter((k) => k !== key);
        if (!r.derived.includes(key)) r.derived.push(key);
      }
    });
    this.settled(state, step.key);
    return this.advance(dc, state);
  }

  private clearDerived(record: ComplaintRecord, parent: string): void {
    const prefix = parent ? `${parent}.` : '';
    for (const key of record.derived.filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.'))) {
      delete record.answers[key];
    }
    record.derived = record.derived.filter((k) => !(k.startsWith(prefix) && !k.slice(prefix.length).includes('.')));
  }

  protected override async onSkip(dc: DialogContext, state: InterviewState): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const record = await this.record(state);
    const step = state.phase === 'fields' || state.phase === 'correcting' ? this.currentStep(state, record) : undefined;
    if (step?.kind === 'more' && !state.pending) return this.answerMore(dc, state, step, false);
    if (!step || step.kind !== 'field' || step.field.required || state.pending) {
      return this.ask(dc, state, message(messages, 'requiredNoSkip', env.locale));
    }
    await this.services.complaints.update(state.complaintId, (r) => {
      delete r.answers[step.key];
      if (!r.skipped.includes(step.key)) r.skipped.push(step.key);
      if (step.field.type === 'idNumber') this.clearDerived(r, parentOf(step.key));
    });
    this.settled(state, step.key);
    return this.advance(dc, state, message(messages, 'skipped', env.locale));
  }

  protected override async onKeep(dc: DialogContext, state: InterviewState): Promise<DialogTurnResult> {
    const record = await this.record(state);
    const step = this.currentStep(state, record);
    const revisiting = state.reask !== undefined || state.phase === 'correcting';
    if (step && step.kind !== 'notice' && revisiting && !state.pending && isSettled(step, record, state.noticesShown)) {
      this.settled(state, step.key);
      return this.advance(dc, state, message(this.services.specs.messages, 'keepAnswer', turnEnv(dc.context).locale));
    }
    // "Keep" means nothing at a new question: treat it as an answer like any other word.
    return this.onAnswer(dc, state, dc.context.activity.text ?? '');
  }

  protected override async onBack(dc: DialogContext, state: InterviewState): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const record = await this.record(state);
    delete state.pending;
    const current = state.phase === 'fields' || state.phase === 'correcting' ? this.currentStep(state, record)?.key : undefined;
    const applicable = new Set(this.steps(record).map((s) => s.key));
    let previous: string | undefined;
    while (state.history.length > 0) {
      const candidate = state.history.pop()!;
      if (candidate !== current && applicable.has(candidate)) { previous = candidate; break; }
    }
    if (!previous) return this.ask(dc, state, message(this.services.specs.messages, 'atFirstQuestion', env.locale));
    if (state.phase !== 'correcting') state.phase = 'fields';
    state.reask = previous;
    if (state.correcting) state.correcting.done = state.correcting.done.filter((k) => k !== previous);
    return this.ask(dc, state);
  }

  /**
   * The end, in three short messages an elderly listener can follow: the court fee (and
   * the relief asked for), what to bring, then the links. The links come last so the
   * message that carries channelData.complaint is the final word of the interview.
   */
  private async finish(dc: DialogContext, state: InterviewState): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const { messages } = this.services.specs;
    const { record, documentUrl, pdfUrl, reliefUrl } = await this.services.finishComplaint(state.complaintId);
    await say(dc.context, this.feeMessage(record, env.locale));
    await say(dc.context, this.checklistMessage(record, env.locale));
    const spoken = joinSpoken([
      message(messages, 'finished', env.locale, { url: documentUrl, code: record.resumeCode }),
      ...(pdfUrl ? [message(messages, 'finishedPdf', env.locale, { url: pdfUrl })] : []),
      ...(reliefUrl ? [message(messages, 'finishedRelief', env.locale, { url: reliefUrl })] : []),
    ], '\n');
    const speech = message(messages, 'finishedSpeak', env.locale, { code: record.resumeCode }, { code: digitsSsml(record.resumeCode, env.locale, [3, 3]) });
    await say(dc.context, { text: spoken.text, speak: speech.speak }, {
      complaint: {
        id: record.id, caseType: record.caseType, documentUrl, resumeCode: record.resumeCode, ...(pdfUrl ? { pdfUrl } : {}), ...(reliefUrl ? { reliefUrl } : {}),
      },
    });
    return dc.endDialog({ outcome: 'finished' } satisfies InterviewResult);
  }

  /** The fee estimate in plain words with its article; amounts spoken as the money type reads them. */
  private feeMessage(record: ComplaintRecord, locale: Locale): Spoken {
    const estimate = estimateFee(this.spec.fee, record.answers, this.services.fees);
    const parts: Spoken[] = [{ text: estimate.explanation[locale], speak: estimate.speech[locale] }];
    const request = this.spec.fields.get('relief.request');
    const asked = record.answers['relief.request'];
    if (record.answers['relief.hardship'] === true && request && asked !== undefined) {
      const title = getFieldType(request.type).format(asked, locale, request.options);
      parts.push(message(this.services.specs.messages, 'feeRelief', locale, { request: title }));
    }
    return joinSpoken(parts);
  }

  /** What to bring, numbered on screen and read as "first, second…" with pauses. */
  private checklistMessage(record: ComplaintRecord, locale: Locale): Spoken {
    const { messages } = this.services.specs;
    const items = buildChecklist(this.spec, record, messages, this.services.today()).map((item) => item[locale]);
    const intro = message(messages, 'checklistIntro', locale);
    const text = [intro.text, ...items.map((item, i) => `${i + 1}. ${item}`)].join('\n');
    const spokenItems = items.map((item, i) => `${escapeXml(spokenOrdinal(i + 1, locale))}${locale === 'zh-CN' ? '，' : ', '}${escapeXml(item)}`);
    const speak = [intro.speak, ...spokenItems].join(` ${pause(400)} `);
    return { text, speak };
  }
}

const EN_ORDINALS = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth', 'Ninth', 'Tenth', 'Eleventh', 'Twelfth'];

/** 第一 / First: list numbers as people say them, since "1." is read oddly by speech engines. */
function spokenOrdinal(n: number, locale: Locale): string {
  return locale === 'zh-CN' ? `第${chineseNumber(n)}` : (EN_ORDINALS[n - 1] ?? `Number ${n}`);
}

export function spokenValue(field: FieldDef, value: FieldValue, locale: Locale): Spoken {
  const type = getFieldType(field.type);
  return spokenFromTemplate('{value}', { value: type.format(value, locale, field.options) }, { value: type.speak(value, locale, field.options) });
}
