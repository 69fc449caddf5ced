import type { Server } from 'node:http';
import type { TurnContext } from 'botbuilder';
import type { Router } from 'express';
import type { FileStore } from '../../store/index.js';
import { DEFAULT_TYPING_INTERVAL_MS, DirectLineAdapter, type DirectLineLogger } from './adapter.js';
import { ConversationRegistry } from './conversations.js';
import { describeError } from './errors.js';
import type { ConversationCollection } from './durable.js';
import { createDirectLineRouter, createTokenRouter, type RouteDependencies } from './routes.js';
import { DEFAULT_KEEP_ALIVE_MS, DirectLineStreams } from './streaming.js';
import { StreamTokenIssuer, TokenIssuer } from './tokens.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload.js';
import type { CourtNetwork } from '../../http/network.js';
import { createDirectLineLimits, type DirectLineLimitOptions } from './limits.js';

export { DirectLineAdapter, BOT_ACCOUNT, CHANNEL_ID, type BotLogic, type DirectLineLogger } from './adapter.js';
export { DirectLineClosedError, DirectLineError, UnknownConversationError } from './errors.js';
export type { TokenClaims } from './tokens.js';
export { CLOSE_REPLACED, CLOSE_SHUTDOWN } from './streaming.js';
export { MAX_FILES_PER_MESSAGE, type RejectReason, type RejectedUpload, type UploadedFile } from './upload.js';
export { sniffEvidenceType, type EvidenceType } from './sniff.js';
export { CONVERSATIONS_COLLECTION, CONVERSATIONS_FILE, type ConversationCollection, type StoredConversation } from './durable.js';
export { DEFAULT_KEEP_ALIVE_MS, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_TYPING_INTERVAL_MS };

export const DEFAULT_TOKEN_TTL_SECONDS = 1800;
export const DEFAULT_MAX_TEXT_LENGTH = 5000;
export const DEFAULT_MAX_CONVERSATIONS = 10_000;
export const DEFAULT_IDLE_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_ACTIVITIES = 1000;
/**
 * Activities a conversation's stored record keeps, so that after a restart clients can fetch
 * them by watermark: five or six turns, more than a client misses while it reconnects, and
 * small enough (~10 KB) that writing the record twice a turn stays cheap.
 */
export const DEFAULT_STORED_ACTIVITIES = 16;
/** The hosted service asks clients to open a stream URL within 60 seconds. */
export const DEFAULT_STREAM_TOKEN_TTL_SECONDS = 60;
/** Where the app mounts `router`; stream URLs are upgraded under it. */
export const DIRECT_LINE_BASE_PATH = '/v3/directline';

export interface DirectLineOptions {
  /** DIRECT_LINE_SECRET; when unset, only tokens work. */
  secret?: string;
  /** Key that signs tokens (HMAC-SHA256 JWTs); at least 32 bytes. */
  tokenKey: Uint8Array;
  /** Token lifetime; the hosted service's default is DEFAULT_TOKEN_TTL_SECONDS (1800). */
  tokenTtlSeconds: number;
  /** Runs one bot turn; the adapter calls it with a TurnContext. */
  bot: (context: TurnContext) => Promise<void>;
  /** Messages longer than this many characters reach the bot cut, marked channelData.overlongText; default 5000. */
  maxTextLength?: number;
  log?: DirectLineLogger;
  /** Conversations kept in memory; the oldest idle ones go first. Default 10,000. */
  maxConversations?: number;
  /** A conversation without new activities for this long is dropped (from the store too). Default 24 h. */
  idleTimeoutMs?: number;
  /** Older activities of a very long conversation are cut off beyond this. Default 1000. */
  maxActivitiesPerConversation?: number;
  /** The newest activities kept in a conversation's stored record (what survives a restart). Default 16. */
  storedActivitiesPerConversation?: number;
  /**
   * Where conversations survive a restart (`store.openCollection(CONVERSATIONS_FILE,
   * CONVERSATIONS_COLLECTION)`); without it they live in memory only.
   */
  conversations?: ConversationCollection;
  /**
   * Run after a restart for each conversation whose turn a crash cut off, as a proactive turn:
   * the bot says its current question again. Without it such conversations simply go on.
   */
  resume?: (context: TurnContext) => Promise<void>;
  /** Requests per client address to POST /api/directline/token. Default 20 a minute. */
  tokenRateLimit?: { windowMs?: number; limit?: number };
  /** Rate limits on posting activities and uploads, per conversation and per address; none when absent. */
  rateLimits?: Omit<DirectLineLimitOptions, 'isCourt'>;
  /**
   * The court's own addresses and how a request's client is named: bot turns learn their client
   * (for the code guard), and the court's machines are spared per-address limits.
   */
  network?: CourtNetwork;
  /** The largest JSON body read (MAX_BODY_KB); default 256 KiB. */
  maxBodyBytes?: number;
  /** Websites on other origins that may get tokens from `POST /api/directline/token` (CORS_ORIGINS). */
  tokenOrigins?: readonly string[];
  /** Where uploaded photos and PDFs are kept (`store.files`). */
  files: FileStore;
  /** Largest photo or PDF kept from an upload (MAX_UPLOAD_MB); default 10 MiB. */
  maxUploadBytes?: number;
  /** Empty keep-alive frames on each stream this often; default 15 s. */
  keepAliveMs?: number;
  /** How often the bot's typing is renewed during a long turn; default 2 s. */
  typingIntervalMs?: number;
  /** Lifetime of the single-use token in a stream URL; default 60 s. */
  streamTokenTtlSeconds?: number;
  /** Where `router` is mounted; default `/v3/directline`. Stream upgrades are matched under it. */
  basePath?: string;
}

