import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TurnContext } from 'botbuilder';
import express from 'express';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CLOSE_REPLACED,
  CLOSE_SHUTDOWN,
  createDirectLine,
  type DirectLine,
  type DirectLineOptions,
} from '../../src/channels/directline/index.js';
import { DiskFileStore } from '../../src/store/index.js';

// ---------------------------------------------------------------- harness

interface Harness {
  base: string;
  directLine: DirectLine;
  errors: object[];
  stop(): Promise<void>;
}

const running: Harness[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

/** createDirectLine on a real express server, with streaming attached as the app does after listen. */
async function startHarness(options: Partial<DirectLineOptions> & Pick<DirectLineOptions, 'bot'>): Promise<Harness> {
  const errors: object[] = [];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'directline-stream-'));
  const directLine = createDirectLine({
    files: await DiskFileStore.open(dataDir),
    tokenKey: randomBytes(32),
    tokenTtlSeconds: 1800,
    log: { info: () => {}, warn: () => {}, error: (obj) => errors.push(obj) },
    ...options,
  });
  const app = express();
  app.use('/v3/directline', directLine.router);
  app.use('/api', directLine.tokenRoute);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  directLine.attach(server);
  const { port } = server.address() as AddressInfo;
  const harness: Harness = {
    base: `http://127.0.0.1:${port}`,
    directLine,
    errors,
    async stop() {
      await directLine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  running.push(harness);
  return harness;
}

/** Gates let a test hold a turn open ("wait") and let it go later. */
function makeBot(gates: Map<string, Promise<void>> = new Map()) {
  return async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    if (activity.type === 'conversationUpdate') {
      if (activity.membersAdded?.some((member) => member.role === 'user')) await context.sendActivity('greet');
      return;
    }
    if (activity.type !== 'message') return;
    const gate = gates.get(activity.text ?? '');
    if (gate) await gate;
    if (activity.text === 'edit') {
      const sent = await context.sendActivity('draft');
      await context.updateActivity({ id: sent?.id, type: 'message', text: 'final' });
      return;
    }
    await context.sendActivity(`echo:${activity.text}`);
  };
}

