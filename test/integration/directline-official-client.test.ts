import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The official botframework-directlinejs client over the WebSocket stream (`webSocket: true`),
 * against the whole app: a private-loan complaint from greeting to document, with the filer's
 * device changing mid-way (a second client reconnecting with the first one's watermark).
 */

interface Activity {
  id?: string;
  type: string;
  text?: string;
  inputHint?: string;
  from?: { id: string; role?: string };
  channelData?: {
    clientActivityID?: string;
    ask?: { field: string; index?: number };
    complaint?: { documentUrl: string };
  };
}

interface Subscription {
  unsubscribe(): void;
}

interface OfficialClient {
  token: string;
  watermark: string;
  conversationId: string;
  activity$: { subscribe(next: (activity: Activity) => void): Subscription };
  postActivity(activity: object): { subscribe(next: (id: string) => void, error: (e: unknown) => void): Subscription };
  end(): void;
}

const require = createRequire(import.meta.url);
const saved: Record<string, unknown> = {};
let server: TestServer;

beforeAll(async () => {
  const g = globalThis as Record<string, unknown>;
  saved.WebSocket = g.WebSocket;
  saved.XMLHttpRequest = g.XMLHttpRequest;
  // What the client finds in a browser; Node 20 has neither.
  g.WebSocket = WebSocket;
  g.XMLHttpRequest = require('xhr2');
  server = await startTestServer();
});

afterAll(async () => {
  await server.stop();
  const g = globalThis as Record<string, unknown>;
  g.WebSocket = saved.WebSocket;
  g.XMLHttpRequest = saved.XMLHttpRequest;
});

// The zh-CN private-loan script of test/scenarios/private-loan.test.ts, by field id; a list
// answers successive askings of the same field (the amount is read back and confirmed).
const script: Record<string, string[]> = {
  caseType: ['借钱不还'],
  'plaintiff.kind': ['个人'],
  'plaintiff.name': ['我叫张三'],
  'plaintiff.idNumber': ['11010519491231002X'],
  'plaintiff.ethnicity': ['汉族'],
  'plaintiff.occupation': ['退休'],
  'plaintiff.address': ['天津市北辰区果园新村街道富锦路12号3门101'],
  'plaintiff.phone': ['138 1234 5678'],
  'defendant.kind': ['个人'],
  'defendant.name': ['李四'],
  'defendant.idNumber': ['跳过'],
  'defendant.gender': ['男的'],
  'defendant.birthDate': ['不知道'],
  'defendant.ethnicity': ['跳过'],
  'defendant.occupation': ['个体户'],
  'defendant.address': ['天津市河北区中山路8号'],
  'defendant.phone': ['022-26881234'],
  'defendant.more': ['没有'],
  'loan.amount': ['五万', '对'],
  'loan.date': ['2024年3月5日'],
  'loan.method': ['我是用微信转的'],
  'loan.hasIou': ['有'],
  'loan.dueDate': ['2024年12月31日'],
  'loan.hasInterest': ['没有'],
  'loan.repaidPrincipal': ['一万', '对'],
  'loan.demanded': ['是的'],
  'loan.hasGuarantee': ['没有'],
  'mediation.willing': ['愿意'],
  'preservation.requested': ['不要'],
  'relief.hardship': ['没有'],
  'review.confirm': ['对'],
};

/** The filer: reads what arrived (from both devices) and answers the newest question once. */
class Filer {
  readonly seen: Activity[] = [];
  private readonly answered = new Set<string>();
  private readonly queues = new Map(Object.entries(script).map(([field, answers]) => [field, [...answers]]));
  private sequence = 0;

  /** The newest bot message, when it is a question not yet answered or the finished complaint. */
  pending(): Activity | undefined {
    const last = this.seen.filter((a) => a.type === 'message' && a.from?.role !== 'user').at(-1);
    if (!last?.id || this.answered.has(last.id)) return undefined;
    return last.channelData?.complaint || last.inputHint === 'expectingInput' ? last : undefined;
  }

  /** The answer to `question`, which is marked answered. */
  answer(question: Activity): { type: string; text: string; locale: string; from: { id: string }; channelData: { clientActivityID: string } } {
    const ask = question.channelData?.ask;
    if (!ask) throw new Error(`a question without channelData.ask: ${question.text}`);
    const key = ask.index ? `${ask.field}#${ask.index}` : ask.field;
    const queue = this.queues.get(key);
    const text = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    if (text === undefined) throw new Error(`the script has no answer for ${key} (asked: ${question.text})`);
    this.answered.add(question.id!);
    this.sequence += 1;
    return { type: 'message', text, locale: 'zh-CN', from: { id: 'filer' }, channelData: { clientActivityID: `filer-${this.sequence}` } };
  }

  async next(timeoutMs = 10_000): Promise<Activity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const question = this.pending();
      if (question) return question;
      if (Date.now() > deadline) throw new Error(`no new question; last: ${this.seen.at(-1)?.text}`);
      await sleep(10);
    }
  }
}

