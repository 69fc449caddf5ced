import type { Locale } from '../i18n.js';
import type { LoadedSpecs } from '../interview/spec.js';
import { spokenFromTemplate, type Spoken } from './reply.js';

/**
 * The sentences said when a limit is reached or a saved draft is guarded. Their words are
 * data, in dialogs/texts/limits.yaml (both languages); the loader checks at start-up that
 * every key here is there.
 */
export const LIMIT_TEXT_KEYS = [
  'messageTooLong',
  'codeTriesLocked',
  'draftFound',
  'checkPhone',
  'checkPhoneHelp',
  'checkBirthDate',
  'checkBirthDateHelp',
  'checkWrong',
  'checkFailed',
] as const;

export type LimitTextKey = (typeof LIMIT_TEXT_KEYS)[number];

export function limitText(
  specs: LoadedSpecs,
  key: LimitTextKey,
  locale: Locale,
  vars: Record<string, string | number> = {},
  speakVars: Record<string, string> = {},
): Spoken {
  const text = specs.texts['limits']?.[key];
  if (!text) throw new Error(`dialogs/texts/limits.yaml has no "${key}"`);
  return spokenFromTemplate(text[locale], vars, speakVars);
}
