import type { Server } from 'node:http';
import path from 'node:path';
import type { TurnContext } from 'botbuilder';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/app.js';
import { createPhoneChannel, PHONE_CHANNEL_ID, type PhoneChannel, type PhoneSpeech } from '../../src/channels/phone/index.js';
import { createLogger } from '../../src/log.js';
import { loadSpecs } from '../../src/interview/spec.js';
import { digitsSsml } from '../../src/speech/ssml.js';
import { pcmToWav } from '../../src/speech/wav.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { find, squash, textOf, twiml, type XmlNode } from '../support/twiml.js';

// ---- TwiML, checked against what Twilio documents (as in phone.test.ts) -------------------

let sidCount = 0;

class Caller {
  readonly sid = `CA${(++sidCount).toString(16).padStart(4, '0')}${'b'.repeat(28)}`;
  response!: XmlNode;

  constructor(private readonly baseUrl: string, private readonly from: string) {}

  async post(url: string, params: Record<string, string> = {}): Promise<XmlNode> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ CallSid: this.sid, From: this.from, To: '+862226000000', ...params }),
    });
    expect(res.status).toBe(200);
    this.response = twiml(await res.text());
    return this.response;
  }

  start(): Promise<XmlNode> {
    return this.post(`${this.baseUrl}/api/phone/twilio`, { CallStatus: 'ringing' });
  }

  said(): string {
    return find(this.response, 'Say').map(textOf).join(' ');
  }

  get field(): string | undefined {
    const action = find(this.response, 'Gather')[0]?.attrs.action;
    return action ? (new URL(action).searchParams.get('field') ?? undefined) : undefined;
  }

  keyFor(title: string): string {
    const m = new RegExp(`${title.replace(/[()（）]/g, '.')}，请按(\\d)`).exec(this.said());
    if (!m) throw new Error(`no key for ${title}: ${this.said()}`);
    return m[1]!;
  }

  /** Posts to the current <Gather> (or <Dial>) action. */
  answer(params: Record<string, string>): Promise<XmlNode> {
    const action = find(this.response, 'Gather')[0]?.attrs.action ?? find(this.response, 'Dial')[0]?.attrs.action;
    if (!action) throw new Error(`no action in: ${this.said()}`);
    return this.post(action, params);
  }

  /** Starts a private-loan draft and stops at the plaintiff's name. */
  async toPlaintiffName(): Promise<void> {
    await this.start();
    await this.answer({ Digits: this.keyFor('民间借贷（借钱不还）') });
    await this.answer({ Digits: this.keyFor('个人') });
    expect(this.field).toBe('plaintiff.name');
  }
}

async function resumeCodeOf(server: TestServer, complaintId: string | undefined): Promise<string> {
  const record = complaintId ? await server.assembled.store.complaints.get(complaintId) : undefined;
  if (!record) throw new Error('no draft');
  return record.resumeCode;
}

// ---- 0 in office hours: put through to the clerk line ------------------------------------

describe('0 during office hours with a clerk line', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ OFFICE_DAYS: '1-7', OFFICE_TIME: '00:00-24:00', CLERK_LINE: '+86 22 1236 8000' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('queues the draft for the clerks, says so with the code, and dials the clerk line', async () => {
    const caller = new Caller(server.baseUrl, '+8613812345678');
    await caller.toPlaintiffName();
    await caller.answer({ Digits: '0' });
    const [dial] = find(caller.response, 'Dial');
    expect(textOf(dial!)).toBe('+862212368000');
    expect(dial!.attrs.action).toMatch(/\/api\/phone\/twilio\/dial\?q=\d+$/);
    expect(find(caller.response, 'Gather')).toHaveLength(0);
    expect(caller.said()).toContain('现在为您转接工作人员');
    // The queue's own "number 1 in line" / "nobody is on duty" answer is not said before a transfer.
    expect(caller.said()).not.toContain('没有工作人员在线');

    const record = server.assembled.handoff.forConversation(caller.sid);
    expect(record).toMatchObject({ channelId: PHONE_CHANNEL_ID, state: 'queued', reason: 'asked', field: 'plaintiff.name' });
    const queue = await server.assembled.handoff.queue();
    expect(queue.map((e) => e.id)).toContain(record!.id);
    const code = await resumeCodeOf(server, record!.complaintId);
    expect(squash(caller.said())).toContain(squash(digitsSsml(code, 'zh-CN', [3, 3])));

    // Nobody picked up: the caller is told, and the interview goes on where it was.
    await caller.answer({ DialCallStatus: 'no-answer', DialCallDuration: '0' });
    expect(caller.said()).toContain('工作人员现在没能接听');
    expect(caller.field).toBe('plaintiff.name');
    expect(caller.said()).toContain('您的姓名是什么');
    expect(find(caller.response, 'Hangup')).toHaveLength(0);

    // Said in words works too; after talking with the clerk the caller is back at the question.
    await caller.answer({ SpeechResult: '我要找工作人员', Confidence: '0.8' });
    expect(find(caller.response, 'Dial')).toHaveLength(1);
    await caller.answer({ DialCallStatus: 'completed', DialCallDuration: '95' });
    expect(caller.said()).toContain('和工作人员的通话结束了');
    expect(caller.field).toBe('plaintiff.name');
  });
});

