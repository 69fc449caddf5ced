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
import { setTurnClient, type CourtNetwork } from '../../http/network.js';
import type { DirectLineLimits } from './limits.js';
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
  /** The largest JSON body read (MAX_BODY_KB); default 256 KiB. */
  maxBodyBytes?: number;
  /** Rate limits on posting activities and uploads; none when absent. */
  limits?: DirectLineLimits;
  /** Tells the bot's turns who the client is (for the code guard) and spares the court's own machines per-address limits. */
  network?: CourtNetwork;
  /** Websites on other origins that may get tokens from the token route (CORS_ORIGINS). */
  tokenOrigins?: readonly string[];
}

type Auth = { kind: 'secret' } | { kind: 'token'; claims: TokenClaims };

interface ConversationResponse extends IssuedToken {
  conversationId: string;
  streamUrl?: string;
}

// Room for a message with a few inline card attachments; the text itself is capped separately.
const DEFAULT_BODY_LIMIT = 256 * 1024;

const CORS_HEADERS = 'Authorization, Content-Type, x-ms-bot-agent, x-requested-with';
const CORS_METHODS = 'GET, POST, OPTIONS';
/** A client told to slow down may read when to try again. */
const CORS_EXPOSED = 'Retry-After, RateLimit, RateLimit-Policy';

/**
 * The token route mints conversations without any credential, so unlike the service itself it
 * answers cross-origin only to the court's own websites (CORS_ORIGINS); to other origins it
 * says nothing, and the browser keeps their pages from reading a token.
 */
function tokenCors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    const permitted = origin !== undefined && allowed.has(origin);
    if (permitted) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED);
    }
    if (req.method === 'OPTIONS') {
      if (permitted) {
        res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type, x-ms-bot-agent, x-requested-with');
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The Direct Line 3.0 REST service, to be mounted at `/v3/directline`. */
export function createDirectLineRouter(deps: RouteDependencies): Router {
  const router = express.Router();
  router.use(cors);
  router.use(noStore);
  router.use(jsonBody(deps.maxBodyBytes));

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
    if (given !== undefined && given !== '') deps.registry.acknowledge(conversation, Number(watermark));
    deps.registry.touch(conversation);
    res.json(await conversationResponse(deps, conversation, req, watermark));
  });

  router.get('/conversations/:conversationId/activities', async (req, res) => {
    const conversation = await authorizedConversation(req, deps);
    const watermark = parseWatermark(req.query.watermark);
    deps.registry.acknowledge(conversation, watermark);
    res.json(deps.registry.snapshotAfter(conversation, watermark));
  });

  router.post('/conversations/:conversationId/activities', ...(deps.limits?.activities ?? []), async (req, res) => {
    const { conversation, auth } = await authorizedConversationWithAuth(req, deps);
    const incoming = parseIncomingActivity(req.body, deps.maxTextLength);
    const claimed = claimedSender(req.body);
    // A token belongs to the conversation's one filer; only the secret holder may speak for others.
    const from: DirectLineUser = {
      id: auth.kind === 'secret' && claimed.id !== undefined ? claimed.id : conversation.user.id,
    };
    const name = claimed.name ?? conversation.user.name;
    if (name !== undefined) from.name = name;
    const id = await deps.adapter.receiveActivity(conversation, incoming, from, botFor(req, deps));
    res.json({ id });
  });

  router.post('/conversations/:conversationId/upload', ...(deps.limits?.uploads ?? []), async (req, res) => {
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
      id = await deps.adapter.receiveActivity(conversation, activity, from, botFor(req, deps));
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
    // The hall's kiosks start a conversation per filer, all from one address.
    ...(deps.network ? { skip: deps.network.isCourtRequest } : {}),
    handler: (_req, res) => {
      sendError(res, new DirectLineError(429, 'TooManyRequests', '开始的对话太多了，请过一分钟再试。/ Too many requests. Please wait a minute and try again.'));
    },
  });
  // Everything is attached to the one route, never router-wide, because this router sits on
  // /api next to other people's routes.
  const courtSites = tokenCors(deps.tokenOrigins ?? []);
  router.options('/directline/token', courtSites);
  router.post('/directline/token', courtSites, noStore, limiter, jsonBody(deps.maxBodyBytes), async (req: Request, res: Response, next: NextFunction) => {
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
  // After a crash the bot first says its question again, so the client reads it before answering.
  if (conversation.resuming) await conversation.resuming;
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

/**
 * The bot's turn for this request, told who the client is. Only the turn's memory holds it
 * (see TurnClient): the activity, the log and the transcript never carry an address.
 */
function botFor(req: Request, deps: RouteDependencies): BotLogic {
  const { network } = deps;
  if (!network) return deps.bot;
  const client = network.clientOf(req);
  return (context) => {
    setTurnClient(context, client);
    return deps.bot(context);
  };
}

/**
 * Web Chat on a court website of another origin talks to this service directly, as to the
 * hosted one: any origin may, because every request carries its Bearer token and no cookie
 * is ever read. Attachments are shown there with <img>, so they may be embedded cross-origin.
 */
const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED);
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
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
function jsonBody(limit = DEFAULT_BODY_LIMIT): RequestHandler {
  const parse = express.json({ limit });
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
    const status = (error as { status?: unknown } | null)?.status;
    if (error instanceof URIError || (typeof status === 'number' && status >= 400 && status < 500)) {
      // Express's own refusals, such as a path parameter that is not valid percent-encoding (/conversations/%).
      sendError(res, new DirectLineError(typeof status === 'number' ? status : 400, 'BadArgument', 'The request is not valid.'));
      return;
    }
    log.error({ method: req.method, route: req.route?.path, err: describeError(error) }, 'Direct Line request failed');
    sendError(res, new DirectLineError(500, 'ServiceError', 'Something went wrong.'));
  };
}
