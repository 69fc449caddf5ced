import type { TurnContext } from 'botbuilder';
import type { Router } from 'express';
import { DirectLineAdapter, type DirectLineLogger } from './adapter.js';
import { ConversationRegistry } from './conversations.js';
import { createDirectLineRouter, createTokenRouter, type RouteDependencies } from './routes.js';
import { TokenIssuer } from './tokens.js';

export { DirectLineAdapter, BOT_ACCOUNT, CHANNEL_ID, type BotLogic, type DirectLineLogger } from './adapter.js';
export { DirectLineClosedError, DirectLineError, UnknownConversationError } from './errors.js';
export type { TokenClaims } from './tokens.js';

export const DEFAULT_TOKEN_TTL_SECONDS = 1800;
export const DEFAULT_MAX_TEXT_LENGTH = 5000;
export const DEFAULT_MAX_CONVERSATIONS = 10_000;
export const DEFAULT_IDLE_MS = 24 * 60 * 60 * 1000;

export interface DirectLineOptions {
  /** DIRECT_LINE_SECRET; when unset, only tokens work. */
  secret?: string;
  /** Key that signs tokens (HMAC-SHA256 JWTs); at least 32 bytes. */
  tokenKey: Uint8Array;
  /** Token lifetime; the hosted service's default is DEFAULT_TOKEN_TTL_SECONDS (1800). */
  tokenTtlSeconds: number;
  /** Runs one bot turn; the adapter calls it with a TurnContext. */
  bot: (context: TurnContext) => Promise<void>;
  /** Messages longer than this many characters are refused with 400; default 5000. */
  maxTextLength?: number;
  log?: DirectLineLogger;
  /** Conversations kept in memory; the oldest idle ones go first. Default 10,000. */
  maxConversations?: number;
  /** A conversation without new activities for this long is dropped. Default 24 h. */
  idleTimeoutMs?: number;
  /** Older activities of a very long conversation are cut off beyond this. Default 1000. */
  maxActivitiesPerConversation?: number;
  /** Requests per client address to POST /api/directline/token. Default 20 a minute. */
  tokenRateLimit?: { windowMs?: number; limit?: number };
}

export interface DirectLine {
  /** Mount at `/v3/directline`. */
  router: Router;
  /** Mount at `/api`; serves `POST /api/directline/token`. */
  tokenRoute: Router;
  adapter: DirectLineAdapter;
  /** Stops taking turns and waits for the turns in flight. */
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
  const maxActivitiesPerConversation = options.maxActivitiesPerConversation ?? 1000;
  for (const [name, value] of Object.entries({ maxTextLength, idleMs, maxConversations, maxActivitiesPerConversation })) {
    if (!Number.isFinite(value) || value < 1) throw new Error(`Direct Line option ${name} must be a positive number.`);
  }
  const log = options.log ?? silentInfo;
  const tokens = new TokenIssuer(options.tokenKey, options.tokenTtlSeconds);
  const registry = new ConversationRegistry({ maxConversations, idleMs, maxActivitiesPerConversation });
  const adapter = new DirectLineAdapter(registry, log);
  const deps: RouteDependencies = {
    secret: options.secret || undefined,
    tokens,
    registry,
    adapter,
    bot: options.bot,
    maxTextLength,
    log,
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
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        await adapter.close();
        await token.store.shutdown();
      })();
      return closing;
    },
  };
}