// ---- 0 outside office hours: a call back on the caller's number --------------------------

describe('0 outside office hours', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Another weekday, and an hour twelve hours from now: outside either way, even across midnight.
    const now = new Date();
    const part = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', ...o }).format(now);
    const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(part({ weekday: 'short' })) + 1;
    const hour = (Number(part({ hour: '2-digit', hourCycle: 'h23' })) + 12) % 24;
    const pad = (n: number) => String(n).padStart(2, '0');
    server = await startTestServer({
      OFFICE_DAYS: String((weekday % 7) + 1), OFFICE_TIME: `${pad(hour)}:00-${pad(hour + 1)}:00`, CLERK_LINE: '+862212368000',
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('records the caller\'s number for a call back, reads it back with the code, and goes on', async () => {
    const caller = new Caller(server.baseUrl, '+8613912345678');
    await caller.toPlaintiffName();
    await caller.answer({ Digits: '0' });
    expect(find(caller.response, 'Dial')).toHaveLength(0);
    expect(caller.said()).toContain('现在没有工作人员在线');
    expect(caller.said()).toContain('工作人员会打您现在用的这个号码给您回电');
    expect(squash(caller.said())).toContain(squash(digitsSsml('13912345678', 'zh-CN', [3, 4, 4])));
    const record = server.assembled.handoff.forConversation(caller.sid)!;
    const code = await resumeCodeOf(server, record.complaintId);
    expect(squash(caller.said())).toContain(squash(digitsSsml(code, 'zh-CN', [3, 3])));
    // The interview goes on at the same question.
    expect(caller.field).toBe('plaintiff.name');
    // The number is on the handoff, for the clerk who calls back.
    const stored = await server.assembled.handoff.get(record.id);
    expect(stored!.transcript.some((e) => e.text.includes('13912345678') && e.text.includes('回电'))).toBe(true);
    expect(stored!.transcript.filter((e) => e.text.includes('13912345678'))).toHaveLength(1);
  });

  it('lets a clerk reach the caller from the console between answers, and give them back', async () => {
    const caller = new Caller(server.baseUrl, '+8613912345678');
    await caller.toPlaintiffName();
    await caller.answer({ SpeechResult: '转人工' });
    const record = server.assembled.handoff.forConversation(caller.sid)!;
    const clerk = { username: 'wang', displayName: '王书记员' };

    await server.assembled.handoff.accept(record.id, clerk);
    await caller.answer({});
    expect(caller.said()).toContain('王书记员');
    // The caller's words now go to the clerk; the line waits for the answer.
    await caller.answer({ SpeechResult: '我想问一下借条丢了怎么办' });
    expect(caller.said()).toContain('工作人员会回复您，请稍等');
    const stored = await server.assembled.handoff.get(record.id);
    expect(stored!.transcript.at(-1)).toMatchObject({ from: 'filer', text: '我想问一下借条丢了怎么办' });

    await server.assembled.handoff.sendToFiler(record.id, clerk, '没关系，转账记录也可以作为证据。');
    await caller.answer({});
    expect(caller.said()).toContain('转账记录也可以作为证据');

    await server.assembled.handoff.giveBack(record.id, clerk);
    await caller.answer({});
    expect(caller.said()).toContain('把您交回给助手');
    expect(caller.field).toBe('plaintiff.name');
    expect(caller.said()).toContain('您的姓名是什么');
  });

  it('does not fail a clerk whose caller has hung up', async () => {
    const caller = new Caller(server.baseUrl, 'anonymous');
    await caller.toPlaintiffName();
    await caller.answer({ Digits: '0' });
    // A withheld number: no call back is promised.
    expect(caller.said()).not.toContain('给您回电：');
    const record = server.assembled.handoff.forConversation(caller.sid)!;
    const active = server.assembled.phone.activeCalls;
    await caller.post(`${server.baseUrl}/api/phone/twilio/status`, { CallStatus: 'completed' });
    expect(server.assembled.phone.activeCalls).toBe(active - 1);
    await expect(server.assembled.handoff.accept(record.id, { username: 'li', displayName: '李书记员' })).resolves.toMatchObject({ state: 'accepted' });
  });
});

// ---- Azure voices: replies played as audio -------------------------------------------------

describe('a phone line without TWILIO_AUTH_TOKEN, with Azure speech', () => {
  let http: Server;
  let base: string;
  let phone: PhoneChannel;
  let failing = false;
  const synthesized: string[] = [];

  beforeAll(async () => {
    const messages = loadSpecs(path.resolve(import.meta.dirname, '../../dialogs')).messages;
    // The speech service's interface, answering with a short silent WAV (or failing on demand).
    const speech: PhoneSpeech = {
      synthesis: 'azure',
      async synthesize(ssml) {
        if (failing) throw new Error('speech service unreachable');
        synthesized.push(ssml);
        return { audio: pcmToWav(Buffer.alloc(1600), 8000), contentType: 'audio/wav' };
      },
    };
    // A one-question bot: enough to see how its reply is spoken.
    const bot = async (context: TurnContext) => {
      await context.sendActivity({
        type: 'message', text: '您的姓名是什么？', inputHint: 'expectingInput', locale: 'zh-CN',
        speak: '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-CN"><prosody rate="1">您的姓名是什么？</prosody></speak>',
        channelData: { ask: { field: 'plaintiff.name', type: 'name', required: true } },
      });
    };
    let address = '';
    phone = createPhoneChannel({
      bot, messages, speech,
      complaints: { get: async () => undefined },
      handoffs: { forConversation: () => undefined, note: async () => {} },
      officeOpen: () => false,
      today: () => '2025-06-01',
      courtName: { 'zh-CN': '人民法院', 'en-US': "People's Court" },
      voices: { 'zh-CN': 'Polly.Zhiyu-Neural', 'en-US': 'Polly.Joanna-Neural' },
      speechRate: 90,
      publicUrl: () => address,
      log: createLogger('silent'),
    });
    const app = express();
    // As app.ts: a reverse proxy on this machine may say who the client really is.
    app.set('trust proxy', 'loopback');
    app.use('/api/phone/twilio', phone.router);
    http = await listen(app, 0, '127.0.0.1');
    const port = (http.address() as { port: number }).port;
    address = base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await phone.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it('plays synthesized audio from an unguessable, uncached link, and falls back to <Say>', async () => {
    const caller = new Caller(base, '+8613812345678');
    await caller.start();
    const plays = find(caller.response, 'Play');
    expect(plays.length).toBeGreaterThan(0);
    expect(synthesized.some((s) => s.includes('您的姓名是什么'))).toBe(true);
    const url = textOf(plays[0]!);
    expect(url).toMatch(new RegExp(`^${base}/api/phone/twilio/audio/[A-Za-z0-9_-]{32}$`));
    const audio = await fetch(url);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect(audio.headers.get('cache-control')).toBe('no-store');
    expect((await audio.arrayBuffer()).byteLength).toBe(44 + 1600);
    expect((await fetch(`${base}/api/phone/twilio/audio/${'x'.repeat(32)}`)).status).toBe(404);

    failing = true;
    await caller.answer({});
    expect(find(caller.response, 'Play')).toHaveLength(0);
    expect(caller.said()).toContain('您的姓名是什么');
  });

  it('serves only this machine', async () => {
    const res = await fetch(`${base}/api/phone/twilio`, {
      method: 'POST',
      // A reverse proxy on this machine forwarding a request from the internet.
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' },
      body: new URLSearchParams({ CallSid: `CA${'f'.repeat(32)}`, From: '+8613800000000' }),
    });
    expect(res.status).toBe(403);
    const malformed = await fetch(`${base}/api/phone/twilio`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ CallSid: '../../etc' }),
    });
    expect(malformed.status).toBe(400);
  });
});
