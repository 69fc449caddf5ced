import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/clerk/index.js';
import { idCheckChar } from '../../src/interview/fields/index.js';
import { openAccounts } from '../../src/store/index.js';
import { DirectLineTestClient, type BotActivity } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'clerk-password-1';

interface Clerk {
  cookie: string;
  csrf: string;
  call(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }>;
}

async function signIn(baseUrl: string, username: string): Promise<Clerk> {
  const res = await fetch(`${baseUrl}/api/clerk/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  return {
    cookie,
    csrf,
    async call(method, route, body) {
      const r = await fetch(`${baseUrl}/api/clerk${route}`, {
        method,
        headers: { cookie, 'x-csrf-token': csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : undefined };
    },
  };
}

interface ServerEvent {
  event: string;
  data: any;
}

/** The console's live stream, read with fetch (as EventSource would), collecting events. */
async function openEvents(baseUrl: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/clerk/events`, { headers: { cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: ServerEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (async () => {
    try {
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return {
    events,
    async waitFor(match: (e: ServerEvent) => boolean, what: string): Promise<ServerEvent> {
      for (let i = 0; i < 500; i += 1) {
        const found = events.find(match);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${what} event arrived`);
    },
    async close() {
      controller.abort();
      await done;
    },
  };
}

/** Answers by field id until the bot asks `stop` (or a field the script has no answer for). */
async function answerUntil(client: DirectLineTestClient, script: Record<string, string>, stop: string): Promise<void> {
  for (let turn = 0; turn < 30; turn += 1) {
    const ask = client.lastAsk();
    if (!ask) throw new Error('the bot asked nothing');
    if (ask.field === stop) return;
    const answer = script[ask.field];
    if (answer === undefined) throw new Error(`no answer for ${ask.field}`);
    await client.say(answer);
  }
  throw new Error(`never reached ${stop}`);
}

function idNumber(body17: string): string {
  return `${body17}${idCheckChar(body17)}`;
}

/** Polls the filer's conversation until an activity matches (the clerk's messages arrive outside a turn). */
async function receive(client: DirectLineTestClient, match: (a: BotActivity) => boolean, what: string): Promise<BotActivity> {
  for (let i = 0; i < 200; i += 1) {
    const found = client.received.find(match);
    if (found) return found;
    await client.poll();
    if (!client.received.find(match)) await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the filer never got ${what}`);
}

let server: TestServer;

beforeAll(async () => {
  // Office open around the clock, so the test does not depend on when it runs.
  server = await startTestServer({ OFFICE_DAYS: '1-7', OFFICE_TIME: '00:00-24:00', CLERK_LOGIN_ATTEMPTS: '100' });
  const accounts = new StaffAccounts(await openAccounts(server.dataDir));
  await accounts.add({ username: 'wang', password: PASSWORD, displayName: '王书记员' });
  await accounts.add({ username: 'li', password: PASSWORD, displayName: '李书记员' });
});

afterAll(async () => {
  await server?.stop();
});

describe('a filer asks for a person and a clerk takes over', () => {
  it('queues two filers by priority, relays both ways, edits a field, gives one back at a field and finishes the other', async () => {
    const wang = await signIn(server.baseUrl, 'wang');
    const live = await openEvents(server.baseUrl, wang.cookie);
    await live.waitFor((e) => e.event === 'queue', 'first queue');
    expect(server.assembled.handoff.clerksOnline).toBe(1);
    expect((await wang.call('GET', '/queue')).json.entries).toEqual([]);

    // Filer A (Chinese) asks first, at the ID number question.
    const a = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await a.start();
    await a.say('借钱不还');
    await answerUntil(a, { 'plaintiff.kind': '个人', 'plaintiff.name': '张三' }, 'plaintiff.idNumber');
    const queuedA = (await a.say('转人工')).find((x) => x.channelData?.handoff);
    expect(queuedA?.channelData?.handoff).toEqual({ state: 'queued', position: 1 });

    // Filer B (English, born 1940) asks later but is 70 or older, so goes first.
    const b = new DirectLineTestClient(server.baseUrl, 'en-US');
    await b.start();
    await b.say('someone owes me money');
    await answerUntil(b, { 'plaintiff.kind': 'person', 'plaintiff.name': 'Wang Xiuying', 'plaintiff.idNumber': idNumber('11010519400315002') }, 'plaintiff.ethnicity');
    const queuedB = (await b.say('I want to talk to a person')).find((x) => x.channelData?.handoff);
    expect(queuedB?.channelData?.handoff).toEqual({ state: 'queued', position: 1 });

    const queue = (await wang.call('GET', '/queue')).json.entries as { id: string; priority: string; filerName?: string; position: number; field?: string }[];
    expect(queue.map((e) => [e.filerName, e.priority, e.position])).toEqual([['Wang Xiuying', 'elderly', 1], ['张三', 'normal', 2]]);
    expect(queue[1]!.field).toBe('plaintiff.idNumber');
    await live.waitFor((e) => e.event === 'queue' && e.data.entries.length === 2, 'queue of two');
    const [entryB, entryA] = queue as [typeof queue[0], typeof queue[0]];

    // Wang takes B; Li cannot take B again nor speak to B.
    const accepted = await wang.call('POST', `/handoffs/${entryB.id}/accept`, {});
    expect(accepted.status).toBe(200);
    expect(accepted.json.handoff).toMatchObject({ state: 'accepted', clerk: { username: 'wang', displayName: '王书记员' } });
    expect(accepted.json.handoff.reference).toBeUndefined();
    expect(accepted.json.draft.fields.find((f: { key: string }) => f.key === 'plaintiff.birthDate')).toMatchObject({ value: '1940-03-15', derived: true });
    const li = await signIn(server.baseUrl, 'li');
    expect((await li.call('POST', `/handoffs/${entryB.id}/accept`, {})).json.error).toBe('taken');
    expect((await li.call('POST', `/handoffs/${entryB.id}/messages`, { text: 'hi' })).status).toBe(409);
    const hello = await receive(b, (x) => x.channelData?.handoff?.state === 'accepted', 'the accepted message');
    expect(hello.text).toContain('王书记员');

    // Clerk → filer, and filer → clerk (not to the bot).
    expect((await wang.call('POST', `/handoffs/${entryB.id}/messages`, { text: 'Hello, I am here to help you.' })).status).toBe(204);
    const fromClerk = await receive(b, (x) => x.text?.includes('Hello, I am here to help you.') === true, "the clerk's words");
    expect(fromClerk.text).toContain('王书记员');
    const before = b.received.length;
    await b.say('My son usually helps me with forms.');
    expect(b.received.slice(before).filter((x) => x.inputHint === 'expectingInput')).toEqual([]);
    const relayed = await live.waitFor((e) => e.event === 'message' && e.data.entry.text === 'My son usually helps me with forms.', 'relayed message');
    expect(relayed.data).toMatchObject({ handoffId: entryB.id, entry: { from: 'filer' } });
    const opened = await wang.call('GET', `/handoffs/${entryB.id}`);
    expect(opened.json.handoff.transcript.map((t: { from: string; text: string }) => `${t.from}: ${t.text}`)).toEqual(expect.arrayContaining([
      'clerk: Hello, I am here to help you.', 'filer: My son usually helps me with forms.',
    ]));

    // The clerk corrects the name, then gives B back to the assistant at the phone question.
    const complaintB = accepted.json.draft.id as string;
    const fixed = await wang.call('PATCH', `/complaints/${complaintB}/answers`, { key: 'plaintiff.name', value: 'Wang Xiu-ying' });
    expect(fixed.status).toBe(200);
    expect((await server.assembled.store.complaints.get(complaintB))?.answers['plaintiff.name']).toBe('Wang Xiu-ying');
    expect((await wang.call('POST', `/handoffs/${entryB.id}/return`, { field: 'no.such.field' })).json.error).toBe('unknown-field');
    const back = await wang.call('POST', `/handoffs/${entryB.id}/return`, { field: 'plaintiff.phone' });
    expect(back.status).toBe(200);
    expect(back.json.handoff.state).toBe('completed');
    const question = await receive(b, (x) => x.channelData?.ask?.field === 'plaintiff.phone', 'the phone question');
    expect(question.inputHint).toBe('expectingInput');
    expect(b.received.some((x) => x.channelData?.handoff?.state === 'completed')).toBe(true);
    await b.say('13812345678');
    expect((await server.assembled.store.complaints.get(complaintB))?.answers['plaintiff.phone']).toBe('13812345678');

    // Wang takes A and finishes A's complaint (answers missing: asked first, then forced).
    expect((await wang.call('POST', `/handoffs/${entryA.id}/accept`, {})).status).toBe(200);
    await receive(a, (x) => x.channelData?.handoff?.state === 'accepted', 'the accepted message');
    const incomplete = await wang.call('POST', `/handoffs/${entryA.id}/complete`, {});
    expect(incomplete.status).toBe(409);
    expect(incomplete.json.error).toBe('incomplete');
    expect(incomplete.json.missing).toContain('plaintiff.idNumber');
    const done = await wang.call('POST', `/handoffs/${entryA.id}/complete`, { force: true });
    expect(done.status).toBe(200);
    expect(done.json.handoff.state).toBe('completed');
    expect(done.json.draft.status).toBe('finished');
    const link = await receive(a, (x) => x.text?.includes(done.json.documentUrl) === true, 'the document link');
    expect(link.channelData?.handoff?.state).toBe('completed');
    const document = await fetch(done.json.documentUrl);
    expect(document.status).toBe(200);
    expect(await document.text()).toContain('张三');

    expect((await wang.call('GET', '/queue')).json.entries).toEqual([]);
    await live.waitFor((e) => e.event === 'queue' && e.data.entries.length === 0, 'empty queue');

    // The audit log has the whole story, by record id.
    const admin = new StaffAccounts(await openAccounts(server.dataDir));
    await admin.add({ username: 'boss', password: PASSWORD, role: 'admin' });
    const boss = await signIn(server.baseUrl, 'boss');
    const audit = await boss.call('GET', `/audit?actor=wang&pageSize=100`);
    const story = audit.json.events.map((e: { action: string; recordId?: string }) => `${e.action} ${e.recordId ?? ''}`.trim());
    expect(story).toEqual(expect.arrayContaining([
      `handoff-accept ${entryB.id}`, `handoff-view ${entryB.id}`, `handoff-message ${entryB.id}`, `answer-edit ${complaintB}`,
      `handoff-return ${entryB.id}`, `handoff-accept ${entryA.id}`, `handoff-complete ${entryA.id}`, 'queue-view',
    ]));

    await live.close();
    for (let i = 0; i < 100 && server.assembled.handoff.clerksOnline !== 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(server.assembled.handoff.clerksOnline).toBe(0);
  });
});
