import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { DirectLineLogger } from './adapter.js';
import type { Conversation, ConversationRegistry, ConversationWatcher, WireActivity } from './conversations.js';
import { DirectLineError, describeError } from './errors.js';
import type { StreamTokenIssuer } from './tokens.js';
import { parseWatermark } from './validation.js';

/** The hosted service's interval for its empty keep-alive frames is in this range. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

/**
 * Close codes and reasons. A second socket on a conversation closes the first with 1000 and
 * "collision", the reason the hosted service documents ("Direct Line may close additional
 * WebSocket connections with a reason value of collision"); a normal closure, because nothing
 * failed. Shutdown uses 1001 (going away).
 */
export const CLOSE_REPLACED = { code: 1000, reason: 'collision' } as const;
export const CLOSE_SHUTDOWN = { code: 1001, reason: 'Server shutting down' } as const;
export const CLOSE_ENDED = { code: 1000, reason: 'Conversation ended' } as const;

// A client that reads nothing for this much queued data is gone or hostile; it can reconnect
// with its watermark and lose nothing.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
// Clients send only keep-alive pings (empty frames); anything big is not a Direct Line client.
const MAX_INCOMING_FRAME = 4096;
const SHUTDOWN_GRACE_MS = 2000;

export interface StreamingOptions {
  registry: ConversationRegistry;
  streamTokens: StreamTokenIssuer;
  log: DirectLineLogger;
  /** Where the Direct Line router is mounted; stream paths are `<basePath>/conversations/<id>/stream`. */
  basePath: string;
  keepAliveMs: number;
}

interface Stream {
  readonly conversation: Conversation;
  readonly socket: WebSocket;
}

/**
 * The WebSocket side of Direct Line: one socket per conversation, fed from the conversation's
 * log in order. On connect, everything after the client's watermark goes first; from then on
 * each activity goes out as it enters the log, with the watermark a client holds after it.
 * Both happen in one synchronous step, so nothing is lost or sent twice in between.
 */