async function json(base: string, url: string, init: { method?: string; auth?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.auth) headers.authorization = `Bearer ${init.auth}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${url}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function startConversation(base: string): Promise<{ conversationId: string; token: string; streamUrl: string }> {
  const issued = await json(base, '/api/directline/token', { method: 'POST' });
  const started = await json(base, '/v3/directline/conversations', { method: 'POST', auth: issued.body.token });
  expect(started.status).toBe(201);
  return started.body;
}

const say = (base: string, id: string, token: string, text: string) =>
  json(base, `/v3/directline/conversations/${id}/activities`, {
    auth: token,
    body: { type: 'message', text, from: { id: 'filer' }, channelData: { clientActivityID: `c-${text}` } },
  });

interface Frame {
  activities: { id: string; type: string; text?: string; from: { role?: string }; replyToId?: string }[];
  watermark: string;
}

/** A raw stream client that keeps every frame, keep-alives included. */
class RawStream {
  readonly frames: Frame[] = [];
  keepAlives = 0;
  closed: { code: number; reason: string } | undefined;
  readonly socket: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    sockets.push(this.socket);
    this.socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text === '') this.keepAlives++;
      else this.frames.push(JSON.parse(text) as Frame);
    });
    this.socket.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  get activities() {
    return this.frames.flatMap((frame) => frame.activities);
  }
}

/** The HTTP status of a refused upgrade. */
function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.on('error', () => {});
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

// ---------------------------------------------------------------- tests

describe('Direct Line WebSocket stream', () => {
  it('sends the backlog first, then each activity as it happens, with watermarks that count the log', async () => {
    const { base, errors } = await startHarness({ bot: makeBot() });
    const { conversationId, token, streamUrl } = await startConversation(base);
    const stream = new RawStream(streamUrl);
    await stream.opened;
    await waitFor(() => stream.frames.length === 1);
    expect(stream.frames[0]).toEqual({ activities: [expect.objectContaining({ type: 'message', text: 'greet' })], watermark: '1' });

    expect((await say(base, conversationId, token, 'hello')).status).toBe(200);
    await waitFor(() => stream.activities.some((a) => a.text === 'echo:hello'));
    const logged = stream.frames.filter((f) => f.activities.every((a) => a.type !== 'typing'));
    expect(logged.map((f) => f.watermark)).toEqual(['1', '2', '3']);
    expect(logged.flatMap((f) => f.activities.map((a) => a.id))).toEqual(
      [0, 1, 2].map((n) => `${conversationId}|${String(n).padStart(7, '0')}`),
    );

    // The stream URL is single-use, like the hosted one's.
    expect(await refusedStatus(streamUrl)).toBe(403);
    // Reconnecting from watermark 2 replays exactly what came after it.
    const again = await json(base, `/v3/directline/conversations/${conversationId}?watermark=2`, { auth: token });
    const second = new RawStream(again.body.streamUrl);
    await second.opened;
    await waitFor(() => second.frames.length === 1);
    expect(second.frames[0]!.activities.map((a) => a.text)).toEqual(['echo:hello']);
    expect(second.frames[0]!.watermark).toBe('3');
    expect(errors).toEqual([]);
  });

  it('shows typing before the reply, renews it during a long turn, and never logs it', async () => {
    let release!: () => void;
    const gates = new Map([['slow', new Promise<void>((resolve) => (release = resolve))]]);
    const { base } = await startHarness({ bot: makeBot(gates), typingIntervalMs: 30 });
    const { conversationId, token, streamUrl } = await startConversation(base);
    const stream = new RawStream(streamUrl);
    await stream.opened;
    await waitFor(() => stream.frames.length === 1);

    const posted = say(base, conversationId, token, 'slow');
    await waitFor(() => stream.activities.filter((a) => a.type === 'typing').length >= 3);
    // A poll during the turn sees the typing too (Web Chat's polling transport), without the
    // watermark moving past the echo.
    const during = await json(base, `/v3/directline/conversations/${conversationId}/activities?watermark=1`, { auth: token });
    expect(during.body.watermark).toBe('2');
    expect(during.body.activities.map((a: { type: string }) => a.type)).toEqual(['message', 'typing']);
    const echoId = during.body.activities[0].id;
    expect(during.body.activities[1]).toMatchObject({ from: { id: 'bot', role: 'bot' }, replyToId: echoId });

    release();
    expect((await posted).status).toBe(200);
    await waitFor(() => stream.activities.some((a) => a.text === 'echo:slow'));
    const types = stream.activities.map((a) => a.type);
    const firstTyping = types.indexOf('typing');
    const reply = stream.activities.findIndex((a) => a.text === 'echo:slow');
    const echo = stream.activities.findIndex((a) => a.id === echoId);
    expect(echo).toBeLessThan(firstTyping);
    expect(firstTyping).toBeLessThan(reply);
    // Each renewal is a new activity to clients that upsert by id.
    const typingIds = stream.activities.filter((a) => a.type === 'typing').map((a) => a.id);
    expect(new Set(typingIds).size).toBe(typingIds.length);

    // Typing frames carry the watermark the client already has; the log holds no typing.
    const after = await json(base, `/v3/directline/conversations/${conversationId}/activities`, { auth: token });
    expect(after.body.activities.map((a: { type: string }) => a.type)).toEqual(['message', 'message', 'message']);
    expect(after.body.watermark).toBe('3');
    for (const frame of stream.frames.filter((f) => f.activities[0]?.type === 'typing')) expect(frame.watermark).toBe('2');
  });

  it('sends an edited activity again under its id, at the watermark the client holds', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const { conversationId, token, streamUrl } = await startConversation(base);
    const stream = new RawStream(streamUrl);
    await stream.opened;
    await say(base, conversationId, token, 'edit');
    await waitFor(() => stream.activities.some((a) => a.text === 'final'));
    const draft = stream.activities.find((a) => a.text === 'draft')!;
    const edited = stream.frames.find((f) => f.activities[0]?.text === 'final')!;
    expect(edited.activities[0]!.id).toBe(draft.id);
    expect(edited.watermark).toBe('3');
  });

  it('a second socket on the conversation closes the first with 1000 "collision"', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const { conversationId, token, streamUrl } = await startConversation(base);
    const first = new RawStream(streamUrl);
    await first.opened;
    const again = await json(base, `/v3/directline/conversations/${conversationId}?watermark=1`, { auth: token });
    const second = new RawStream(again.body.streamUrl);
    await second.opened;
    await waitFor(() => first.closed !== undefined);
    expect(first.closed).toEqual({ code: CLOSE_REPLACED.code, reason: 'collision' });

    await say(base, conversationId, token, 'hi');
    await waitFor(() => second.activities.some((a) => a.text === 'echo:hi'));
    expect(first.activities.map((a) => a.text)).toEqual(['greet']);
    expect(second.closed).toBeUndefined();
  });

  it('sends empty keep-alive frames', async () => {
    const { base } = await startHarness({ bot: makeBot(), keepAliveMs: 25 });
    const { streamUrl } = await startConversation(base);
    const stream = new RawStream(streamUrl);
    await stream.opened;
    await waitFor(() => stream.keepAlives >= 3);
    expect(stream.frames.map((f) => f.activities.length)).toEqual([1]);
    expect(stream.closed).toBeUndefined();
  });

  it('refuses bad stream tokens with 403, unknown paths with 404, and 400 for a bad watermark', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const one = await startConversation(base);
    const other = await startConversation(base);
    const ws = base.replace('http:', 'ws:');
    const path = `/v3/directline/conversations/${one.conversationId}/stream`;
    expect(await refusedStatus(`${ws}${path}`)).toBe(403);
    expect(await refusedStatus(`${ws}${path}?t=not-a-token`)).toBe(403);
    // A Bearer token is not a stream token.
    expect(await refusedStatus(`${ws}${path}?t=${one.token}`)).toBe(403);
    // Another conversation's stream token.
    const otherToken = new URL(other.streamUrl).searchParams.get('t')!;
    expect(await refusedStatus(`${ws}${path}?t=${otherToken}`)).toBe(403);
    const fresh = await json(base, `/v3/directline/conversations/${one.conversationId}?watermark=0`, { auth: one.token });
    const badMark = new URL(fresh.body.streamUrl);
    badMark.searchParams.set('watermark', 'x');
    expect(await refusedStatus(badMark.toString())).toBe(400);
    expect(await refusedStatus(`${ws}/v3/directline/elsewhere`)).toBe(404);
  });

  it('stream URLs expire; after a token refresh the new token gets stream URLs that work', async () => {
    const { base } = await startHarness({ bot: makeBot(), tokenTtlSeconds: 3, streamTokenTtlSeconds: 1 });
    const { conversationId, token, streamUrl } = await startConversation(base);
    const issuedAt = decodeJwt(token).iat!;
    const expiresAt = decodeJwt(token).exp!;
    // Refresh in a later second than the first token's, so the new one outlives it.
    while (Date.now() / 1000 < issuedAt + 1.05) await sleep(50);
    const refreshed = await json(base, '/v3/directline/tokens/refresh', { method: 'POST', auth: token });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.token).exp!).toBeGreaterThan(expiresAt);
    while (Date.now() / 1000 < expiresAt + 0.05) await sleep(50);

    expect(await refusedStatus(streamUrl)).toBe(403);
    const old = await json(base, `/v3/directline/conversations/${conversationId}?watermark=0`, { auth: token });
    expect(old.status).toBe(403);
    expect(old.body.error.code).toBe('TokenExpired');

    const reconnect = await json(base, `/v3/directline/conversations/${conversationId}?watermark=0`, { auth: refreshed.body.token });
    expect(reconnect.status).toBe(200);
    const stream = new RawStream(reconnect.body.streamUrl);
    await stream.opened;
    await waitFor(() => stream.frames.length === 1);
    expect(stream.frames[0]!.activities.map((a) => a.text)).toEqual(['greet']);
  });

  it('shutdown lets the turn in flight answer on the stream, then closes it with 1001 and refuses new ones', async () => {
    let release!: () => void;
    const gates = new Map([['slow', new Promise<void>((resolve) => (release = resolve))]]);
    const h = await startHarness({ bot: makeBot(gates) });
    const { conversationId, token, streamUrl } = await startConversation(h.base);
    const stream = new RawStream(streamUrl);
    await stream.opened;
    const posted = say(h.base, conversationId, token, 'slow');
    await waitFor(() => stream.activities.some((a) => a.type === 'typing'));
    const reconnect = await json(h.base, `/v3/directline/conversations/${conversationId}?watermark=0`, { auth: token });

    const closing = h.directLine.close();
    expect(await refusedStatus(reconnect.body.streamUrl)).toBe(503);
    release();
    await closing;
    expect((await posted).status).toBe(200);
    await waitFor(() => stream.closed !== undefined);
    expect(stream.activities.some((a) => a.text === 'echo:slow')).toBe(true);
    expect(stream.closed).toEqual({ code: CLOSE_SHUTDOWN.code, reason: CLOSE_SHUTDOWN.reason });
  });
});
