import type { Activity } from 'botbuilder';
import { normalizeLocale, type Localized } from '../i18n.js';
import { speakDocument } from '../speech/ssml.js';

const APOLOGY: Localized = {
  'zh-CN': '抱歉，出了点问题，请再说一遍。',
  'en-US': 'Sorry, something went wrong. Please say that again.',
};

/**
 * What every channel sends when a turn fails past the bot's own apology. On screens the
 * text carries both languages (zh-CN first), because the turn may have failed before the
 * filer's language was known; speech, and a voice-only channel's text, use the turn's
 * locale so a voice reads one language, not both.
 */
export function apologyActivity(locale: string | undefined, options: { voiceOnly?: boolean } = {}): Partial<Activity> {
  const spoken = normalizeLocale(locale);
  return {
    type: 'message',
    text: options.voiceOnly ? APOLOGY[spoken] : `${APOLOGY['zh-CN']}/ ${APOLOGY['en-US']}`,
    speak: speakDocument(APOLOGY[spoken], spoken),
    inputHint: 'acceptingInput',
    locale: spoken,
  };
}
