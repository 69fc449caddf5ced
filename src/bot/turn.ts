import type { TurnContext } from 'botbuilder';
import type { Locale } from '../i18n.js';

export type SpeechRate = 'normal' | 'slow' | 'slower';

/** What every part of the bot needs to know about the turn in hand. */
export interface TurnEnv {
  locale: Locale;
  rate: SpeechRate;
  /** The draft this conversation works on, if any. */
  complaintId?: string;
}

const TURN_ENV = Symbol('turnEnv');

export function setTurnEnv(context: TurnContext, env: TurnEnv): void {
  context.turnState.set(TURN_ENV, env);
}

export function turnEnv(context: TurnContext): TurnEnv {
  const env = context.turnState.get(TURN_ENV) as TurnEnv | undefined;
  if (!env) throw new Error('turn environment missing: the bot sets it at the start of every turn');
  return env;
}

/**
 * The filer's words in this turn: typed or recognized text, or the value of a tapped button
 * (`{ "answer": "transfer" }` from kiosk widgets). Never undefined, never longer than the
 * channel allows.
 */
export function utteranceOf(context: TurnContext): string {
  const activity = context.activity;
  const value = activity.value as { answer?: unknown } | undefined;
  if (value && typeof value === 'object' && (typeof value.answer === 'string' || typeof value.answer === 'number')) {
    return String(value.answer).slice(0, 5000);
  }
  return typeof activity.text === 'string' ? activity.text.slice(0, 5000) : '';
}

/**
 * What a channel put in `channelData.overlongText` when a message was longer than the bot reads
 * (MAX_MESSAGE_LENGTH): the text arrives cut to that length, and the bot asks for shorter parts
 * instead of taking half a sentence as an answer. Undefined for a message of fair length.
 */
export function overlongTextOf(context: TurnContext): { length: number; limit: number } | undefined {
  const data = context.activity.channelData as { overlongText?: { length?: unknown; limit?: unknown } } | undefined;
  const found = data?.overlongText;
  if (!found || typeof found.length !== 'number' || typeof found.limit !== 'number') return undefined;
  return { length: found.length, limit: found.limit };
}

const NO_ANSWER = Symbol('noAnswer');

/** Marks a turn whose words cannot be an answer (too long to read): the question is asked again. */
export function markNoAnswer(context: TurnContext): void {
  context.turnState.set(NO_ANSWER, true);
}

export function isNoAnswer(context: TurnContext): boolean {
  return context.turnState.get(NO_ANSWER) === true;
}

const RETURN = Symbol('returnFromClerk');

/** A proactive turn after a clerk gave the filer back: the dialog re-asks, at `field` if given. */
export function markReturnFromClerk(context: TurnContext, field: string | undefined): void {
  context.turnState.set(RETURN, { field });
}

export function returnRequest(context: TurnContext): { field?: string } | undefined {
  return context.turnState.get(RETURN) as { field?: string } | undefined;
}
