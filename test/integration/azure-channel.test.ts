import http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TurnContext } from 'botbuilder';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createAzureChannel, isLoopbackAddress, isLoopbackServiceUrl, type AzureChannel } from '../../src/channels/azure/index.js';

const APOLOGY = '抱歉，出了点问题，请再说一遍。/ Sorry, something went wrong. Please say that again.';
// Words a filer might have said; they must never reach a log line.
const PERSONAL = '张三 110101199003077777';

// ---------------------------------------------------------------- harness

interface Logged {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

interface Harness {
  base: string;
  channel: AzureChannel;
  logs: Logged[];
  arrivals: string[];
  onArrival: (() => void) | undefined;
  stop(): Promise<void>;
}

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()!();
});

/** The channel alone, without an app id, mounted the way src/app.ts mounts it. */
async function startHarness(bot: (context: TurnContext) => Promise<void>): Promise<Harness> {
  const logs: Logged[] = [];
  const record = (level: Logged['level']) => (obj: object, msg?: string) => logs.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
  const channel = createAzureChannel({
    credentials: { type: 'MultiTenant' },
    bot,
    maxTextLength: 5000,
    log: { info: record('info'), warn: record('warn'), error: record('error') },
  });
  const app = express();
  const harness = { arrivals: [] as string[], onArrival: undefined as (() => void) | undefined };
  // Lets a test see that a request reached the server before the channel queues it.
  app.use('/api/messages', (req, _res, next) => {
    harness.arrivals.push(req.get('x-turn') ?? '');
    harness.onArrival?.();
    next();
  }, channel.router);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const stop = async () => {
    await channel.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  running.push(stop);
  return Object.assign(harness, { base: `http://127.0.0.1:${port}`, channel, logs, stop });
}

/** A connector that refuses every reply, quoting the reply back as real services do in errors. */
async function startRefusingConnector(): Promise<{ url: string; attempts: () => number }> {
  let attempts = 0;
  const server = http.createServer((req, res) => {
    attempts += 1;
    req.resume();
    req.on('end', () => {
      // 400 rather than 5xx: the SDK's HTTP pipeline retries 5xx with back-off.
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: { code: 'BadArgument', message: `cannot deliver "${PERSONAL}"` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, attempts: () => attempts };
}

function activity(serviceUrl: string, conversationId: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id: `m-${Math.random().toString(36).slice(2)}`,
    channelId: 'emulator',
    serviceUrl,
    conversation: { id: conversationId },
    from: { id: 'user-1', role: 'user' },
    recipient: { id: 'bot-1', role: 'bot' },
    locale: 'zh-CN',
    ...extra,
  };
}

async function post(base: string, body: unknown, turn = ''): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-turn': turn },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

// ---------------------------------------------------------------- turn errors

describe('a turn that fails', () => {
  it('sends the bilingual apology, logs ids only, and keeps serving', async () => {
    let calls = 0;
    const h = await startHarness(async (context) => {
      calls += 1;
      if (calls === 1) throw new Error(`could not read ${PERSONAL}`);
      await context.sendActivity({ type: 'message', text: 'still here' });
    });
    const failing = activity('http://127.0.0.1:9', 'conv-err', { text: PERSONAL, deliveryMode: 'expectReplies', locale: 'en-US' });
    const answer = await post(h.base, failing);
    expect(answer.status).toBe(200);
    expect(answer.body.activities).toHaveLength(1);
    const apology = answer.body.activities[0];
    expect(apology).toMatchObject({ type: 'message', text: APOLOGY, inputHint: 'acceptingInput', replyToId: failing.id });
    // Spoken in the turn's language only.
    expect(apology.speak).toContain('xml:lang="en-US"');
    expect(apology.speak).toContain('Sorry, something went wrong.');
    expect(apology.speak).not.toContain('抱歉');

    const errors = h.logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.obj).toMatchObject({ conversationId: 'conv-err', activityId: failing.id, activityType: 'message', err: { name: 'Error' } });
    expect(JSON.stringify(h.logs)).not.toContain('张三');
    expect(JSON.stringify(h.logs)).not.toContain('110101');

    const next = await post(h.base, activity('http://127.0.0.1:9', 'conv-err', { text: 'hello', deliveryMode: 'expectReplies' }));
    expect(next.status).toBe(200);
    expect(next.body.activities[0].text).toBe('still here');
  });

  it('answers 200 and logs without the connector\'s words when even the apology cannot be delivered', async () => {
    const connector = await startRefusingConnector();
    const h = await startHarness(async (context) => {
      await context.sendActivity({ type: 'message', text: PERSONAL });
    });
    const answer = await post(h.base, activity(connector.url, 'conv-down', { text: PERSONAL }));
    expect(answer.status).toBe(200);
    // The bot's reply, then the apology: both refused.
    expect(connector.attempts()).toBe(2);
    const errors = h.logs.filter((l) => l.level === 'error');
    expect(errors.map((e) => e.msg)).toEqual(['Azure bot turn failed', 'Azure apology could not be sent']);
    expect(errors[0]!.obj).toMatchObject({ conversationId: 'conv-down', err: { statusCode: 400 } });
    expect(JSON.stringify(h.logs)).not.toContain('张三');
  });

  it('does not apologise for a failed typing signal', async () => {
    const h = await startHarness(async () => {
      throw new Error('typing failed');
    });
    const answer = await post(h.base, activity('http://127.0.0.1:9', 'conv-typing', { type: 'typing', deliveryMode: 'expectReplies' }));
    expect(answer.status).toBe(200);
    expect(answer.body.activities).toEqual([]);
    expect(h.logs.filter((l) => l.level === 'error')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- ordering and shutdown

describe('turns', () => {
  it('of one conversation run one at a time, while other conversations go on', async () => {
    const events: string[] = [];
    const aStarted = deferred();
    const gate = deferred();
    const h = await startHarness(async (context) => {
      const name = String(context.activity.text);
      events.push(`${name}:start`);
      if (name === 'a') {
        aStarted.resolve();
        await gate.promise;
      }
      events.push(`${name}:end`);
    });
    const url = 'http://127.0.0.1:9';
    const first = post(h.base, activity(url, 'conv-1', { text: 'a', deliveryMode: 'expectReplies' }), 'a');
    await aStarted.promise;
    const bArrived = deferred();
    h.onArrival = () => {
      if (h.arrivals.includes('b')) bArrived.resolve();
    };
    const second = post(h.base, activity(url, 'conv-1', { text: 'b', deliveryMode: 'expectReplies' }), 'b');
    await bArrived.promise;
    // Another conversation is not held up by conv-1's long turn.
    const other = await post(h.base, activity(url, 'conv-2', { text: 'c', deliveryMode: 'expectReplies' }), 'c');
    expect(other.status).toBe(200);
    expect(events).toEqual(['a:start', 'c:start', 'c:end']);
    gate.resolve();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(events).toEqual(['a:start', 'c:start', 'c:end', 'a:end', 'b:start', 'b:end']);
  });

  it('finish on close, and new requests get 503', async () => {
    const gate = deferred();
    const started = deferred();
    const h = await startHarness(async (context) => {
      started.resolve();
      await gate.promise;
      await context.sendActivity({ type: 'message', text: 'done' });
    });
    const inFlight = post(h.base, activity('http://127.0.0.1:9', 'conv-close', { text: 'x', deliveryMode: 'expectReplies' }));
    await started.promise;
    const closed = h.channel.close();
    const refused = await post(h.base, activity('http://127.0.0.1:9', 'conv-close', { text: 'y', deliveryMode: 'expectReplies' }));
    expect(refused.status).toBe(503);
    gate.resolve();
    await closed;
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.activities[0].text).toBe('done');
  });
});

// ---------------------------------------------------------------- loopback rule

describe('the loopback rule', () => {
  it.each([
    ['http://localhost:50000', true],
    ['https://localhost/', true],
    ['http://LOCALHOST:1', true],
    ['http://127.0.0.1:3979', true],
    ['http://127.8.9.10', true],
    ['http://127.1:80', true],
    ['http://[::1]:50000', true],
    ['http://0x7f.0.0.1/', true],
    ['https://smba.trafficmanager.net/apis/', false],
    ['http://10.0.0.5:50000', false],
    ['http://128.0.0.1', false],
    ['http://localhost.example.com', false],
    ['http://localhost@192.0.2.1/', false],
    ['http://[::ffff:192.0.2.1]', false],
    ['ftp://localhost/', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
    ['', false],
  ])('serviceUrl %s → %s', (url, expected) => {
    expect(isLoopbackServiceUrl(url)).toBe(expected);
  });

  it('reads caller addresses as Node reports them', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('203.0.113.9')).toBe(false);
    expect(isLoopbackAddress('::ffff:203.0.113.9')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
    expect(isLoopbackServiceUrl(undefined)).toBe(false);
    expect(isLoopbackServiceUrl(42)).toBe(false);
  });
});
