import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { DEFAULT_LOCALE } from '../../i18n.js';
import type { BotLogic, DirectLineAdapter, DirectLineLogger } from './adapter.js';
import {
  newConversationId,
  newUserId,
  type Conversation,
  type ConversationRegistry,
  type DirectLineUser,
} from './conversations.js';
import { DirectLineClosedError, DirectLineError, describeError, sendError } from './errors.js';
import type { FileStore } from '../../store/index.js';
import { serviceBase } from './origin.js';
import type { IssuedToken, StreamTokenIssuer, TokenClaims, TokenIssuer } from './tokens.js';
import { attachmentRoute, discard, readUpload, storeUpload } from './upload.js';
import { claimedSender, parseIncomingActivity, parseStartBody, parseUserId, parseWatermark } from './validation.js';

export interface RouteDependencies {
  secret: string | undefined;
  tokens: TokenIssuer;
  registry: ConversationRegistry;
  adapter: DirectLineAdapter;
  bot: BotLogic;
  maxTextLength: number;
  log: DirectLineLogger;
  streamTokens: StreamTokenIssuer;
  /** Where uploaded photos and PDFs are kept. */
  files: FileStore;
  /** Largest file kept from an upload; larger ones are refused with reason 'size'. */
  maxUploadBytes: number;
}

type Auth = { kind: 'secret' } | { kind: 'token'; claims: TokenClaims };

interface ConversationResponse extends IssuedToken {
  conversationId: string;
  streamUrl?: string;
}

// Room for a message with a few inline card attachments; the text itself is capped separately.
const BODY_LIMIT = '256kb';

const CORS_HEADERS = 'Authorization, Content-Type, x-ms-bot-agent, x-requested-with';
const CORS_METHODS = 'GET, POST, OPTIONS';