export interface DirectLine {
  /** Mount at `/v3/directline`. */
  router: Router;
  /** Mount at `/api`; serves `POST /api/directline/token`. */
  tokenRoute: Router;
  adapter: DirectLineAdapter;
  /**
   * Serves WebSocket streams (`streamUrl`) on `server`: call once, after `listen`. Upgrade
   * requests for other paths are left to other listeners.
   */
  attach(server: Server): void;
  /**
   * Settles once the conversations a crash interrupted have been resumed (see `resume`), with
   * how many there were; requests for such a conversation wait for its own resumption.
   */
  readonly resumed: Promise<number>;
  /** Stops taking turns, waits for the turns in flight, then closes every stream (1001). */
  close(): Promise<void>;
}

const silentInfo: DirectLineLogger = {
  info: () => {},
  warn: (obj, msg) => console.warn(msg ?? 'directline', obj),
  error: (obj, msg) => console.error(msg ?? 'directline', obj),
};

export function createDirectLine(options: DirectLineOptions): DirectLine {
  const maxTextLength = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  const maxConversations = options.maxConversations ?? DEFAULT_MAX_CONVERSATIONS;
  const maxActivitiesPerConversation = options.maxActivitiesPerConversation ?? DEFAULT_MAX_ACTIVITIES;
  const storedActivitiesPerConversation = Math.min(options.storedActivitiesPerConversation ?? DEFAULT_STORED_ACTIVITIES, maxActivitiesPerConversation);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const typingIntervalMs = options.typingIntervalMs ?? DEFAULT_TYPING_INTERVAL_MS;
  const checked = { maxTextLength, idleMs, maxConversations, maxActivitiesPerConversation, storedActivitiesPerConversation, maxUploadBytes, keepAliveMs, typingIntervalMs };
  for (const [name, value] of Object.entries(checked)) {
    if (!Number.isFinite(value) || value < 1) throw new Error(`Direct Line option ${name} must be a positive number.`);
  }
  const log = options.log ?? silentInfo;
  const tokens = new TokenIssuer(options.tokenKey, options.tokenTtlSeconds);
  const registry = new ConversationRegistry({
    maxConversations,
    idleMs,
    maxActivitiesPerConversation,
    storedActivitiesPerConversation,
    ...(options.conversations ? { store: options.conversations } : {}),
    onStoreError: (error) => log.error({ err: describeError(error) }, 'Direct Line could not remove a stored conversation'),
  });
  const adapter = new DirectLineAdapter(registry, log, { typingIntervalMs });
  const resumed = resumeInterrupted(registry, adapter, options.resume, log);
  const streamTokens = new StreamTokenIssuer(options.tokenKey, options.streamTokenTtlSeconds ?? DEFAULT_STREAM_TOKEN_TTL_SECONDS);
  const streams = new DirectLineStreams({
    registry,
    streamTokens,
    log,
    basePath: options.basePath ?? DIRECT_LINE_BASE_PATH,
    keepAliveMs,
  });
  const network = options.network;
  const limits = options.rateLimits
    ? createDirectLineLimits({ ...options.rateLimits, ...(network ? { isCourt: network.isCourtRequest } : {}) })
    : undefined;
  const deps: RouteDependencies = {
    secret: options.secret || undefined,
    tokens,
    registry,
    adapter,
    bot: options.bot,
    maxTextLength,
    log,
    streamTokens,
    files: options.files,
    maxUploadBytes,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(limits ? { limits } : {}),
    ...(options.network ? { network: options.network } : {}),
    ...(options.tokenOrigins ? { tokenOrigins: options.tokenOrigins } : {}),
  };
  const router = createDirectLineRouter(deps);
  const token = createTokenRouter(deps, {
    windowMs: options.tokenRateLimit?.windowMs ?? 60_000,
    limit: options.tokenRateLimit?.limit ?? 20,
  });

  // Memory is only given back by the sweep; lookups also drop expired conversations on sight.
  const sweeper = setInterval(
    () => {
      const dropped = registry.sweep();
      if (dropped > 0) log.info({ dropped, remaining: registry.size }, 'Direct Line idle conversations dropped');
    },
    Math.min(idleMs, 10 * 60 * 1000),
  );
  sweeper.unref();

  let closing: Promise<void> | undefined;
  return {
    router,
    tokenRoute: token.router,
    adapter,
    resumed,
    attach(server) {
      streams.attach(server);
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        streams.stopAccepting();
        // The turns' last replies still reach open streams before those close.
        await adapter.close();
        await streams.close();
        await token.store.shutdown();
        limits?.close();
      })();
      return closing;
    },
  };
}

/**
 * Loads the stored conversations and resumes the turns a crash cut off, each queued on its
 * conversation like any turn, so a client's next request comes after it.
 */
function resumeInterrupted(
  registry: ConversationRegistry,
  adapter: DirectLineAdapter,
  resume: ((context: TurnContext) => Promise<void>) | undefined,
  log: DirectLineLogger,
): Promise<number> {
  const { restored, interrupted, unreadable } = registry.restore();
  if (unreadable > 0) log.warn({ unreadable }, 'Direct Line stored conversations not in this program\'s format were left alone');
  if (restored > 0) log.info({ restored, interrupted: interrupted.length }, 'Direct Line conversations restored');
  return Promise.all(
    interrupted.map((conversation) => {
      const done = (resume ? adapter.resumeInterrupted(conversation, resume) : registry.save(conversation)).catch((error: unknown) => {
        // The conversation still works: the filer answers what they see and the bot goes on.
        log.error({ conversationId: conversation.id, err: describeError(error) }, 'Direct Line could not resume an interrupted conversation');
      });
      conversation.resuming = done.finally(() => {
        conversation.resuming = undefined;
      });
      return done;
    }),
  ).then(() => interrupted.length);
}
