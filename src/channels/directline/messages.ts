import type { Activity } from 'botbuilder';
import { normalizeLocale, type Localized } from '../../i18n.js';

const APOLOGY: Localized = {
  'zh-CN': '抱歉，出了点问题，请再说一遍。',
  'en-US': 'Sorry, something went wrong. Please say that again.',
};

/**
 * Sent when a turn fails. The text carries both languages (zh-CN first) because a failed
 * turn may have failed before the filer's language was known; the speech uses the turn's
 * locale so a voice kiosk reads one language, not both.
 */
export function apologyActivity(locale: string | undefined): Partial<Activity> {
  const spoken = normalizeLocale(locale);
  return {
    type: 'message',
    text: `${APOLOGY['zh-CN']}/ ${APOLOGY['en-US']}`,
    speak: `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${spoken}">${APOLOGY[spoken]}</speak>`,
    inputHint: 'acceptingInput',
    locale: spoken,
  };
}