function connect(options: Record<string, unknown>, filer: Filer, into: Activity[]): { client: OfficialClient; subscription: Subscription } {
  const { DirectLine } = require('botframework-directlinejs') as { DirectLine: new (o: object) => OfficialClient };
  const client = new DirectLine({ webSocket: true, domain: `${server.baseUrl}/v3/directline`, ...options });
  const subscription = client.activity$.subscribe((activity) => {
    into.push(activity);
    filer.seen.push(activity);
  });
  return { client, subscription };
}

function post(client: OfficialClient, activity: object): Promise<string> {
  return new Promise((resolve, reject) => {
    client.postActivity(activity).subscribe(resolve, reject);
  });
}

describe('botframework-directlinejs over the WebSocket stream', () => {
  it('completes a private-loan complaint, and a second client reconnecting mid-way loses and repeats nothing', async () => {
    const issued = await fetch(`${server.baseUrl}/api/directline/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: 'zh-CN' }),
    });
    const { token } = (await issued.json()) as { token: string };
    const filer = new Filer();

    // The first device: answers up to the defendant's name.
    const firstSeen: Activity[] = [];
    const first = connect({ token }, filer, firstSeen);
    let question = await filer.next();
    // The bot greets first, unasked, and the stream brings the greeting.
    expect(firstSeen[0]?.text).toContain('起诉状助手');
    expect(question.channelData?.ask?.field).toBe('caseType');
    while (question.channelData?.ask?.field !== 'defendant.name') {
      const answer = filer.answer(question);
      const id = await post(first.client, answer);
      expect(id).toMatch(/\|\d{7}$/);
      question = await filer.next();
    }
    // Web Chat marks a message sent when its echo, with the clientActivityID, comes back.
    expect(firstSeen.find((a) => a.channelData?.clientActivityID === 'filer-1')?.id).toMatch(/\|\d{7}$/);

    // The first device goes away; the answer to the pending question is sent while no stream
    // is open, so its echo and the bot's replies are only in the log.
    const { conversationId } = first.client;
    const conversationToken = first.client.token;
    const watermark = first.client.watermark;
    first.client.end();
    first.subscription.unsubscribe();
    const gapAnswer = filer.answer(question);
    const gap = await fetch(`${server.baseUrl}/v3/directline/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${conversationToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(gapAnswer),
    });
    expect(gap.status).toBe(200);
    const gapId = ((await gap.json()) as { id: string }).id;

    // The second device reconnects with the watermark (GET /conversations/:id?watermark=, then
    // the new streamUrl) and finishes the interview.
    const secondSeen: Activity[] = [];
    const second = connect({ token: conversationToken, conversationId, watermark }, filer, secondSeen);
    try {
      question = await filer.next();
      expect(secondSeen[0]?.id).toBe(gapId);
      while (!question.channelData?.complaint) {
        await post(second.client, filer.answer(question));
        question = await filer.next();
      }
    } finally {
      second.client.end();
      second.subscription.unsubscribe();
    }

    // No activity lost or repeated: together the two devices saw exactly the log, in order.
    const logged = (list: Activity[]) => list.filter((a) => a.type !== 'typing').map((a) => a.id!);
    const log = await fetch(`${server.baseUrl}/v3/directline/conversations/${conversationId}/activities`, {
      headers: { authorization: `Bearer ${second.client.token}` },
    });
    const all = ((await log.json()) as { activities: Activity[] }).activities.map((a) => a.id!);
    expect([...logged(firstSeen), ...logged(secondSeen)]).toEqual(all);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(60);
    // The bot's typing showed on the stream before its replies.
    expect(secondSeen.some((a) => a.type === 'typing' && a.from?.role === 'bot')).toBe(true);

    const html = await (await fetch(question.channelData!.complaint!.documentUrl)).text();
    expect(html).toContain('民事起诉状');
    expect(html).toContain('张三');
    expect(html).toContain('李四');
  });
});
