import { ActivityTypes, InputHints, type Activity, type TurnContext } from 'botbuilder';
import { fill, type Locale } from '../i18n.js';
import { confirmChoices } from '../interview/fields/index.js';
import type { ChoiceOption, FieldTypeName } from '../interview/fields/types.js';
import type { MessageKey, Messages } from '../interview/spec.js';
import { escapeXml, speakDocument } from '../speech/ssml.js';
import { turnEnv } from './turn.js';

/** A thing to say: written text, and the same as an SSML fragment (escaped, with markup for digits). */
export interface Spoken {
  text: string;
  speak: string;
}

/** channelData.ask of CONTRACT §3. */
export interface AskData {
  field: string;
  type: FieldTypeName;
  index?: number;
  choices?: { value: string; title: string; dtmf: string }[];
  required: boolean;
  progress?: { step: number; total: number };
}

/**
 * Fills a template for both outputs at once: in the text every placeholder becomes its
 * plain value; in speech the plain value is escaped, or `speakVars` gives SSML for it
 * (a code read digit by digit).
 */
export function spokenFromTemplate(template: string, vars: Record<string, string | number>, speakVars: Record<string, string> = {}): Spoken {
  const text = fill(template, vars);
  const speak = template
    .split(/(\{\w+\})/g)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return escapeXml(part);
      if (name in speakVars) return speakVars[name]!;
      return name in vars ? escapeXml(String(vars[name])) : escapeXml(part);
    })
    .join('');
  return { text, speak };
}

export function message(messages: Messages, key: MessageKey, locale: Locale, vars: Record<string, string | number> = {}, speakVars: Record<string, string> = {}): Spoken {
  return spokenFromTemplate(messages[key][locale], vars, speakVars);
}

export function joinSpoken(parts: Spoken[], separator = ' '): Spoken {
  const nonEmpty = parts.filter((p) => p.text);
  return { text: nonEmpty.map((p) => p.text).join(separator), speak: nonEmpty.map((p) => p.speak).join(' ') };
}

export function choicesForAsk(choices: ChoiceOption[], locale: Locale): NonNullable<AskData['choices']> {
  return choices.map((c, i) => ({ value: c.value, title: c.title[locale], dtmf: c.dtmf ?? String(i + 1) }));
}

export function confirmChoicesForAsk(locale: Locale): NonNullable<AskData['choices']> {
  return choicesForAsk(confirmChoices, locale);
}

export function buildMessage(context: TurnContext, spoken: Spoken, channelData?: Record<string, unknown>): Partial<Activity> {
  const env = turnEnv(context);
  return {
    type: ActivityTypes.Message,
    text: spoken.text,
    speak: speakDocument(spoken.speak, env.locale, { rate: env.rate }),
    locale: env.locale,
    inputHint: InputHints.AcceptingInput,
    ...(channelData ? { channelData } : {}),
  };
}

export function buildQuestion(context: TurnContext, spoken: Spoken, ask: AskData, channelData: Record<string, unknown> = {}): Partial<Activity> {
  const activity = buildMessage(context, spoken, { ...channelData, ask });
  activity.inputHint = InputHints.ExpectingInput;
  if (ask.choices) {
    // Clients that do not read channelData.ask (the Emulator, a stock Web Chat) still get buttons.
    activity.suggestedActions = {
      to: [],
      actions: ask.choices.map((c) => ({ type: 'imBack', title: c.title, value: c.title })),
    };
  }
  return activity;
}

export async function say(context: TurnContext, spoken: Spoken, channelData?: Record<string, unknown>): Promise<void> {
  await context.sendActivity(buildMessage(context, spoken, channelData));
}
