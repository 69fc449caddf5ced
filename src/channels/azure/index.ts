import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Router } from 'express';
import { createCloudAdapter, type AzureAppCredentials, type AzureLogger } from './adapter.js';
import { createMessagesRoute } from './routes.js';
import { TelephonyConventions, type TelephonyOptions } from './telephony.js';

export { type AzureAppCredentials, type AzureLogger } from './adapter.js';
export { apologyActivity } from '../apology.js';
export { isLoopbackAddress, isLoopbackServiceUrl } from './loopback.js';
export { TELEPHONY_CHANNEL_ID, type TelephonyOptions } from './telephony.js';

export interface AzureChannelOptions {
  /** MicrosoftAppId and friends; without an id only a local Emulator is served. */
  credentials: AzureAppCredentials;
  /** Runs one bot turn. */
  bot: (context: TurnContext) => Promise<void>;
  /** Messages longer than this many characters reach the bot cut, marked channelData.overlongText; default 5000. */
  maxTextLength?: number;
  /** The largest activity read (MAX_BODY_KB); larger ones get 413. Default 256 KiB. */
  maxBodyBytes?: number;
  /** Activities one conversation may send per minute (LIMIT_MESSAGES_CONVERSATION); unlimited when absent. */
  messagesPerConversation?: number;
  log: AzureLogger;
  /** The Telephony channel's conventions (voice names, barge-in, DTMF, transfers); off when absent. */
  telephony?: TelephonyOptions;
}

export interface AzureChannel {
  /** Mount at `/api/messages`. */
  router: Router;
  /** The SDK adapter, for proactive messages (`continueConversationAsync`). */
  adapter: CloudAdapter;
  /** True when an app id is set and every request must carry a Bot Framework token. */
  authenticated: boolean;
  /** Refuses new requests and waits for the turns in flight. */
  close(): Promise<void>;
}

/** Azure Bot Service and the Bot Framework Emulator on `POST /api/messages`. */
export function createAzureChannel(options: AzureChannelOptions): AzureChannel {
  const maxTextLength = options.maxTextLength ?? 5000;
  if (!Number.isInteger(maxTextLength) || maxTextLength < 1) throw new Error('Azure channel option maxTextLength must be a positive whole number.');
  const authenticated = Boolean(options.credentials.id);
  const adapter = createCloudAdapter(options.credentials, options.log);
  if (options.telephony) adapter.use(new TelephonyConventions(options.telephony));
  const route = createMessagesRoute({
    adapter, bot: options.bot, authenticated, maxTextLength, log: options.log,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.messagesPerConversation !== undefined ? { messagesPerConversation: options.messagesPerConversation } : {}),
  });
  return { router: route.router, adapter, authenticated, close: route.close };
}
