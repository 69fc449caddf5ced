import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import type { Router } from 'express';
import { PhoneAdapter } from './adapter.js';
import { AudioClips } from './audio.js';
import { CallRegistry, type CallCollection } from './calls.js';
import { PhoneLine, type PhoneLineOptions } from './line.js';
import { phoneRoutes } from './routes.js';

export { PHONE_CHANNEL_ID, PhoneAdapter, PhoneCallEndedError, PhoneLineClosedError, type BotLogic, type PhoneLogger } from './adapter.js';
export { COMMAND_KEYS, COMMAND_WORDS, LANGUAGE_KEY, buildMenu, menuOptions, readInput, type PhoneInput, type PhoneMenu } from './keypad.js';
export { addSpeech, phoneSsml } from './speech.js';
export { callerNumber, type PhoneHandoffs, type PhoneSpeech, type TwilioParams } from './line.js';
export { CALLS_COLLECTION, CALLS_FILE, type CallCollection, type StoredCall } from './calls.js';

/** Where the app mounts the router; the number's voice webhook is POST {PHONE_BASE_PATH}. */
export const PHONE_BASE_PATH = '/api/phone/twilio';

export interface PhoneChannelOptions extends Omit<PhoneLineOptions, 'basePath'> {
  /** TWILIO_AUTH_TOKEN; unset, only requests from this machine are served (and a warning is logged). */
  authToken?: string;
  /** Defaults to PHONE_BASE_PATH. */
  basePath?: string;
  /**
   * Where calls in progress survive a restart (`store.openCollection(CALLS_FILE,
   * CALLS_COLLECTION)`); without it they live in memory only.
   */
  calls?: CallCollection;
}

export interface PhoneChannel {
  /** Mount at `basePath`. */
  router: Router;
  adapter: PhoneAdapter;
  /** Calls in progress (kept in the store too when `calls` is given). */
  readonly activeCalls: number;
  /**
   * Speaks an activity to a caller at their next request (a clerk's words). Resolves false,
   * without throwing, when the call is over: a caller who hung up cannot be reached.
   */
  deliver(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<boolean>;
  /** Runs proactive bot logic for a caller (the bot taking over from a clerk); false when the call is over. */
  continueCall(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<boolean>;
  /** Stops taking webhooks (503) and waits for those in progress. */
  close(): Promise<void>;
}

/** The phone line: Twilio Programmable Voice webhooks in, bot turns, TwiML out. */
export function createPhoneChannel(options: PhoneChannelOptions): PhoneChannel {
  const { authToken, log } = options;
  const basePath = options.basePath ?? PHONE_BASE_PATH;
  const calls = new CallRegistry({
    ...(options.calls ? { store: options.calls } : {}),
    onStoreError: (error) => log.error({ err: (error as Error)?.name ?? typeof error }, 'could not remove a stored phone call'),
  });
  const adapter = new PhoneAdapter(calls, log);
  const line = new PhoneLine({ ...options, basePath }, calls, adapter, new AudioClips());
  if (!authToken) {
    log.warn({ path: basePath }, 'TWILIO_AUTH_TOKEN is not set: the phone line does not check Twilio signatures and serves ONLY requests from this machine. Set it before pointing a number at this server.');
  }
  const router = phoneRoutes({ line, ...(authToken ? { authToken } : {}), publicUrl: options.publicUrl, log });
  return {
    router,
    adapter,
    get activeCalls() {
      return calls.size;
    },
    deliver: (reference, activity) => line.continueCall(reference, async (context) => {
      await context.sendActivity(activity);
    }),
    continueCall: (reference, logic) => line.continueCall(reference, logic),
    close: () => adapter.close(),
  };
}

