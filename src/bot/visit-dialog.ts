import type { DialogContext, DialogTurnResult } from 'botbuilder-dialogs';
import { turnClient } from '../http/network.js';
import { getFieldType } from '../interview/fields/index.js';
import type { ChoiceOption, FieldTypeName } from '../interview/fields/types.js';
import { digitsSsml, escapeXml } from '../speech/ssml.js';
import { areaOf, parseSlotKey, slotKey, type SlotRef } from '../visits/calendar.js';
import { ageFromDraft, ageFromIdNumber, ELDERLY_AGE, type VisitReason } from '../visits/eligibility.js';
import { LATER_CHOICE, REASON_CHOICES, type VisitIntent, type VisitTextKey } from '../visits/messages.js';
import type { VisitService } from '../visits/service.js';
import { AskingDialog } from './asking-dialog.js';
import { limitText } from './limit-texts.js';
import { buildQuestion, choicesForAsk, confirmChoicesForAsk, joinSpoken, message, say, spokenFromTemplate, type Spoken } from './reply.js';
import type { BotServices } from './services.js';
import { turnEnv } from './turn.js';

type Step = 'idNumber' | 'reason' | 'address' | 'landmark' | 'phone' | 'phoneConfirm' | 'slot' | 'code' | 'cancelConfirm';

interface VisitState {
  intent: VisitIntent;
  step: Step;
  reason?: VisitReason;
  address?: string;
  landmark?: string;
  phone?: string;
  /** Slot keys offered now, and those the filer already passed over ("later"). */
  offered: string[];
  passed: string[];
  /** The booking being cancelled or moved. */
  code?: string;
  failedCodes: number;
}

export interface VisitDialogOptions {
  intent: VisitIntent;
}

export interface VisitDialogResult {
  outcome: 'booked' | 'moved' | 'cancelled' | 'kept' | 'referred' | 'full' | 'not-found' | 'left';
}

const BOOK_ORDER: Step[] = ['idNumber', 'reason', 'address', 'landmark', 'phone', 'phoneConfirm', 'slot'];
const MAX_FAILED_CODES = 5;
const OFFERED = 3;

