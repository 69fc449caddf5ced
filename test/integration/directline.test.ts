import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { TurnContext } from 'botbuilder';
import express from 'express';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CONVERSATIONS_COLLECTION,
  CONVERSATIONS_FILE,
  createDirectLine,
  DirectLineClosedError,
  UnknownConversationError,
  type ConversationCollection,
  type DirectLine,
  type DirectLineOptions,
  type StoredConversation,
} from '../../src/channels/directline/index.js';
import { DiskFileStore, openStore } from '../../src/store/index.js';
import { collectionDirName, recordFileName } from '../../src/store/collectionFile.js';
import { durableRecordFiles } from '../support/durable.js';

const SECRET = 'test-secret-for-directline-0123456789';
const APOLOGY = '抱歉，出了点问题，请再说一遍。/ Sorry, something went wrong. Please say that again.';

// ---------------------------------------------------------------- harness

interface Harness {
  base: string;
  directLine: DirectLine;
  errors: { obj: object; msg?: string }[];
  stop(): Promise<void>;
}

const running: Harness[] = [];

/** A real express app on an ephemeral port, mounted the way the application mounts it. */
async function startHarness(options: Partial<DirectLineOptions> & Pick<DirectLineOptions, 'bot'>): Promise<Harness> {
  const errors: { obj: object; msg?: string }[] = [];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'directline-'));
  const directLine = createDirectLine({
    files: await DiskFileStore.open(dataDir),
    secret: SECRET,
    tokenKey: randomBytes(32),
    tokenTtlSeconds: 1800,
    log: {
      info: () => {},
      warn: () => {},
      error: (obj, msg) => errors.push({ obj, ...(msg !== undefined ? { msg } : {}) }),
    },
    ...options,
  });
  const app = express();
  app.use('/v3/directline', directLine.router);
  app.use('/api', directLine.tokenRoute);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
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

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(
  base: string,
  path: string,
  init: { method?: string; auth?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth) headers.authorization = `Bearer ${init.auth}`;
  let body: string | undefined;
  if (init.rawBody !== undefined) {
    body = init.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const start = (base: string, auth: string = SECRET, body?: unknown) =>
  call(base, '/v3/directline/conversations', { method: 'POST', auth, body });
const poll = (base: string, id: string, auth: string, watermark = '') =>
  call(base, `/v3/directline/conversations/${id}/activities?watermark=${watermark}`, { auth });
const post = (base: string, id: string, auth: string, activity: unknown) =>
  call(base, `/v3/directline/conversations/${id}/activities`, { auth, body: activity });

const message = (text: string, clientActivityID = `c-${Math.random().toString(36).slice(2)}`) => ({
  type: 'message',
  from: { id: 'r_web', name: '', role: 'user' },
  text,
  channelData: { clientActivityID },
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** Greets on start, echoes messages, and does a few things on command. */
function makeBot(probe: { active: number; maxActive: number } = { active: 0, maxActive: 0 }) {
  return async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    if (activity.type === 'conversationUpdate') {
      if (activity.membersAdded?.some((member) => member.role === 'user')) {
        await context.sendActivity({ text: `greet:${activity.locale}:${activity.from.id}` });
      }
      return;
    }
    if (activity.type !== 'message') return;
    const text = activity.text ?? '';
    probe.active++;
    probe.maxActive = Math.max(probe.maxActive, probe.active);
    try {
      if (text === 'boom') throw new Error('kaboom');
      if (text.startsWith('slow')) await sleep(5 + Math.floor(Math.random() * 30));
      if (text === 'edit') {
        const sent = await context.sendActivity('draft');
        await context.updateActivity({ id: sent?.id, type: 'message', text: 'final' });
        return;
      }
      if (text === 'delete') {
        const sent = await context.sendActivity('gone soon');
        await context.deleteActivity(sent!.id);
        await context.sendActivity('kept');
        return;
      }
      await context.sendActivity(`echo:${text}`);
    } finally {
      probe.active--;
    }
  };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

// ---------------------------------------------------------------- tokens

describe('tokens', () => {
  it('generates a token bound to a new conversation, with the user in its claims', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const res = await call(base, '/v3/directline/tokens/generate', {
      auth: SECRET,
      body: { user: { id: 'dl_kiosk', name: 'Kiosk' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ conversationId: expect.any(String), token: expect.any(String), expires_in: 1800 });
    const claims = decodeJwt(res.body.token);
    expect(claims.conv).toBe(res.body.conversationId);
    expect(claims.user).toBe('dl_kiosk');
    expect(res.headers.get('cache-control')).toBe('no-store');

    // Starting with that token opens exactly that conversation.
    const started = await start(base, res.body.token);
    expect(started.status).toBe(201);
    expect(started.body.conversationId).toBe(res.body.conversationId);
    const log = await poll(base, started.body.conversationId, started.body.token);
    expect(log.body.activities[0].text).toBe('greet:zh-CN:dl_kiosk');
  });

  it('generates only with the secret', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const generated = await call(base, '/v3/directline/tokens/generate', { auth: SECRET, body: {} });
    const withToken = await call(base, '/v3/directline/tokens/generate', { auth: generated.body.token, body: {} });
    expect(withToken.status).toBe(403);
    const none = await call(base, '/v3/directline/tokens/generate', { method: 'POST' });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('BadArgument');
  });

  it('refreshes a token for the same conversation, and refuses the secret', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const generated = await call(base, '/v3/directline/tokens/generate', { auth: SECRET, body: { user: { id: 'u1' } } });
    const refreshed = await call(base, '/v3/directline/tokens/refresh', { auth: generated.body.token, method: 'POST' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.conversationId).toBe(generated.body.conversationId);
    expect(refreshed.body.token).not.toBe(generated.body.token);
    expect(decodeJwt(refreshed.body.token)).toMatchObject({ conv: generated.body.conversationId, user: 'u1' });
    const withSecret = await call(base, '/v3/directline/tokens/refresh', { auth: SECRET, method: 'POST' });
    expect(withSecret.status).toBe(403);
  });

  it('refuses an expired token with TokenExpired', async () => {
    const { base } = await startHarness({ bot: makeBot(), tokenTtlSeconds: 1 });
    const started = await start(base);
    const { conversationId, token } = started.body;
    expect(started.body.expires_in).toBe(1);
    expect((await poll(base, conversationId, token)).status).toBe(200);
    await sleep(2100);
    for (const res of [
      await call(base, '/v3/directline/tokens/refresh', { auth: token, method: 'POST' }),
      await poll(base, conversationId, token),
      await post(base, conversationId, token, message('hi')),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('TokenExpired');
    }
    // The secret still reaches the conversation.
    expect((await poll(base, conversationId, SECRET)).status).toBe(200);
  });

  it('POST /api/directline/token gives a token whose locale and user drive the start turn', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const res = await call(base, '/api/directline/token', { body: { locale: 'en-US', user: { id: 'kiosk-7' } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expires_in: 1800, conversationId: expect.any(String) });
    expect(decodeJwt(res.body.token)).toMatchObject({ conv: res.body.conversationId, user: 'kiosk-7', locale: 'en-US' });

    const started = await start(base, res.body.token);
    expect(started.status).toBe(201);
    const log = await poll(base, res.body.conversationId, started.body.token);
    expect(log.body.activities.map((a: any) => a.text)).toEqual(['greet:en-US:kiosk-7']);

    // Without a body: a generated user id and the court's default language.
    const bare = await call(base, '/api/directline/token', { method: 'POST' });
    expect(bare.status).toBe(200);
    expect(decodeJwt(bare.body.token).user).toMatch(/^dl_/);
    const bareStart = await start(base, bare.body.token);
    const bareLog = await poll(base, bare.body.conversationId, bareStart.body.token);
    expect(bareLog.body.activities[0].text).toMatch(/^greet:zh-CN:dl_/);

    const badLocale = await call(base, '/api/directline/token', { body: { locale: 42 } });
    expect(badLocale.status).toBe(400);
    const badJson = await call(base, '/api/directline/token', { rawBody: '{"locale":' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('BadSyntax');
  });

  it('rate limits POST /api/directline/token per client', async () => {
    const { base } = await startHarness({ bot: makeBot(), tokenRateLimit: { limit: 3, windowMs: 60_000 } });
    const statuses: number[] = [];
    let last: Reply | undefined;
    for (let i = 0; i < 4; i++) {
      last = await call(base, '/api/directline/token', { method: 'POST' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last?.body.error.code).toBe('TooManyRequests');
  });
});

// ---------------------------------------------------------------- conversations

describe('conversations', () => {
  it('greets first: the greeting is in the log when the start answers', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const started = await start(base, SECRET, { user: { id: 'dl_anna' }, locale: 'en-US' });
    expect(started.status).toBe(201);
    expect(started.body).toEqual({
      conversationId: expect.any(String), token: expect.any(String), expires_in: 1800, streamUrl: expect.any(String),
    });
    const { conversationId, token } = started.body;
    // The start's stream URL has no watermark: a stream opened on it begins with the greeting.
    const streamUrl = new URL(started.body.streamUrl);
    expect(`${streamUrl.protocol}//${streamUrl.host}${streamUrl.pathname}`).toBe(
      `${base.replace('http:', 'ws:')}/v3/directline/conversations/${conversationId}/stream`,
    );
    expect(streamUrl.searchParams.has('watermark')).toBe(false);
    expect(streamUrl.searchParams.get('t')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // The stream token is not a Bearer token.
    expect((await poll(base, conversationId, streamUrl.searchParams.get('t')!)).status).toBe(403);

    const log = await poll(base, conversationId, token);
    expect(log.status).toBe(200);
    expect(log.body.watermark).toBe('1');
    const [greeting] = log.body.activities;
    expect(greeting).toMatchObject({
      type: 'message',
      text: 'greet:en-US:dl_anna',
      id: `${conversationId}|0000000`,
      from: { id: 'bot', role: 'bot' },
      recipient: { id: 'dl_anna', role: 'user' },
      conversation: { id: conversationId },
      channelId: 'directline',
    });
    expect(Number.isNaN(Date.parse(greeting.timestamp))).toBe(false);

    // Starting again with the conversation's token: same conversation, no second greeting.
    const again = await start(base, token);
    expect(again.status).toBe(200);
    expect(again.body.conversationId).toBe(conversationId);
    expect(again.body.streamUrl).toEqual(expect.any(String));
    expect((await poll(base, conversationId, again.body.token)).body.activities).toHaveLength(1);
  });

  it('reconnects with GET /conversations/:id and a fresh token', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const { conversationId, token } = (await start(base)).body;
    const res = await call(base, `/v3/directline/conversations/${conversationId}?watermark=1`, { auth: token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ conversationId, token: expect.any(String), expires_in: 1800, streamUrl: expect.any(String) });
    expect(new URL(res.body.streamUrl).searchParams.get('watermark')).toBe('1');
    expect((await poll(base, conversationId, res.body.token)).status).toBe(200);
    // Without a watermark the stream carries only what comes next (the hosted service's rule).
    const bare = await call(base, `/v3/directline/conversations/${conversationId}`, { auth: token });
    expect(new URL(bare.body.streamUrl).searchParams.get('watermark')).toBe('1');
    // Behind a TLS-terminating proxy the stream URL is wss, on the host the client used.
    const proxied = await call(base, `/v3/directline/conversations/${conversationId}?watermark=0`, {
      auth: token, headers: { 'x-forwarded-proto': 'https' },
    });
    expect(proxied.body.streamUrl.startsWith(`${base.replace('http:', 'wss:')}/v3/directline/conversations/`)).toBe(true);
    expect(proxied.body.streamUrl).toMatch(/\/stream\?watermark=0&t=/);
    const badMark = await call(base, `/v3/directline/conversations/${conversationId}?watermark=abc`, { auth: token });
    expect(badMark.status).toBe(400);
  });

  it('posts, echoes with an id and the clientActivityID, replies, and pages by watermark', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const { conversationId, token } = (await start(base)).body;
    const first = await poll(base, conversationId, token);
    const watermark = first.body.watermark;

    const sent = await post(base, conversationId, token, {
      ...message('我想起诉', 'client-42'),
      from: { id: 'mallory', name: 'Filer' },
      locale: 'zh-CN',
      id: 'forged',
      deliveryMode: 'expectReplies',
    });
    expect(sent.status).toBe(200);
    expect(sent.body.id).toMatch(new RegExp(`^${conversationId.replace(/[-]/g, '\\-')}\\|\\d{7}$`));

    const page = await poll(base, conversationId, token, watermark);
    expect(page.body.watermark).toBe(String(Number(watermark) + 2));
    const [echo, reply] = page.body.activities;
    expect(echo).toMatchObject({
      id: sent.body.id,
      type: 'message',
      text: '我想起诉',
      channelData: { clientActivityID: 'client-42' },
      channelId: 'directline',
      conversation: { id: conversationId },
      recipient: { id: 'bot', role: 'bot' },
      locale: 'zh-CN',
      serviceUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v3\/directline\/$/),
    });
    // A token speaks for the conversation's own user, whatever `from` says.
    expect(echo.from.role).toBe('user');
    expect(echo.from.id).toBe(decodeJwt(token).user);
    expect(echo).not.toHaveProperty('deliveryMode');
    expect(reply).toMatchObject({ text: 'echo:我想起诉', replyToId: sent.body.id, from: { id: 'bot', role: 'bot' } });

    const empty = await poll(base, conversationId, token, page.body.watermark);
    expect(empty.body).toEqual({ activities: [], watermark: page.body.watermark });
    // Without a watermark the whole log comes back.
    expect((await poll(base, conversationId, token)).body.activities).toHaveLength(3);
  });

  it('runs the turns of one conversation one at a time, in pairs, and of two conversations side by side', async () => {
    const probe = { active: 0, maxActive: 0 };
    const bot = makeBot(probe);
    const { base } = await startHarness({ bot });
    const { conversationId, token } = (await start(base)).body;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(base, conversationId, token, message(`slow ${i}`))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(probe.maxActive).toBe(1);
    const activities = (await poll(base, conversationId, token)).body.activities.slice(1);
    expect(activities).toHaveLength(16);
    for (let i = 0; i < 16; i += 2) {
      const echo = activities[i];
      const reply = activities[i + 1];
      expect(echo.from.role).toBe('user');
      expect(reply.replyToId).toBe(echo.id);
      expect(reply.text).toBe(`echo:${echo.text}`);
    }
    expect(new Set(results.map((r) => r.body.id)).size).toBe(8);

    // Two conversations: each turn waits until the other has started, which only ends if
    // they run concurrently.
    let started = 0;
    const barrierBot = async (context: TurnContext) => {
      if (context.activity.type !== 'message') return;
      started++;
      await waitFor(() => started >= 2, 3000);
      await context.sendActivity('through');
    };
    const two = await startHarness({ bot: barrierBot });
    const a = (await start(two.base)).body;
    const b = (await start(two.base)).body;
    const [ra, rb] = await Promise.all([
      post(two.base, a.conversationId, a.token, message('a')),
      post(two.base, b.conversationId, b.token, message('b')),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(two.errors).toEqual([]);
  });

  it('answers 200 and apologises in both languages when the bot throws, logging ids only', async () => {
    const h = await startHarness({ bot: makeBot() });
    const { conversationId, token } = (await start(h.base)).body;
    const sent = await post(h.base, conversationId, token, message('boom'));
    expect(sent.status).toBe(200);
    const activities = (await poll(h.base, conversationId, token)).body.activities;
    const apology = activities.at(-1);
    expect(apology).toMatchObject({ type: 'message', text: APOLOGY, replyToId: sent.body.id, from: { role: 'bot' } });
    expect(apology.speak).toContain('抱歉');
    expect(h.errors).toHaveLength(1);
    const logged = JSON.stringify(h.errors[0]);
    expect(logged).toContain(conversationId);
    expect(logged).toContain('kaboom');
    expect(logged).not.toContain('"boom"');
    // The conversation carries on.
    expect((await post(h.base, conversationId, token, message('again'))).status).toBe(200);
    expect((await poll(h.base, conversationId, token)).body.activities.at(-1).text).toBe('echo:again');
  });

  it('updates and deletes bot activities in the log without moving watermarks', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const { conversationId, token } = (await start(base)).body;
    await post(base, conversationId, token, message('edit'));
    let log = await poll(base, conversationId, token);
    expect(log.body.activities.map((a: any) => a.text)).toEqual(['greet:zh-CN:' + decodeJwt(token).user, 'edit', 'final']);
    const watermark = log.body.watermark;

    await post(base, conversationId, token, message('delete'));
    log = await poll(base, conversationId, token, watermark);
    expect(log.body.activities.map((a: any) => a.text)).toEqual(['delete', 'kept']);
    expect(log.body.watermark).toBe(String(Number(watermark) + 3));
  });
});

// ---------------------------------------------------------------- refusals

describe('refusals', () => {
  it('403 for missing or bad credentials, and for a token of another conversation; 404 for unknown ids', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const a = (await start(base)).body;
    const b = (await start(base)).body;

    const missing = await poll(base, a.conversationId, '');
    expect(missing.status).toBe(403);
    expect(missing.body.error).toEqual({ code: 'BadArgument', message: expect.any(String) });
    expect((await poll(base, a.conversationId, 'not-a-token')).status).toBe(403);
    expect((await poll(base, a.conversationId, `${a.token.slice(0, -4)}AAAA`)).status).toBe(403);
    expect((await start(base, 'wrong-secret')).status).toBe(403);

    const crossed = await poll(base, b.conversationId, a.token);
    expect(crossed.status).toBe(403);
    expect((await post(base, b.conversationId, a.token, message('hi'))).status).toBe(403);

    const unknown = await poll(base, 'no-such-conversation', SECRET);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('BadArgument');
    const unknownWithToken = await poll(base, 'no-such-conversation', a.token);
    expect(unknownWithToken.status).toBe(403);
    expect((await call(base, '/v3/directline/nowhere', { auth: SECRET })).status).toBe(404);
  });

  it('a token whose conversation was never started gets 404 until it starts', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const generated = await call(base, '/v3/directline/tokens/generate', { auth: SECRET, body: {} });
    expect((await poll(base, generated.body.conversationId, generated.body.token)).status).toBe(404);
  });

  it('400 for malformed bodies, 413 for huge ones, never 500; text over the limit reaches the bot cut and marked', async () => {
    const h = await startHarness({ bot: makeBot() });
    const { base } = h;
    const { conversationId, token } = (await start(base)).body;
    const path = `/v3/directline/conversations/${conversationId}/activities`;
    const cases: [string, unknown][] = [
      ['array', [message('x')]],
      ['string', 'hello'],
      ['null', null],
      ['number text', { type: 'message', text: 5 }],
      ['no type', { text: 'x' }],
      ['foreign type', { type: 'conversationUpdate', membersAdded: [] }],
      ['channelData list', { type: 'message', text: 'x', channelData: [] }],
      ['from string', { type: 'message', text: 'x', from: 'me' }],
      ['bad locale', { type: 'message', text: 'x', locale: 'zh CN!' }],
      ['attachments object', { type: 'message', attachments: {} }],
    ];
    for (const [label, body] of cases) {
      const res = await call(base, path, { auth: token, rawBody: JSON.stringify(body) });
      expect(res.status, label).toBe(400);
      expect(res.body.error.code, label).toMatch(/^(BadArgument|BadSyntax|MissingProperty)$/);
    }
    const broken = await call(base, path, { auth: token, rawBody: '{"type":"message","text":' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('BadSyntax');
    const plain = await call(base, path, { auth: token, rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(400);
    const huge = await call(base, path, { auth: token, rawBody: JSON.stringify({ type: 'message', value: 'x'.repeat(300_000) }) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('MessageSizeTooBig');

    // A filer who pastes a page is answered by the bot (in their language), not refused: the
    // text arrives cut to the limit and says how long it was; a client cannot claim that itself.
    const tooLong = await post(base, conversationId, token, { ...message('字'.repeat(5001)), channelData: { overlongText: { length: 1, limit: 1 } } });
    expect(tooLong.status).toBe(200);
    // Characters, not UTF-16 units: 5000 emoji are 5000 characters, and not marked.
    expect((await post(base, conversationId, token, { ...message('🙂'.repeat(5000)), channelData: { overlongText: { length: 9, limit: 1 } } })).status).toBe(200);

    expect((await poll(base, conversationId, token, 'abc')).status).toBe(400);
    expect((await start(base, SECRET, { user: 'me' })).status).toBe(400);

    // None of the refused ones reached the bot: the greeting, then two messages and their echoes.
    const log = (await poll(base, conversationId, token)).body.activities;
    expect(log).toHaveLength(5);
    expect(log[1].text).toBe(`${'字'.repeat(5000)}…`);
    expect(log[1].channelData.overlongText).toEqual({ length: 5001, limit: 5000 });
    expect(log[3].text).toBe('🙂'.repeat(5000));
    expect(log[3].channelData.overlongText).toBeUndefined();
    expect(h.errors).toEqual([]);
  });

  it('honours a smaller maxTextLength', async () => {
    const { base } = await startHarness({ bot: makeBot(), maxTextLength: 10 });
    const { conversationId, token } = (await start(base)).body;
    expect((await post(base, conversationId, token, message('0123456789'))).status).toBe(200);
    expect((await post(base, conversationId, token, message('0123456789X'))).status).toBe(200);
    const echoes = (await poll(base, conversationId, token)).body.activities.filter((a: { from: { role: string } }) => a.from.role === 'user');
    expect(echoes.map((a: { text: string; channelData?: { overlongText?: unknown } }) => [a.text, a.channelData?.overlongText])).toEqual([
      ['0123456789', undefined],
      ['0123456789…', { length: 11, limit: 10 }],
    ]);
  });

  // Found by test/fuzz/bot.test.ts: channelData nested 3,000 deep overflowed structuredClone (500).
  it('400 for an activity nested too deeply, while a card nested as cards are still passes', async () => {
    const h = await startHarness({ bot: makeBot() });
    const { conversationId, token } = (await start(h.base)).body;
    const path = `/v3/directline/conversations/${conversationId}/activities`;
    const deepJson = `{"type":"message","text":"x","channelData":{"deep":${'[{"items":'.repeat(1500)}0${'}]'.repeat(1500)}}}`;
    const deep = await call(h.base, path, { auth: token, rawBody: deepJson });
    expect(deep.status).toBe(400);
    expect(deep.body).toEqual({ error: { code: 'BadArgument', message: expect.stringMatching(/nested/) } });
    const card = { contentType: 'application/vnd.microsoft.card.adaptive', content: JSON.parse(`${'{"items":['.repeat(10)}"leaf"${']}'.repeat(10)}`) };
    expect((await post(h.base, conversationId, token, { ...message('card'), attachments: [card] })).status).toBe(200);
    expect(h.errors).toEqual([]);
  });

  // Found by test/fuzz/http.test.ts: express's URIError for the path reached the 500 handler.
  it('400 for a path that is not valid percent-encoding', async () => {
    const h = await startHarness({ bot: makeBot() });
    const { token } = (await start(h.base)).body;
    for (const bad of ['%', '%E0%A4%A', '%ZZ']) {
      for (const [method, path] of [['GET', `conversations/${bad}`], ['GET', `conversations/${bad}/activities`], ['POST', `conversations/${bad}/activities`], ['GET', `attachments/${bad}`]] as const) {
        const res = await call(h.base, `/v3/directline/${path}`, { method, auth: token, ...(method === 'POST' ? { body: message('x') } : {}) });
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.body.error.code, `${method} ${path}`).toBe('BadArgument');
      }
    }
    expect(h.errors).toEqual([]);
  });
});

// ---------------------------------------------------------------- CORS, adapter, lifecycle

describe('CORS', () => {
  it('answers the preflight Web Chat sends, with x-ms-bot-agent allowed', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const res = await fetch(`${base}/v3/directline/conversations`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://court.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-ms-bot-agent',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'content-type', 'x-ms-bot-agent', 'x-requested-with']) {
      expect(allowed).toContain(header);
    }
    expect(res.headers.get('access-control-allow-methods')).toMatch(/GET.*POST.*OPTIONS/);
    const actual = await call(base, '/v3/directline/conversations', {
      method: 'POST',
      auth: SECRET,
      headers: { origin: 'https://court.example', 'x-ms-bot-agent': 'DirectLine/3.0 (directlinejs)' },
    });
    expect(actual.status).toBe(201);
    expect(actual.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('adapter', () => {
  it('continueConversation sends proactive messages into the log, queued behind turns', async () => {
    const h = await startHarness({ bot: makeBot() });
    const { conversationId, token } = (await start(h.base)).body;
    const greeting = (await poll(h.base, conversationId, token)).body.activities[0];
    const reference = {
      conversation: greeting.conversation,
      user: greeting.recipient,
      bot: greeting.from,
      channelId: 'directline',
      serviceUrl: greeting.serviceUrl,
    };
    let seen: string | undefined;
    await h.directLine.adapter.continueConversation(reference, async (context) => {
      seen = context.activity.type;
      await context.sendActivity('工作人员：您好');
    });
    expect(seen).toBe('event');
    const last = (await poll(h.base, conversationId, token)).body.activities.at(-1);
    expect(last).toMatchObject({ text: '工作人员：您好', from: { id: 'bot', role: 'bot' } });

    await expect(
      h.directLine.adapter.continueConversation({ conversation: { id: 'gone' } as any }, async () => {}),
    ).rejects.toBeInstanceOf(UnknownConversationError);
  });

  it('lets a turn message its own conversation proactively without waiting for itself', async () => {
    const h = await startHarness({
      bot: async (context) => {
        if (context.activity.type !== 'message') return;
        const reference = TurnContext.getConversationReference(context.activity);
        await context.adapter.continueConversation(reference, async (inner) => {
          await inner.sendActivity('nested');
        });
        await context.sendActivity('outer');
      },
    });
    const { conversationId, token } = (await start(h.base)).body;
    expect((await post(h.base, conversationId, token, message('go'))).status).toBe(200);
    const texts = (await poll(h.base, conversationId, token)).body.activities.map((a: any) => a.text);
    expect(texts).toEqual(['go', 'nested', 'outer']);
  });

  it('keeps only the newest activities of a very long conversation, watermarks still counting all', async () => {
    const { base } = await startHarness({ bot: makeBot(), maxActivitiesPerConversation: 3 });
    const { conversationId, token } = (await start(base)).body;
    for (const text of ['one', 'two']) await post(base, conversationId, token, message(text));
    const log = await poll(base, conversationId, token);
    expect(log.body.watermark).toBe('5');
    expect(log.body.activities.map((a: any) => a.text)).toEqual(['echo:one', 'two', 'echo:two']);
    expect((await poll(base, conversationId, token, '4')).body.activities.map((a: any) => a.text)).toEqual(['echo:two']);
  });

  it('drops conversations idle too long, and the oldest when over the bound', async () => {
    const idle = await startHarness({ bot: makeBot(), idleTimeoutMs: 150 });
    const c = (await start(idle.base)).body;
    await sleep(300);
    expect((await poll(idle.base, c.conversationId, c.token)).status).toBe(404);

    const bounded = await startHarness({ bot: makeBot(), maxConversations: 2 });
    const first = (await start(bounded.base)).body;
    const second = (await start(bounded.base)).body;
    await post(bounded.base, first.conversationId, first.token, message('still here'));
    const third = (await start(bounded.base)).body;
    expect((await poll(bounded.base, first.conversationId, first.token)).status).toBe(200);
    expect((await poll(bounded.base, second.conversationId, second.token)).status).toBe(404);
    expect((await poll(bounded.base, third.conversationId, third.token)).status).toBe(200);
  });

  it('close() waits for the turn in flight, then refuses new turns with 503', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const h = await startHarness({
      bot: async (context) => {
        if (context.activity.type !== 'message') return;
        entered = true;
        await gate;
        await context.sendActivity('done');
      },
    });
    const { conversationId, token } = (await start(h.base)).body;
    const inFlight = post(h.base, conversationId, token, message('wait'));
    await waitFor(() => entered);
    let closed = false;
    const closing = h.directLine.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    release();
    await closing;
    expect((await inFlight).status).toBe(200);
    const refused = await post(h.base, conversationId, token, message('late'));
    expect(refused.status).toBe(503);
    await expect(
      h.directLine.adapter.continueConversation({ conversation: { id: conversationId } as any }, async () => {}),
    ).rejects.toBeInstanceOf(DirectLineClosedError);
  });
});

// ---------------------------------------------------------------- durability

/** A real store collection whose writes a test can hold back or make fail. */
/** The conversation's record as a restart would find it now (its file, or the store's journal). */
async function storedConversation(dataDir: string, conversationId: string): Promise<{ value: StoredConversation }> {
  const bytes = (await durableRecordFiles(dataDir, collectionDirName(CONVERSATIONS_FILE))).get(recordFileName(conversationId));
  if (!bytes) throw new Error(`conversation ${conversationId} is not stored`);
  return JSON.parse(bytes.toString('utf8')) as { value: StoredConversation };
}

async function heldCollection(dataDir: string) {
  const store = await openStore(dataDir);
  const inner = await store.openCollection<StoredConversation>(CONVERSATIONS_FILE, CONVERSATIONS_COLLECTION);
  let gate: Promise<void> = Promise.resolve();
  let release: () => void = () => {};
  let failing = false;
  let commits = 0;
  const collection: ConversationCollection = {
    get: (key) => inner.get(key),
    has: (key) => inner.has(key),
    set: (key, value) => inner.set(key, value),
    delete: (key) => inner.delete(key),
    values: () => inner.values(),
    keys: () => inner.keys(),
    close: () => inner.close(),
    async commit() {
      commits++;
      await gate;
      if (failing) throw new Error('disk full');
      await inner.commit();
    },
  };
  return {
    collection,
    store,
    get commits() {
      return commits;
    },
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
    fail(on: boolean) {
      failing = on;
    },
  };
}

describe('durability', () => {
  const folders: string[] = [];
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const folder = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'directline-durable-'));
    folders.push(dir);
    return dir;
  };

  it('shows the filer\'s activity only once it is durable, two writes a turn', async () => {
    const held = await heldCollection(await folder());
    const { base } = await startHarness({ bot: makeBot(), conversations: held.collection });
    const { conversationId, token } = (await start(base)).body;
    const before = held.commits;
    held.hold();
    const posted = post(base, conversationId, token, message('hello'));
    await waitFor(() => held.commits > before);
    const during = await poll(base, conversationId, token, '1');
    expect(during.body).toEqual({ activities: [], watermark: '1' });
    held.release();
    expect((await posted).status).toBe(200);
    expect(held.commits - before).toBe(2);
    const after = await poll(base, conversationId, token, '1');
    expect(after.body.activities.map((a: any) => a.text)).toEqual(['hello', 'echo:hello']);
    // What the client was shown is what the store holds, with no turn left open; the greeting,
    // which the client acknowledged by polling from watermark 1, need not be kept for it.
    const stored = held.collection.get(conversationId)!;
    expect(stored).toMatchObject({ first: 1, log: [{ text: 'hello' }, { text: 'echo:hello' }] });
    expect(stored.turnOpen).toBeUndefined();
    await held.store.close();
  });

  it('shows the bot\'s reply and answers the POST without waiting for the reply\'s write, keeping the turn open on disk until then', async () => {
    const dir = await folder();
    const held = await heldCollection(dir);
    const { base } = await startHarness({ bot: makeBot(), conversations: held.collection });
    const { conversationId, token } = (await start(base)).body;
    const onDisk = async () => (await storedConversation(dir, conversationId)).value;
    const before = held.commits;
    held.hold();
    const posted = post(base, conversationId, token, message('hello'));
    try {
      await waitFor(() => held.commits > before);
      // The filer's activity is written; the write of the reply is held from here on.
      held.release();
      held.hold();
      await waitFor(() => held.commits > before + 1);
      const shown = await poll(base, conversationId, token, '1');
      expect(shown.body.activities.map((a: any) => a.text)).toEqual(['hello', 'echo:hello']);
      // Until the reply's write lands, a crash would find the turn open and ask the question again.
      expect((await onDisk()).turnOpen).toBe(true);
      // The POST is answered once the bot's turn is over, without waiting for that write either.
      expect((await posted).status).toBe(200);
      expect((await onDisk()).turnOpen).toBe(true);
    } finally {
      held.release();
    }
    for (let tries = 0; tries < 100 && (await onDisk()).turnOpen; tries += 1) await sleep(20);
    expect((await onDisk()).turnOpen).toBeUndefined();
    await held.store.close();
  });

  it('shows a reply the moment the bot sends it while the rest of the turn (dialog state) is still being written', async () => {
    let finishTurn: () => void = () => {};
    const stillWriting = new Promise<void>((resolve) => (finishTurn = resolve));
    const dir = await folder();
    const held = await heldCollection(dir);
    const { base } = await startHarness({
      conversations: held.collection,
      bot: async (context: TurnContext) => {
        if (context.activity.type !== 'message') return;
        await context.sendActivity({ text: 'next question' });
        // Stands for botbuilder's saveChanges of the dialog state at the end of the turn.
        await stillWriting;
      },
    });
    const { conversationId, token } = (await start(base)).body;
    const posted = post(base, conversationId, token, message('answer'));
    try {
      let shown: string[] = [];
      for (let tries = 0; tries < 100 && !shown.includes('next question'); tries += 1) {
        shown = (await poll(base, conversationId, token, '0')).body.activities.map((a: any) => a.text);
        if (!shown.includes('next question')) await sleep(20);
      }
      expect(shown).toContain('next question');
      const onDisk = await storedConversation(dir, conversationId);
      expect(onDisk.value.turnOpen).toBe(true);
    } finally {
      finishTurn();
    }
    expect((await posted).status).toBe(200);
    await held.store.close();
  });

  it('does not acknowledge an activity it could not store: 500, and the client never sees it', async () => {
    const held = await heldCollection(await folder());
    const h = await startHarness({ bot: makeBot(), conversations: held.collection });
    const { conversationId, token } = (await start(h.base)).body;
    held.fail(true);
    const refused = await post(h.base, conversationId, token, message('lost'));
    expect(refused.status).toBe(500);
    held.fail(false);
    const accepted = await post(h.base, conversationId, token, message('kept'));
    expect(accepted.status).toBe(200);
    const log = await poll(h.base, conversationId, token);
    expect(log.body.activities.map((a: any) => a.text)).toEqual([expect.stringMatching(/^greet:/), 'kept', 'echo:kept']);
    expect(held.collection.get(conversationId)!.log.some((a) => a?.text === 'lost')).toBe(false);
    await held.store.close();
  });

  it('restores conversations with their watermarks, keeps the newest activities stored, and resumes a cut-off turn', async () => {
    const dataDir = await folder();
    const first = await heldCollection(dataDir);
    // The same token key, as DIRECT_LINE_SECRET or DATA_DIR/directline.key gives the app after a restart.
    const tokenKey = randomBytes(32);
    const one = await startHarness({ bot: makeBot(), tokenKey, conversations: first.collection, storedActivitiesPerConversation: 3 });
    const cut = (await start(one.base)).body;
    const calm = (await start(one.base)).body;
    for (const text of ['a', 'b']) await post(one.base, calm.conversationId, calm.token, message(text));
    await post(one.base, cut.conversationId, cut.token, message('c'));
    await one.stop();
    running.splice(running.indexOf(one), 1);
    expect(first.collection.get(calm.conversationId)).toMatchObject({ first: 2, log: [{ text: 'echo:a' }, { text: 'b' }, { text: 'echo:b' }] });
    // As a crash mid-turn leaves it.
    first.collection.set(cut.conversationId, { ...first.collection.get(cut.conversationId)!, turnOpen: true });
    await first.collection.commit();
    await first.store.close();

    const second = await heldCollection(dataDir);
    const resumedWith: string[] = [];
    const two = await startHarness({
      bot: makeBot(),
      tokenKey,
      conversations: second.collection,
      resume: async (context) => {
        resumedWith.push(`${context.activity.type}:${context.activity.locale}`);
        await context.sendActivity('asked again');
      },
    });
    expect(await two.directLine.resumed).toBe(1);
    expect(resumedWith).toEqual(['event:zh-CN']);
    const calmLog = await poll(two.base, calm.conversationId, calm.token, '3');
    expect(calmLog.body).toMatchObject({ watermark: '5', activities: [{ text: 'b' }, { text: 'echo:b' }] });
    expect((await poll(two.base, calm.conversationId, calm.token, '0')).body.activities).toHaveLength(3);
    const cutLog = await poll(two.base, cut.conversationId, cut.token, '3');
    expect(cutLog.body.activities.map((a: any) => a.text)).toEqual(['asked again']);
    expect(second.collection.get(cut.conversationId)!.turnOpen).toBeUndefined();
    // The conversation goes on from there, with ids that keep counting.
    const next = await post(two.base, cut.conversationId, cut.token, message('d'));
    expect(next.body.id).toBe(`${cut.conversationId}|0000004`);
    await second.store.close();
  });

  it('forgets stored conversations idle too long, on disk too', async () => {
    const dataDir = await folder();
    const first = await heldCollection(dataDir);
    const tokenKey = randomBytes(32);
    const one = await startHarness({ bot: makeBot(), tokenKey, conversations: first.collection });
    const { conversationId, token } = (await start(one.base)).body;
    await one.stop();
    running.splice(running.indexOf(one), 1);
    await first.store.close();

    const second = await heldCollection(dataDir);
    await sleep(60);
    const two = await startHarness({ bot: makeBot(), tokenKey, conversations: second.collection, idleTimeoutMs: 50 });
    expect((await poll(two.base, conversationId, token)).status).toBe(404);
    expect(second.collection.has(conversationId)).toBe(false);
    await second.store.close();
  });
});

// ---------------------------------------------------------------- the real client

describe('botframework-directlinejs', () => {
  const require = createRequire(import.meta.url);
  const saved: { xhr: unknown; ws: unknown } = { xhr: undefined, ws: undefined };

  beforeAll(() => {
    const g = globalThis as Record<string, unknown>;
    saved.xhr = g.XMLHttpRequest;
    saved.ws = g.WebSocket;
    g.XMLHttpRequest = require('xhr2');
    g.WebSocket ??= WebSocket;
  });
  afterAll(() => {
    const g = globalThis as Record<string, unknown>;
    g.XMLHttpRequest = saved.xhr;
    g.WebSocket = saved.ws;
  });

  it('polls, sees the greeting, posts a message and sees the echo and the reply', async () => {
    const { base } = await startHarness({ bot: makeBot() });
    const issued = await call(base, '/api/directline/token', { body: { locale: 'zh-CN' } });
    const { DirectLine, ConnectionStatus } = require('botframework-directlinejs');
    const client = new DirectLine({
      token: issued.body.token,
      webSocket: false,
      domain: `${base}/v3/directline`,
      pollingInterval: 200,
    });
    const seen: any[] = [];
    const statuses: number[] = [];
    const subscriptions = [
      client.activity$.subscribe((activity: any) => seen.push(activity)),
      client.connectionStatus$.subscribe((status: number) => statuses.push(status)),
    ];
    try {
      await waitFor(() => seen.some((a) => a.text?.startsWith('greet:zh-CN')));
      const postedId: string = await new Promise((resolve, reject) => {
        client
          .postActivity({ type: 'message', from: { id: 'r_user' }, text: '借钱不还', channelData: { clientActivityID: 'cid-1' } })
          .subscribe(resolve, reject);
      });
      await waitFor(() => seen.some((a) => a.text === 'echo:借钱不还'));
      const echo = seen.find((a) => a.channelData?.clientActivityID === 'cid-1');
      expect(echo?.id).toBe(postedId);
      expect(seen.find((a) => a.text === 'echo:借钱不还')?.replyToId).toBe(postedId);
      expect(statuses).toContain(ConnectionStatus.Online);
    } finally {
      client.end();
      for (const subscription of subscriptions) subscription.unsubscribe();
    }
    expect(statuses.at(-1)).toBe(ConnectionStatus.Ended);
  });
});