export class DirectLineStreams {
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: MAX_INCOMING_FRAME,
  });
  private readonly streams = new Map<string, Stream>();
  private readonly servers = new Set<Server>();
  private readonly pathPattern: RegExp;
  private closing = false;

  constructor(private readonly options: StreamingOptions) {
    if (!Number.isFinite(options.keepAliveMs) || options.keepAliveMs < 1) {
      throw new Error('Direct Line option keepAliveMs must be a positive number.');
    }
    const base = options.basePath.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.pathPattern = new RegExp(`^${base}/conversations/([^/]+)/stream$`);
  }

  /** Takes WebSocket upgrades for stream paths on `server`; other upgrade paths are left to others. */
  attach(server: Server): void {
    if (this.servers.has(server)) throw new Error('Direct Line streaming is already attached to this server.');
    this.servers.add(server);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = this.pathPattern.exec(url.pathname);
      if (!match) {
        // Another module may own this path; when nobody does, do not leave the client hanging.
        if (server.listenerCount('upgrade') === 1) refuse(socket, new DirectLineError(404, 'BadArgument', 'Not found.'));
        return;
      }
      // A client that vanishes mid-handshake must not take the process down.
      socket.on('error', () => socket.destroy());
      this.accept(req, socket, head, match[1] ?? '', url).catch((error: unknown) => {
        this.options.log.error({ err: describeError(error) }, 'Direct Line stream upgrade failed');
        refuse(socket, new DirectLineError(500, 'ServiceError', 'Something went wrong.'));
      });
    });
  }

  /** Refuses new sockets from now on (503), while the turns in flight finish. */
  stopAccepting(): void {
    this.closing = true;
  }

  /** Closes every socket cleanly (1001), giving clients a moment to answer the close. */
  async close(): Promise<void> {
    this.closing = true;
    const open = [...this.streams.values()];
    await Promise.all(
      open.map(
        ({ socket }) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => socket.terminate(), SHUTDOWN_GRACE_MS);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            socket.close(CLOSE_SHUTDOWN.code, CLOSE_SHUTDOWN.reason);
          }),
      ),
    );
    this.streams.clear();
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer, rawId: string, url: URL): Promise<void> {
    let conversation: Conversation;
    let watermark: number;
    try {
      if (this.closing) throw new DirectLineError(503, 'ServiceError', 'The service is restarting. Please try again shortly.');
      let conversationId: string;
      try {
        conversationId = decodeURIComponent(rawId);
      } catch {
        throw new DirectLineError(400, 'BadArgument', 'The conversation id is not valid.');
      }
      await this.options.streamTokens.redeem(url.searchParams.get('t') ?? '', conversationId);
      watermark = parseWatermark(url.searchParams.get('watermark') ?? undefined);
      const found = this.options.registry.get(conversationId);
      if (!found) throw new DirectLineError(404, 'BadArgument', 'Conversation not found.');
      if (found.resuming) await found.resuming;
      conversation = found;
      if (this.closing) throw new DirectLineError(503, 'ServiceError', 'The service is restarting. Please try again shortly.');
    } catch (error) {
      if (error instanceof DirectLineError) {
        refuse(socket, error);
        return;
      }
      throw error;
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(conversation, ws, watermark));
  }

  private open(conversation: Conversation, socket: WebSocket, watermark: number): void {
    const previous = this.streams.get(conversation.id);
    if (previous) this.detach(previous, CLOSE_REPLACED);
    if (this.closing) {
      socket.close(CLOSE_SHUTDOWN.code, CLOSE_SHUTDOWN.reason);
      return;
    }
    const stream: Stream = { conversation, socket };
    this.streams.set(conversation.id, stream);

    this.options.registry.acknowledge(conversation, watermark);
    // Backlog and subscription in one synchronous step: no append can fall between them.
    const backlog = this.options.registry.snapshotAfter(conversation, watermark);
    if (backlog.activities.length > 0) this.send(stream, backlog);
    const watcher: ConversationWatcher = (activity, mark) => this.send(stream, { activities: [activity], watermark: mark });
    conversation.watchers.add(watcher);

    let lastHeard = Date.now();
    socket.on('message', () => {
      // Clients ping with empty frames; what they say is not read, only that they are there.
      lastHeard = Date.now();
    });
    socket.on('pong', () => {
      lastHeard = Date.now();
    });
    const keepAlive = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (this.options.registry.get(conversation.id) !== conversation) {
        // The conversation idled out; the client's reconnect will be told it ended (404).
        this.detach(stream, CLOSE_ENDED);
        return;
      }
      // A dead connection (a kiosk unplugged) is only noticed by not hearing back.
      if (Date.now() - lastHeard > Math.max(3 * this.options.keepAliveMs, 45_000)) {
        socket.terminate();
        return;
      }
      socket.ping();
      this.sendRaw(stream, '');
    }, this.options.keepAliveMs);
    keepAlive.unref();

    socket.on('close', () => {
      clearInterval(keepAlive);
      conversation.watchers.delete(watcher);
      if (this.streams.get(conversation.id) === stream) this.streams.delete(conversation.id);
    });
    socket.on('error', (error) => {
      // Logged without the conversation's contents; the close event cleans up.
      this.options.log.warn({ conversationId: conversation.id, err: describeError(error) }, 'Direct Line stream error');
    });
  }

  private detach(stream: Stream, close: { code: number; reason: string }): void {
    if (this.streams.get(stream.conversation.id) === stream) this.streams.delete(stream.conversation.id);
    if (stream.socket.readyState === WebSocket.OPEN || stream.socket.readyState === WebSocket.CONNECTING) {
      stream.socket.close(close.code, close.reason);
    }
  }

  private send(stream: Stream, set: { activities: WireActivity[]; watermark: string }): void {
    this.sendRaw(stream, JSON.stringify(set));
  }

  private sendRaw(stream: Stream, data: string): void {
    const { socket } = stream;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.options.log.warn({ conversationId: stream.conversation.id }, 'Direct Line stream not reading; closed');
      socket.terminate();
      return;
    }
    socket.send(data, (error) => {
      if (error) socket.terminate();
    });
  }
}

/** Answers a refused upgrade with a plain HTTP error, as the REST routes would. */
function refuse(socket: Duplex, error: DirectLineError): void {
  if (socket.destroyed || !socket.writable) return;
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      'Cache-Control: no-store\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