function codeIn(utterance: string): string | null {
  const digits = utterance.normalize('NFKC').replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * Books a home visit (上门立案) for a filer who cannot come, or cancels or moves one by its
 * code. Pushed on top of whatever the filer was doing; when it ends, that question is asked again.
 */
export class VisitDialog extends AskingDialog<VisitState> {
  static readonly id = 'visit';

  constructor(services: BotServices) {
    super(VisitDialog.id, services);
  }

  private get visits(): VisitService {
    if (!this.services.visits) throw new Error('the home-visit service is not configured');
    return this.services.visits;
  }

  private text(dc: DialogContext, key: VisitTextKey, vars: Record<string, string | number> = {}, speakVars: Record<string, string> = {}): Spoken {
    // The loader has checked at start-up that every key is there (dialogs/texts/visits.yaml).
    const text = this.services.specs.texts['visits']?.[key];
    if (!text) throw new Error(`dialogs/texts/visits.yaml has no "${key}"`);
    return spokenFromTemplate(text[turnEnv(dc.context).locale], vars, speakVars);
  }

  override async beginDialog(dc: DialogContext, options?: VisitDialogOptions): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as VisitState;
    state.intent = options?.intent ?? 'book';
    state.offered = [];
    state.passed = [];
    state.failedCodes = 0;
    if (state.intent !== 'book') {
      state.step = 'code';
      return this.ask(dc, state);
    }
    const env = turnEnv(dc.context);
    const draft = env.complaintId ? await this.services.complaints.get(env.complaintId) : undefined;
    const age = ageFromDraft(draft, this.services.today());
    const intro = this.text(dc, 'intro');
    if (age !== undefined && age >= ELDERLY_AGE) {
      state.reason = 'age';
      state.step = 'address';
      return this.ask(dc, state, joinSpoken([intro, this.text(dc, 'ageEligible')]));
    }
    state.step = age === undefined ? 'idNumber' : 'reason';
    return this.ask(dc, state, intro);
  }

  private slotChoices(dc: DialogContext, state: VisitState): ChoiceOption[] {
    const refs = state.offered.map(parseSlotKey).filter((r): r is SlotRef => r !== null);
    return [
      ...refs.map((ref) => ({
        value: slotKey(ref),
        title: { 'zh-CN': this.visits.slotWords(ref, 'zh-CN'), 'en-US': this.visits.slotWords(ref, 'en-US') },
      })),
      LATER_CHOICE,
    ];
  }

  protected override async ask(dc: DialogContext, state: VisitState, lead?: Spoken): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const locale = env.locale;
    let question: Spoken;
    let type: FieldTypeName;
    let choices: ReturnType<typeof choicesForAsk> | undefined;
    let required = true;
    switch (state.step) {
      case 'idNumber':
        question = this.text(dc, 'askIdNumber');
        type = 'idNumber';
        required = false;
        break;
      case 'reason':
        question = this.text(dc, 'askReason');
        type = 'choice';
        choices = choicesForAsk(REASON_CHOICES, locale);
        break;
      case 'address':
        question = this.text(dc, 'askAddress');
        type = 'address';
        break;
      case 'landmark':
        question = this.text(dc, 'askLandmark');
        type = 'text';
        required = false;
        break;
      case 'phone':
        question = this.text(dc, 'askPhone');
        type = 'phone';
        break;
      case 'phoneConfirm': {
        const phone = getFieldType('phone');
        question = this.text(dc, 'confirmPhone', { phone: phone.format(state.phone!, locale) }, { phone: phone.speak(state.phone!, locale) });
        type = 'confirm';
        choices = confirmChoicesForAsk(locale);
        break;
      }
      case 'slot': {
        const slotChoices = this.slotChoices(dc, state);
        const list = slotChoices.slice(0, -1).map((c, i) => `${i + 1}. ${c.title[locale]}`).join(locale === 'zh-CN' ? '；' : '; ');
        question = this.text(dc, 'offerSlots', { list });
        type = 'choice';
        choices = choicesForAsk(slotChoices, locale);
        break;
      }
      case 'code':
        question = this.text(dc, 'askCode');
        type = 'number';
        break;
      case 'cancelConfirm': {
        const booking = state.code ? await this.visits.findByCode(state.code) : undefined;
        question = this.text(dc, 'confirmCancel', { when: booking ? this.visits.slotWords(booking, locale) : '' });
        type = 'confirm';
        choices = confirmChoicesForAsk(locale);
        break;
      }
    }
    const spoken = lead ? joinSpoken([lead, question]) : question;
    await dc.context.sendActivity(buildQuestion(dc.context, spoken, {
      field: `visit.${state.step}`, type, required, ...(choices ? { choices } : {}),
    }));
    return this.waiting();
  }

  protected override async help(dc: DialogContext): Promise<Spoken> {
    return this.text(dc, 'help');
  }

  protected override async isYesNo(_dc: DialogContext, state: VisitState): Promise<boolean> {
    return state.step === 'phoneConfirm' || state.step === 'cancelConfirm';
  }

  protected override async currentChoices(dc: DialogContext, state: VisitState): Promise<ChoiceOption[] | undefined> {
    if (state.step === 'reason') return REASON_CHOICES;
    if (state.step === 'slot') return this.slotChoices(dc, state);
    return undefined;
  }

  protected override async currentField(_dc: DialogContext, state: VisitState): Promise<string> {
    return `visit.${state.step}`;
  }

  private parse(dc: DialogContext, type: FieldTypeName, utterance: string, choices?: ChoiceOption[]) {
    const env = turnEnv(dc.context);
    return getFieldType(type).parse(utterance, { locale: env.locale, today: this.services.today(), options: choices ? { choices } : {} });
  }

  private static error(error: string): Spoken {
    return { text: error, speak: escapeXml(error) };
  }

  protected override async onAnswer(dc: DialogContext, state: VisitState, utterance: string): Promise<DialogTurnResult> {
    switch (state.step) {
      case 'idNumber': {
        const parsed = this.parse(dc, 'idNumber', utterance);
        if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
        const age = ageFromIdNumber(String(parsed.value), this.services.today());
        if (age !== undefined && age >= ELDERLY_AGE) {
          state.reason = 'age';
          state.step = 'address';
          return this.ask(dc, state, this.text(dc, 'ageEligible'));
        }
        state.step = 'reason';
        return this.ask(dc, state);
      }
      case 'reason': {
        const parsed = this.parse(dc, 'choice', utterance, REASON_CHOICES);
        if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
        state.reason = parsed.value as VisitReason;
        state.step = 'address';
        return this.ask(dc, state, state.reason === 'other' ? this.text(dc, 'reviewNote') : undefined);
      }
      case 'address':
        return this.onAddress(dc, state, utterance);
      case 'landmark': {
        const parsed = this.parse(dc, 'text', utterance);
        if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
        state.landmark = String(parsed.value);
        state.step = 'phone';
        return this.ask(dc, state);
      }
      case 'phone': {
        const parsed = this.parse(dc, 'phone', utterance);
        if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
        state.phone = String(parsed.value);
        state.step = 'phoneConfirm';
        return this.ask(dc, state);
      }
      case 'phoneConfirm': {
        const parsed = this.parse(dc, 'confirm', utterance);
        if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
        if (parsed.value !== true) {
          state.step = 'phone';
          return this.ask(dc, state, this.text(dc, 'phoneAgain'));
        }
        return this.offer(dc, state);
      }
      case 'slot':
        return this.onSlot(dc, state, utterance);
      case 'code':
        return this.onCode(dc, state, utterance);
      case 'cancelConfirm': {
        const parsed = this.parse(dc, 'confirm', utterance);
        if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
        if (parsed.value !== true) return this.finish(dc, 'kept', this.text(dc, 'notCancelled'));
        const cancelled = state.code ? await this.visits.cancel(state.code) : undefined;
        return this.finish(dc, cancelled ? 'cancelled' : 'not-found', this.text(dc, cancelled ? 'cancelled' : 'notCancelled'));
      }
    }
  }

  private async onAddress(dc: DialogContext, state: VisitState, utterance: string): Promise<DialogTurnResult> {
    const locale = turnEnv(dc.context).locale;
    const parsed = this.parse(dc, 'address', utterance);
    if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
    const address = String(parsed.value);
    const area = areaOf(this.visits.calendar, address);
    if (area.served === true) {
      state.address = address;
      state.step = 'landmark';
      return this.ask(dc, state);
    }
    if (area.served === 'unknown') {
      const first = this.visits.calendar.areas.served[0]!.names;
      const example = locale === 'zh-CN' ? first['zh-CN'][0]! : (first['en-US'][0] ?? first['zh-CN'][0]!);
      return this.ask(dc, state, this.text(dc, 'addressUnknown', { example }));
    }
    const court = area.referral ? area.referral.court[locale] : area.fallback[locale];
    const phone = area.referral?.phone;
    const phoneLine = phone
      ? this.text(dc, 'outsidePhone', { phone }, { phone: this.services.handoff.spokenPhone(phone, locale) })
      : { text: '', speak: '' };
    return this.finish(dc, 'referred', this.text(dc, 'outsideArea', { court, phone: phoneLine.text }, { phone: phoneLine.speak }));
  }

  /** Offers the next free slots after those the filer passed over. */
  private async offer(dc: DialogContext, state: VisitState, lead?: Spoken, slots?: SlotRef[]): Promise<DialogTurnResult> {
    const free = slots && slots.length > 0 ? slots : this.visits.freeSlots(OFFERED, state.passed);
    if (free.length === 0) {
      const locale = turnEnv(dc.context).locale;
      const full = this.text(dc, 'noSlots', { clerkPhone: this.services.clerk.phone }, { clerkPhone: this.spokenClerkPhone(locale) });
      return this.finish(dc, 'full', lead ? joinSpoken([lead, full]) : full);
    }
    state.offered = free.map(slotKey);
    state.step = 'slot';
    return this.ask(dc, state, lead);
  }

  private async onSlot(dc: DialogContext, state: VisitState, utterance: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const parsed = this.parse(dc, 'choice', utterance, this.slotChoices(dc, state));
    if (!parsed.ok) return this.ask(dc, state, VisitDialog.error(parsed.error));
    if (parsed.value === LATER_CHOICE.value) {
      state.passed.push(...state.offered);
      return this.offer(dc, state);
    }
    const ref = parseSlotKey(String(parsed.value));
    if (!ref) return this.ask(dc, state);
    if (state.intent === 'move') {
      const moved = state.code ? await this.visits.move(state.code, ref) : undefined;
      if (!moved) return this.finish(dc, 'not-found', this.text(dc, 'codeNotFound', { code: state.code ?? '' }, { code: digitsSsml(state.code ?? '', env.locale, [3, 3]) }));
      if (!moved.ok) return this.offer(dc, state, this.text(dc, 'slotTaken'), moved.alternatives);
      const b = moved.booking;
      return this.finish(dc, 'moved', this.text(dc, 'moved', { when: this.visits.slotWords(b, env.locale), code: b.code }, { code: digitsSsml(b.code, env.locale, [3, 3]) }),
        { visit: { code: b.code, start: b.start, end: b.end } });
    }
    const result = await this.visits.book({
      slot: ref,
      reason: state.reason ?? 'other',
      address: state.address!,
      ...(state.landmark ? { landmark: state.landmark } : {}),
      phone: state.phone!,
      locale: env.locale,
      ...(env.complaintId ? { complaintId: env.complaintId } : {}),
    });
    if (!result.ok) return this.offer(dc, state, this.text(dc, 'slotTaken'), result.alternatives);
    const b = result.booking;
    const parts = [this.text(dc, 'booked', { when: this.visits.slotWords(b, env.locale), code: b.code }, { code: digitsSsml(b.code, env.locale, [3, 3]) })];
    if (b.needsReview) parts.push(this.text(dc, 'bookedReview'));
    if (b.complaintId) parts.push(this.text(dc, 'bookedDraft'));
    return this.finish(dc, 'booked', joinSpoken(parts), { visit: { code: b.code, start: b.start, end: b.end } });
  }

  private async onCode(dc: DialogContext, state: VisitState, utterance: string): Promise<DialogTurnResult> {
    const env = turnEnv(dc.context);
    const code = codeIn(utterance);
    if (!code) return this.ask(dc, state, this.text(dc, 'codeInvalid'));
    // Visit codes are guessed like resume codes (a stranger's visit cancelled): the same count holds both.
    const guard = this.services.codeGuard;
    const client = turnClient(dc.context);
    const until = guard?.lockedUntil(client);
    if (guard && until !== undefined) {
      return this.finish(dc, 'not-found', limitText(this.services.specs, 'codeTriesLocked', env.locale,
        { minutes: guard.minutesUntil(until), clerkPhone: this.services.clerk.phone }, { clerkPhone: this.spokenClerkPhone(env.locale) }));
    }
    const booking = await this.visits.findByCode(code);
    if (!booking) {
      guard?.failed(client);
      state.failedCodes += 1;
      if (state.failedCodes >= MAX_FAILED_CODES) {
        return this.finish(dc, 'not-found', this.text(dc, 'codeLocked', { clerkPhone: this.services.clerk.phone }, { clerkPhone: this.spokenClerkPhone(env.locale) }));
      }
      return this.ask(dc, state, this.text(dc, 'codeNotFound', { code }, { code: digitsSsml(code, env.locale, [3, 3]) }));
    }
    state.code = code;
    if (state.intent === 'cancel') {
      state.step = 'cancelConfirm';
      return this.ask(dc, state);
    }
    state.passed = [slotKey(booking)];
    return this.offer(dc, state);
  }

  private async finish(dc: DialogContext, outcome: VisitDialogResult['outcome'], said: Spoken, channelData?: Record<string, unknown>): Promise<DialogTurnResult> {
    await say(dc.context, said, channelData);
    return dc.endDialog({ outcome } satisfies VisitDialogResult);
  }

  protected override async onBack(dc: DialogContext, state: VisitState): Promise<DialogTurnResult> {
    if (state.intent === 'book') {
      let at = BOOK_ORDER.indexOf(state.step);
      // The age question is only asked when the draft does not tell; "back" does not bring it back.
      if (at > 0) {
        at -= 1;
        if (BOOK_ORDER[at] === 'reason' && state.reason === 'age') at -= 1;
        if (at >= 0 && BOOK_ORDER[at] === 'idNumber' && state.reason === 'age') at = -1;
      }
      if (at >= 0 && BOOK_ORDER[at] !== state.step) {
        state.step = BOOK_ORDER[at]!;
        return this.ask(dc, state);
      }
    } else if (state.step !== 'code') {
      state.step = 'code';
      return this.ask(dc, state);
    }
    // "Back" at the flow's first question leaves it: a filer who came here by a misheard
    // word returns to the question they were at, with nothing booked.
    return this.finish(dc, 'left', this.text(dc, 'leftFlow'));
  }

  protected override async onSkip(dc: DialogContext, state: VisitState): Promise<DialogTurnResult> {
    if (state.step === 'idNumber') {
      state.step = 'reason';
      return this.ask(dc, state);
    }
    if (state.step === 'landmark') {
      delete state.landmark;
      state.step = 'phone';
      return this.ask(dc, state);
    }
    return this.ask(dc, state, this.text(dc, 'stepNoSkip'));
  }

  protected override async onKeep(dc: DialogContext, state: VisitState): Promise<DialogTurnResult> {
    return this.ask(dc, state);
  }
}