/** The Direct Line 3.0 REST service, to be mounted at `/v3/directline`. */
export function createDirectLineRouter(deps: RouteDependencies): Router {
  const router = express.Router();
  router.use(cors);
  router.use(noStore);
  router.use(jsonBody());

  router.post('/tokens/generate', async (req, res) => {
    const auth = await authenticate(req, deps);
    if (auth.kind !== 'secret') throw forbidden('Generating a token needs the secret.');
    const start = parseStartBody(req.body);
    const conversationId = newConversationId();
    const claims: TokenClaims = { conv: conversationId };
    if (start.userId !== undefined) claims.user = start.userId;
    if (start.userName !== undefined) claims.name = start.userName;
    if (start.locale !== undefined) claims.locale = start.locale;
    res.json({ conversationId, ...(await deps.tokens.issue(claims)) } satisfies ConversationResponse);
  });

  router.post('/tokens/refresh', async (req, res) => {
    const auth = await authenticate(req, deps);
    if (auth.kind !== 'token') throw forbidden('Refreshing needs a token, not the secret.');
    res.json({ conversationId: auth.claims.conv, ...(await deps.tokens.issue(auth.claims)) } satisfies ConversationResponse);
  });

  router.post('/conversations', async (req, res) => {
    const auth = await authenticate(req, deps);
    const start = parseStartBody(req.body);
    const claims = auth.kind === 'token' ? auth.claims : undefined;
    const conversationId = claims?.conv ?? newConversationId();
    const user: DirectLineUser = { id: claims?.user ?? start.userId ?? newUserId() };
    const userName = claims?.name ?? start.userName;
    if (userName !== undefined) user.name = userName;
    const { conversation, created } = deps.registry.open(conversationId, {
      user,
      locale: claims?.locale ?? start.locale ?? DEFAULT_LOCALE,
      serviceUrl: serviceUrlOf(req),
    });
    if (created) {
      // The greeting must be in the log before the client's first poll.
      await deps.adapter.startConversation(conversation, deps.bot);
    } else {
      // A concurrent start of the same conversation may still be greeting.
      await conversation.tail;
    }
    // No watermark: a stream opened on this URL starts from the first activity (the greeting).
    res.status(created ? 201 : 200).json(await conversationResponse(deps, conversation, req));
  });

  router.get('/conversations/:conversationId', async (req, res) => {
    const conversation = await authorizedConversation(req, deps);
    // As the hosted service: with a watermark the stream replays from there; without one it
    // carries only what comes after this request.
    const given = req.query.watermark;
    const watermark = given === undefined || given === '' ? deps.registry.watermarkOf(conversation) : String(parseWatermark(given));
    deps.registry.touch(conversation);
    res.json(await conversationResponse(deps, conversation, req, watermark));
  });

  router.get('/conversations/:conversationId/activities', async (req, res) => {
    const conversation = await authorizedConversation(req, deps);
    const watermark = parseWatermark(req.query.watermark);
    res.json(deps.registry.snapshotAfter(conversation, watermark));
  });

  router.post('/conversations/:conversationId/activities', async (req, res) => {
    const { conversation, auth } = await authorizedConversationWithAuth(req, deps);
    const incoming = parseIncomingActivity(req.body, deps.maxTextLength);
    const claimed = claimedSender(req.body);
    // A token belongs to the conversation's one filer; only the secret holder may speak for others.
    const from: DirectLineUser = {
      id: auth.kind === 'secret' && claimed.id !== undefined ? claimed.id : conversation.user.id,
    };
    const name = claimed.name ?? conversation.user.name;
    if (name !== undefined) from.name = name;
    const id = await deps.adapter.receiveActivity(conversation, incoming, from, deps.bot);
    res.json({ id });
  });

  router.post('/conversations/:conversationId/upload', async (req, res) => {
    const { conversation, auth } = await authorizedConversationWithAuth(req, deps);
    const upload = await readUpload(req, res, deps);
    if (!upload) return; // already answered 413
    // As for posted activities: only the secret holder may name another sender.
    const claimedId = auth.kind === 'secret' ? parseUserId(req.query.userId) : undefined;
    const from: DirectLineUser = { id: claimedId ?? conversation.user.id };
    if (conversation.user.name !== undefined) from.name = conversation.user.name;
    const { activity, saved } = await storeUpload(req, upload, deps.files);
    let id: string;
    try {
      id = await deps.adapter.receiveActivity(conversation, activity, from, deps.bot);
    } catch (error) {
      await discard(deps.files, saved);
      throw error;
    }
    res.json({ id });
  });

  router.get('/attachments/:fileId', attachmentRoute(deps));

  router.use((_req: Request, res: Response) => {
    sendError(res, new DirectLineError(404, 'BadArgument', 'Not found.'));
  });
  router.use(errorHandler(deps.log));
  return router;
}

export interface TokenRouteOptions {
  windowMs: number;
  limit: number;
}

/**
 * `POST /directline/token`, to be mounted at `/api`: a token for one new conversation, for the
 * court's own pages, without the secret. Rate limited per client address.
 */
export function createTokenRouter(
  deps: RouteDependencies,
  limits: TokenRouteOptions,
): { router: Router; store: MemoryStore } {
  const router = express.Router();
  const store = new MemoryStore();
  const limiter = rateLimit({
    windowMs: limits.windowMs,
    limit: limits.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store,
    handler: (_req, res) => {
      sendError(res, new DirectLineError(429, 'TooManyRequests', 'Too many requests. Please wait a minute and try again.'));
    },
  });
  // Everything is attached to the one route, never router-wide, because this router sits on
  // /api next to other people's routes.
  router.post('/directline/token', noStore, limiter, jsonBody(), async (req: Request, res: Response, next: NextFunction) => {
    try {
      const start = parseStartBody(req.body);
      const conversationId = newConversationId();
      const claims: TokenClaims = { conv: conversationId, user: start.userId ?? newUserId() };
      if (start.userName !== undefined) claims.name = start.userName;
      if (start.locale !== undefined) claims.locale = start.locale;
      res.json({ conversationId, ...(await deps.tokens.issue(claims)) } satisfies ConversationResponse);
    } catch (error) {
      next(error);
    }
  }, errorHandler(deps.log));
  return { router, store };
}

