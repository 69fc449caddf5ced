import type { Activity, TurnContext } from 'botbuilder';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { describeFailure, turnIds, type AzureAdapter, type AzureLogger } from './adapter.js';
import { isLoopbackAddress, isLoopbackServiceUrl } from './loopback.js';

export type BotLogic = (context: TurnContext) => Promise<void>;

export interface RouteOptions {
  adapter: AzureAdapter;
  bot: BotLogic;
  /** False when no app id is configured: then only a local Emulator is served. */
  authenticated: boolean;
  maxTextLength: number;
  log: AzureLogger;
  /** The largest activity read, in bytes; default 256 KiB. */
  maxBodyBytes?: number;
  /** Activities one conversation may send per minute; unlimited when absent. */
  messagesPerConversation?: number;
}

export interface MessagesRoute {
  router: Router;
  /** Refuses new requests (503) and waits for the turns already taken. */
  close(): Promise<void>;
}

// Room for an activity with attachment references and channel data; text is capped separately.
const DEFAULT_BODY_LIMIT = 256 * 1024;

type ErrorCode =
  | 'BadSyntax'
  | 'BadArgument'
  | 'MessageSizeTooBig'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'ServiceError';

/** The Bot Framework connector's error body, `{ error: { code, message } }`. */
function refuse(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * JSON bodies only. Every parser failure is the caller's mistake and answers 4xx (413 for too
 * large, 400 for the rest): a 5xx would make Azure retry the same bad request.
 */
function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (!error) {
        next();
        return;
      }
      const type = (error as { type?: unknown }).type;
      if (type === 'entity.too.large') {
        refuse(res, 413, 'MessageSizeTooBig', `The activity is larger than ${Math.floor(limit / 1024)} KB.`);
      } else if (type === 'entity.parse.failed') {
        refuse(res, 400, 'BadSyntax', 'The request body is not valid JSON.');
      } else {
        refuse(res, 400, 'BadSyntax', 'The request body could not be read.');
      }
    });
  };
}

/**
 * `POST /api/messages`, the Bot Framework protocol endpoint Azure Bot Service and the Emulator
 * call. Checks what the SDK does not (body shape, and the loopback rule when there is no app
 * id), then hands the activity to the CloudAdapter, which authenticates it and runs the turn;
 * the answer carries the replies themselves for `deliveryMode: "expectReplies"`.
 */
export function createMessagesRoute(options: RouteOptions): MessagesRoute {
  const { adapter, bot, authenticated, maxTextLength, log } = options;
  /** The last queued turn of each conversation: turns of one conversation run one at a time. */
  const tails = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  function exclusive(key: string, fn: () => Promise<void>): Promise<void> {
    const result = (tails.get(key) ?? Promise.resolve()).then(fn);
    const settled = result.then(noop, noop);
    tails.set(key, settled);
    inFlight.add(settled);
    void settled.then(() => {
      inFlight.delete(settled);
      if (tails.get(key) === settled) tails.delete(key);
    });
    return result;
  }

  const handle = async (req: Request, res: Response): Promise<void> => {
    if (closing) {
      res.setHeader('Retry-After', '5');
      refuse(res, 503, 'ServiceUnavailable', 'The assistant is restarting; try again shortly.');
      return;
    }
    const activity: unknown = req.body;
    if (!isRecord(activity)) {
      refuse(res, 400, 'BadSyntax', 'The request body must be one JSON activity (Content-Type: application/json).');
      return;
    }
    if (!authenticated) {
      // Without an app id the SDK trusts anyone and POSTs replies wherever serviceUrl says.
      // Only the Emulator on this machine may use that: the caller and the reply address
      // must both be loopback, so no one can make this server send requests elsewhere.
      const caller = req.ip ?? req.socket.remoteAddress;
      if (!isLoopbackAddress(caller) || !isLoopbackServiceUrl(activity.serviceUrl)) {
        log.warn({}, 'Azure request refused: no Microsoft app id and not a local Emulator');
        refuse(res, 403, 'Forbidden', 'No MicrosoftAppId is configured: /api/messages only serves a Bot Framework Emulator on this machine (a loopback serviceUrl).');
        return;
      }
    }
    if (!nonEmptyString(activity.type)) {
      refuse(res, 400, 'BadArgument', 'The activity has no type.');
      return;
    }
    const conversation = activity.conversation;
    if (!nonEmptyString(activity.channelId) || !isRecord(conversation) || !nonEmptyString(conversation.id)) {
      refuse(res, 400, 'BadArgument', 'The activity needs channelId and conversation.id.');
      return;
    }
    // Conversation and user state are keyed by the sender: without one the turn could only fail.
    if (!isRecord(activity.from) || !nonEmptyString(activity.from.id)) {
      refuse(res, 400, 'BadArgument', 'The activity needs from.id.');
      return;
    }
    const length = typeof activity.text === 'string' ? [...activity.text].length : 0;
    if (typeof activity.text === 'string' && length > maxTextLength) {
      // As on Direct Line: the bot asks for shorter parts (channelData.overlongText) instead of the
      // channel showing the filer a failure.
      activity.text = `${[...activity.text].slice(0, maxTextLength).join('')}…`;
      activity.channelData = { ...(isRecord(activity.channelData) ? activity.channelData : {}), overlongText: { length, limit: maxTextLength } };
    }
    const key = `${activity.channelId}\u0000${conversation.id}`;
    const authorization = req.get('authorization') ?? '';
    try {
      await exclusive(key, async () => {
        const answer = await adapter.handle(authorization, activity as unknown as Activity, bot);
        if (answer.status === 401 || answer.status === 403) {
          log.warn({ status: answer.status }, 'Azure request refused: not authenticated');
          refuse(res, answer.status, answer.status === 401 ? 'Unauthorized' : 'Forbidden', 'The request does not carry a valid Bot Framework token.');
        } else if (answer.body === undefined) {
          res.status(answer.status).end();
        } else {
          res.status(answer.status).json(answer.body);
        }
      });
    } catch (error) {
      // onTurnError handles the bot's failures; this is the adapter's own (not the filer's words).
      log.error({ ...turnIds(activity), err: describeFailure(error) }, 'Azure request failed');
      if (!res.headersSent) refuse(res, 500, 'ServiceError', 'The request could not be processed.');
    }
  };

  const router = express.Router();
  const limiterStore = new MemoryStore();
  const perConversation: RequestHandler[] = options.messagesPerConversation === undefined ? [] : [rateLimit({
    windowMs: 60_000,
    limit: options.messagesPerConversation,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: limiterStore,
    // Refused requests (no valid token, not an Emulator) do not use up a real conversation's budget.
    skipFailedRequests: true,
    // Azure's relays send for many users from few addresses: only the conversation is a fair key.
    keyGenerator: (req) => {
      const body = isRecord(req.body) ? req.body : {};
      const conversation = isRecord(body.conversation) ? body.conversation : {};
      return `${String(body.channelId ?? '')}\u0000${String(conversation.id ?? '')}`;
    },
    handler: (_req, res) => refuse(res, 429, 'TooManyRequests', 'Too many messages in this conversation. Please wait a moment and try again.'),
  })];
  router.post('/', jsonBody(options.maxBodyBytes ?? DEFAULT_BODY_LIMIT), ...perConversation, handle);
  router.all('/', (_req, res) => {
    res.setHeader('Allow', 'POST');
    refuse(res, 405, 'MethodNotAllowed', 'Use POST.');
  });

  return {
    router,
    async close() {
      closing = true;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      limiterStore.shutdown();
    },
  };
}

function noop(): void {}
