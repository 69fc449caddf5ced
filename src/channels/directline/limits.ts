import type { Request, RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { DirectLineError, sendError } from './errors.js';

/** Requests per minute; each pair as "one conversation" and "one client address, all its conversations". */
export interface DirectLineLimitOptions {
  messages: { perConversation: number; perAddress: number };
  uploads: { perConversation: number; perAddress: number };
  /**
   * The court's own machines (kiosks behind the hall's NAT): limited per conversation only,
   * so a busy hall never locks itself out.
   */
  isCourt?: (req: Request) => boolean;
}

export interface DirectLineLimits {
  /** Before `POST …/activities`. */
  activities: RequestHandler[];
  /** Before `POST …/upload`. */
  uploads: RequestHandler[];
  close(): void;
}

const WINDOW_MS = 60_000;

// The bodies say it in both languages: a client may show them, and it does not know the filer's.
const TOO_MANY_MESSAGES = '发送得太快了，请稍等一会儿再发。/ Too many messages at once. Please wait a moment and send again.';
const TOO_MANY_UPLOADS = '发文件发得太快了，请稍等一会儿再发。/ Too many files at once. Please wait a moment and send them again.';

/**
 * Rate limits on what clients post, answered 429 with Retry-After and the Direct Line error
 * body. Per conversation the key is the conversation in the path, and only requests that
 * succeed count, so someone without the conversation's token cannot use up its budget.
 */
export function createDirectLineLimits(options: DirectLineLimitOptions): DirectLineLimits {
  const stores: MemoryStore[] = [];
  const limiter = (limit: number, scope: 'conversation' | 'address', message: string): RequestHandler => {
    const store = new MemoryStore();
    stores.push(store);
    return rateLimit({
      windowMs: WINDOW_MS,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      store,
      ...(scope === 'conversation'
        ? { keyGenerator: (req: Request) => `conversation:${String(req.params.conversationId ?? '')}`, skipFailedRequests: true }
        : { ...(options.isCourt ? { skip: options.isCourt } : {}) }),
      handler: (_req, res) => sendError(res, new DirectLineError(429, 'TooManyRequests', message)),
    });
  };
  return {
    activities: [
      limiter(options.messages.perAddress, 'address', TOO_MANY_MESSAGES),
      limiter(options.messages.perConversation, 'conversation', TOO_MANY_MESSAGES),
    ],
    uploads: [
      limiter(options.uploads.perAddress, 'address', TOO_MANY_UPLOADS),
      limiter(options.uploads.perConversation, 'conversation', TOO_MANY_UPLOADS),
    ],
    close() {
      for (const store of stores) store.shutdown();
    },
  };
}