async function authenticate(req: Request, deps: RouteDependencies): Promise<Auth> {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const credential = match?.[1];
  if (!credential) throw new DirectLineError(403, 'BadArgument', 'Missing token or secret.');
  if (deps.secret && secretMatches(credential, deps.secret)) return { kind: 'secret' };
  return { kind: 'token', claims: await deps.tokens.verify(credential) };
}

async function authorizedConversationWithAuth(
  req: Request,
  deps: RouteDependencies,
): Promise<{ conversation: Conversation; auth: Auth }> {
  const auth = await authenticate(req, deps);
  const raw: unknown = req.params.conversationId;
  const id = typeof raw === 'string' ? raw : '';
  if (auth.kind === 'token' && auth.claims.conv !== id) {
    throw forbidden('The token is not valid for this conversation.');
  }
  const conversation = deps.registry.get(id);
  if (!conversation) throw new DirectLineError(404, 'BadArgument', 'Conversation not found.');
  return { conversation, auth };
}

async function authorizedConversation(req: Request, deps: RouteDependencies): Promise<Conversation> {
  return (await authorizedConversationWithAuth(req, deps)).conversation;
}

/**
 * The response to start and reconnect: a fresh token for that conversation and a stream URL
 * pre-authorised by its own short-lived, single-use token (`t`), as the hosted service does.
 */
async function conversationResponse(
  deps: RouteDependencies,
  conversation: Conversation,
  req: Request,
  watermark?: string,
): Promise<ConversationResponse> {
  const claims: TokenClaims = { conv: conversation.id, user: conversation.user.id, locale: conversation.locale };
  if (conversation.user.name !== undefined) claims.name = conversation.user.name;
  const query = new URLSearchParams();
  if (watermark !== undefined) query.set('watermark', watermark);
  query.set('t', await deps.streamTokens.issue(conversation.id));
  const streamUrl = `${serviceBase(req, true)}/conversations/${encodeURIComponent(conversation.id)}/stream?${query}`;
  return { conversationId: conversation.id, ...(await deps.tokens.issue(claims)), streamUrl };
}

function secretMatches(given: string, secret: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about the secret.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

function forbidden(message: string): DirectLineError {
  return new DirectLineError(403, 'Forbidden', message);
}

function serviceUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}/`;
}

const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
    res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
};

// Responses carry tokens and filers' words; no cache may keep them.
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** express.json, with its failures answered the Direct Line way instead of as HTML. */
function jsonBody(): RequestHandler {
  const parse = express.json({ limit: BODY_LIMIT });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error) {
        sendError(res, bodyError(error));
        return;
      }
      next();
    });
  };
}

function bodyError(error: unknown): DirectLineError {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (type === 'entity.parse.failed') return new DirectLineError(400, 'BadSyntax', 'The request body is not valid JSON.');
  if (type === 'entity.too.large') return new DirectLineError(413, 'MessageSizeTooBig', 'The request body is too large.');
  const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 400;
  return new DirectLineError(code, 'BadArgument', 'The request body could not be read.');
}

function errorHandler(log: DirectLineLogger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof DirectLineError) {
      sendError(res, error);
      return;
    }
    if (error instanceof DirectLineClosedError) {
      res.setHeader('Retry-After', '5');
      sendError(res, new DirectLineError(503, 'ServiceError', 'The service is restarting. Please try again shortly.'));
      return;
    }
    log.error({ method: req.method, route: req.route?.path, err: describeError(error) }, 'Direct Line request failed');
    sendError(res, new DirectLineError(500, 'ServiceError', 'Something went wrong.'));
  };
}
