import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSpeech, CALLS_COLLECTION, CALLS_FILE, type StoredCall } from '../../src/channels/phone/index.js';
import { openStore } from '../../src/store/index.js';
import { digitsSsml } from '../../src/speech/ssml.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { find, squash, textOf, twiml, type XmlNode } from '../support/twiml.js';

// ---- TwiML: parsed strictly and held to what Twilio documents --------------------------

// ---- a caller ------------------------------------------------------------------------------

type Answer = { keys: string } | { speech: string } | { silence: true } | { option: string };
const keys = (k: string): Answer => ({ keys: k });
const say = (s: string): Answer => ({ speech: s });
const option = (title: string): Answer => ({ option: title });
const silence: Answer = { silence: true };

let sidCount = 0;

class Caller {
  readonly sid = `CA${(++sidCount).toString(16).padStart(4, '0')}${'0'.repeat(28)}`;
  response!: XmlNode;
  readonly heard: string[] = [];

  constructor(private readonly server: TestServer, private readonly token?: string, private readonly from = '+8613812345678') {}

  async post(url: string, params: Record<string, string>): Promise<XmlNode> {
    const body = { CallSid: this.sid, From: this.from, To: '+862226000000', AccountSid: 'AC00000000000000000000000000000000', ...params };
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.token) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(this.token, url, body);
    const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(body) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    this.response = twiml(await res.text());
    this.heard.push(this.said());
    return this.response;
  }

  start(): Promise<XmlNode> {
    return this.post(`${this.server.baseUrl}/api/phone/twilio`, { CallStatus: 'ringing', Direction: 'inbound' });
  }

  get gather(): XmlNode | undefined {
    return find(this.response, 'Gather')[0];
  }

  /** The question being asked, as field id (`defendant.kind#1` for the second defendant). */
  get field(): string | undefined {
    const action = this.gather?.attrs.action;
    if (!action) return undefined;
    const url = new URL(action);
    const index = url.searchParams.get('index');
    return `${url.searchParams.get('field') ?? ''}${index && index !== '0' ? `#${index}` : ''}`;
  }

  said(): string {
    return find(this.response, 'Say').map(textOf).join(' ');
  }

  /** The key the menu gives an option: "现金，请按1" / "For cash, press 1". */
  keyFor(title: string): string {
    const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`${escaped}，请按(\\d)|For ${escaped}, press (\\d)`).exec(this.said());
    if (!m) throw new Error(`no key for "${title}" in: ${this.said()}`);
    return (m[1] ?? m[2])!;
  }

  answer(a: Answer): Promise<XmlNode> {
    const action = this.gather?.attrs.action;
    if (!action) throw new Error(`nothing is asked: ${this.said()}`);
    if ('silence' in a) return this.post(action, {});
    if ('speech' in a) return this.post(action, { SpeechResult: a.speech, Confidence: '0.91' });
    return this.post(action, { Digits: 'keys' in a ? a.keys : this.keyFor(a.option) });
  }
}

type Script = Record<string, Answer | Answer[]>;

/** Answers by field id until no question is asked; a list answers successive askings of a field. */
async function play(caller: Caller, script: Script): Promise<void> {
  const queues = new Map(Object.entries(script).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  for (let turn = 0; turn < 200; turn += 1) {
    const action = caller.gather?.attrs.action ?? '';
    if (!action.includes('/gather')) return;
    const field = caller.field!;
    const queue = queues.get(field);
    if (!queue?.length) throw new Error(`the script has no answer for ${field} (heard: ${caller.said()})`);
    await caller.answer(queue.length > 1 ? queue.shift()! : queue[0]!);
  }
  throw new Error('the call did not end');
}

// ---- the conversation --------------------------------------------------------------------

// One server for the file, with a token: every request below is signed as Twilio signs them.
const TOKEN = 'test-auth-token-0123456789abcdef';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ TWILIO_AUTH_TOKEN: TOKEN });
});
afterAll(async () => {
  await server.stop();
});

describe('a phone call drafts a private-loan complaint with keys and speech', () => {
  it('greets, reads choices option-first, handles 9, *, silence and a wrong ID number, and ends with the code', async () => {
    const caller = new Caller(server, TOKEN);
    await caller.start();
    // The greeting, the keys, the first question with its options, and English on 8.
    expect(caller.said()).toContain('起诉状助手');
    expect(caller.said()).toContain('按9再听一遍');
    expect(caller.said()).toMatch(/民间借贷（借钱不还），请按\d/);
    expect(caller.said()).toContain('For English, press 8.');
    expect(caller.field).toBe('caseType');
    const g = caller.gather!;
    expect(g.attrs).toMatchObject({ input: 'dtmf speech', language: 'cmn-Hans-CN', numDigits: '1', actionOnEmptyResult: 'true' });
    expect(g.attrs.hints).toContain('拖欠工资');
    expect(find(caller.response, 'Say').some((s) => s.attrs.language === 'en-US' && s.attrs.voice === 'Polly.Joanna-Neural')).toBe(true);

    await caller.answer(option('民间借贷（借钱不还）'));
    expect(caller.field).toBe('plaintiff.kind');
    expect(caller.said()).toContain('个人，请按1；单位，请按2。');

    // Silence: asked again, then more simply (just the options), then a person is offered. Never a hang-up.
    await caller.answer(silence);
    expect(caller.said()).toContain('我再问一遍');
    expect(caller.said()).toContain('您是以个人身份起诉');
    await caller.answer(silence);
    expect(caller.said()).not.toContain('您是以个人身份起诉');
    expect(caller.said()).toContain('个人，请按1');
    await caller.answer(silence);
    expect(caller.said()).toContain('需要工作人员帮忙，请按0');
    expect(find(caller.response, 'Hangup')).toHaveLength(0);
    // A key that is not an option is said to be one, and the options follow.
    await caller.answer(keys('7'));
    expect(caller.said()).toContain('没有7这个选项');
    expect(caller.field).toBe('plaintiff.kind');

    await play(caller, {
      'plaintiff.kind': option('个人'),
      'plaintiff.name': say('张三'),
      // A wrong check digit, 9 (repeat), the right number with * for X, then its read-back confirmed.
      'plaintiff.idNumber': [keys('110105194912310021'), keys('9'), keys('11010519491231002*'), keys('1')],
      'plaintiff.ethnicity': say('汉族。'),
      'plaintiff.occupation': say('退休'),
      'plaintiff.address': say('天津市北辰区果园新村街道富锦路12号3门101'),
      'plaintiff.phone': [keys('13812345678'), option('是')],
      'defendant.kind': option('个人'),
      'defendant.name': say('李四'),
      'defendant.idNumber': say('跳过'),
      'defendant.gender': option('男'),
      'defendant.birthDate': say('不知道'),
      'defendant.ethnicity': say('跳过'),
      'defendant.occupation': say('个体户'),
      'defendant.address': say('天津市河北区中山路8号'),
      'defendant.phone': [keys('02226881234'), keys('1')],
      'defendant.more': option('否'),
      'loan.amount': [keys('50000'), option('是')],
      'loan.date': keys('20240305'),
      // * goes back from the IOU question to the method, which is answered again.
      'loan.method': [option('银行转账'), option('银行转账')],
      'loan.hasIou': [keys('*'), option('是')],
      'loan.dueDate': keys('20241231'),
      'loan.hasInterest': option('是'),
      'loan.rateUnit': say('按年'),
      'loan.rate': keys('6'),
      'loan.repaidPrincipal': [keys('10000'), option('是')],
      // A lone 0 asks for a person, so zero is said.
      'loan.repaidInterest': say('零'),
      'loan.demanded': option('是'),
      'loan.hasGuarantee': option('否'),
      'mediation.willing': say('愿意'),
      'preservation.requested': say('不要'),
      'relief.hardship': option('否'),
      'review.confirm': option('是'),
    });

    const heard = caller.heard.join('\n');
    if (process.env.SHOW_CALL) console.log(heard);
    // The wrong ID number was explained; 9 repeated the question; the right one was read back in groups.
    expect(heard).toContain('校验码不对');
    expect(squash(heard)).toContain(`${squash(digitsSsml('11010519491231002X', 'zh-CN', [6, 8, 4]))}，对吗？`);
    expect(squash(heard)).toContain(`${squash(digitsSsml('13812345678', 'zh-CN', [3, 4, 4]))}，对吗？`);
    // Keyed numbers get their keypad explanation once.
    expect(heard).toContain('最后一位是X的请按星号键');
    expect(heard).toContain('比如2024年3月5日就按');
    expect(heard.match(/比如2024年3月5日就按/g)).toHaveLength(1);
    // The gender question became a two-key menu.
    expect(heard).toContain('男，请按1；女，请按2。');

    // The end: where to print, the code twice, 9 to hear it again; no hang-up yet.
    const [record] = (await server.assembled.store.complaints.list()).filter((r) => r.status === 'finished');
    expect(record).toBeDefined();
    const code = squash(digitsSsml(record!.resumeCode, 'zh-CN', [3, 3]));
    expect(caller.said()).toContain('起诉状写好了');
    expect(caller.said()).toContain('立案窗口');
    expect(caller.said()).toContain('天津市北辰区人民法院');
    expect(squash(caller.said())).toContain(code);
    expect(caller.gather!.attrs.action).toMatch(/\/api\/phone\/twilio\/end$/);
    expect(find(caller.response, 'Hangup')).toHaveLength(0);
    await caller.answer(keys('9'));
    expect(caller.said()).toContain('再说一遍，编号是');
    await caller.answer(silence);
    expect(caller.said()).toContain('感谢您的来电，再见');
    expect(find(caller.response, 'Hangup')).toHaveLength(1);

    // The document: what the caller keyed and said.
    expect(record!.answers['plaintiff.idNumber']).toBe('11010519491231002X');
    expect(record!.answers['plaintiff.gender']).toBe('female');
    expect(record!.answers['defendant[0].gender']).toBe('male');
    expect(record!.answers['loan.date']).toBe('2024-03-05');
    expect(record!.answers['loan.method']).toBe('transfer');
    expect(record!.answers['defendant[0].phone']).toBe('022-26881234');
    const html = await (await fetch(`${server.baseUrl}/documents/${record!.documentToken}/complaint.html`)).text();
    expect(html).toContain('民事起诉状');
    expect(html).toContain('张三');
    expect(html).toContain('1949年12月31日');
    expect(html).toContain('李四');
    expect(html).toContain('40,000');
    expect(html).toContain('13812345678');
  });

  it('switches to English on 8 for the rest of the call', async () => {
    const caller = new Caller(server, TOKEN);
    await caller.start();
    await caller.answer(keys('8'));
    expect(caller.said()).toContain("I am the court's complaint assistant");
    expect(caller.said()).toContain('What is your case about?');
    expect(caller.said()).toMatch(/For Private loan \(money lent, not repaid\), press \d/);
    expect(caller.said()).toContain('说中文，请按8。');
    expect(caller.gather!.attrs.language).toBe('en-US');
    await caller.answer(say('someone borrowed money and never paid it back'));
    expect(caller.field).toBe('plaintiff.kind');
    expect(caller.said()).toContain('For Person, press 1');
    expect(find(caller.response, 'Say').every((s) => s.attrs.language === 'en-US')).toBe(true);
    // "person" is an option here, not a request for one.
    await caller.answer(say('person'));
    expect(caller.field).toBe('plaintiff.name');
    expect(find(caller.response, 'Dial')).toHaveLength(0);
  });

  it('keeps the bot\'s slower speech for the rest of the call', async () => {
    const caller = new Caller(server, TOKEN);
    await caller.start();
    const rate = () => find(caller.response, 'prosody').map((p) => p.attrs.rate);
    expect(rate()).toContain('90%');
    await caller.answer(say('慢一点'));
    expect(caller.said()).toContain('我说慢一点');
    expect(rate().every((r) => r === '77%')).toBe(true);
    await caller.answer(option('民间借贷（借钱不还）'));
    expect(rate().every((r) => r === '77%')).toBe(true);
  });

  it('reads a long option list in pages, and answers a repeated request only once', async () => {
    const caller = new Caller(server, TOKEN);
    await caller.start();
    const more = /更多选项，请按(\d)/.exec(caller.said());
    expect(more).not.toBeNull();
    const first = caller.gather!.attrs.action!;
    await caller.answer(keys(more![1]!));
    expect(caller.said()).not.toContain('您要告对方什么事');
    expect(caller.said()).toMatch(/接着办上次的，请按\d/);
    expect(caller.said()).toMatch(/从头再听选项，请按\d/);
    await caller.answer(keys('*'));
    expect(caller.said()).toContain('这已经是第一个问题了');
    // The question asked anew starts at the first page again.
    expect(caller.said()).toContain('更多选项');
    await caller.answer(keys(more![1]!));
    await caller.answer(option('接着办上次的'));
    expect(caller.field).toBe('resume.code');
    // Twilio sending an old answer again (a retry) does not answer the new question with it.
    await caller.post(first, { Digits: '1' });
    expect(caller.field).toBe('resume.code');
    expect(caller.said()).toContain('6位续办码');
  });

});

describe('a saved draft resumed by keys', () => {
  it('takes the code, then the last 4 digits of the draft\'s phone, keyed and ended with #', async () => {
    const draft = await server.assembled.store.complaints.create({ locale: 'zh-CN', caseType: 'private-loan' });
    await server.assembled.store.complaints.update(draft.id, (r) => {
      Object.assign(r.answers, { 'plaintiff.kind': 'person', 'plaintiff.name': '张三', 'plaintiff.phone': '13812345678' });
    });
    const caller = new Caller(server, TOKEN);
    await caller.start();
    await caller.answer(keys(/更多选项，请按(\d)/.exec(caller.said())![1]!));
    await caller.answer(option('接着办上次的'));
    expect(caller.field).toBe('resume.code');
    await caller.answer(keys(draft.resumeCode));
    expect(caller.field).toBe('resume.phone');
    expect(caller.said()).toContain('电话号码的最后4位');
    // Digits only: no word about a decimal point, and the keys end with #.
    expect(caller.said()).not.toContain('小数点');
    expect(caller.gather!.attrs).toMatchObject({ finishOnKey: '#' });
    await caller.answer(keys('1234'));
    expect(caller.said()).toContain('和草稿里的不一样');
    expect(caller.field).toBe('resume.phone');
    await caller.answer(keys('5678'));
    expect(caller.said()).toContain('找到了您的草稿');
    expect(caller.field).toMatch(/^plaintiff\./);
  });
});

describe('SSML for <Say>', () => {
  it('keeps breaks, digit groups and documented elements, with rates as percentages', () => {
    const response = new twilio.twiml.VoiceResponse();
    const ssml = '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-CN"><voice name="zh-CN-XiaoxiaoNeural"><prosody rate="0.7">'
      + '号码是幺 三 八 <break time="300ms"/> 幺 二 三 四，<say-as interpret-as="number_digit">5678</say-as>；<emphasis level="strong">重要</emphasis>'
      + '<sub alias="人民法院">法院</sub><say-as interpret-as="bogus">x</say-as>&amp;&lt;</prosody></voice></speak>';
    addSpeech(response.say({ voice: 'Polly.Zhiyu-Neural', language: 'cmn-CN' }, ''), ssml, 0.9);
    const tree = twiml(response.toString());
    const [prosody] = find(tree, 'prosody');
    expect(prosody!.attrs.rate).toBe('63%');
    expect(find(tree, 'break')[0]!.attrs.time).toBe('300ms');
    expect(find(tree, 'say-as')).toHaveLength(1);
    expect(find(tree, 'say-as')[0]!.attrs['interpret-as']).toBe('digits');
    expect(find(tree, 'sub')[0]!.attrs.alias).toBe('人民法院');
    expect(find(tree, 'emphasis')).toHaveLength(0);
    expect(textOf(tree)).toBe('号码是幺 三 八  幺 二 三 四，5678；重要法院x&<');
  });
});

describe('Twilio signatures', () => {
  const url = () => `${server.baseUrl}/api/phone/twilio`;
  const params = { CallSid: `CA${'a'.repeat(32)}`, From: '+8613812345678', To: '+862226000000', CallStatus: 'ringing' };
  const send = (headers: Record<string, string>, body: Record<string, string>, target = url()) =>
    fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });

  it('answers a signed call and its signed follow-ups', async () => {
    const caller = new Caller(server, TOKEN);
    await caller.start();
    expect(caller.field).toBe('caseType');
    await caller.answer(option('民间借贷（借钱不还）'));
    expect(caller.field).toBe('plaintiff.kind');
  });

  it('refuses unsigned, tampered and wrongly addressed requests with 403', async () => {
    expect((await send({}, params)).status).toBe(403);
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url(), params);
    expect((await send({ 'x-twilio-signature': signature }, { ...params, From: '+8613900000000' })).status).toBe(403);
    expect((await send({ 'x-twilio-signature': signature }, params, `${url()}/gather`)).status).toBe(403);
    expect((await send({ 'x-twilio-signature': twilio.getExpectedTwilioSignature('another-token', url(), params) }, params)).status).toBe(403);
    // The same request signed properly is taken: the refusals were about the signature alone.
    expect((await send({ 'x-twilio-signature': signature }, params)).status).toBe(200);
  });
});

describe('a call across a restart', () => {
  const folders: string[] = [];
  afterAll(async () => {
    await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  /** Twilio calls the action URL it was given; in the test the server comes back on another port. */
  const onPort = (url: string, s: TestServer) => {
    const moved = new URL(url);
    moved.port = new URL(s.baseUrl).port;
    return moved.toString();
  };

  it('goes on at the same question, menu and language; after a crash cut a turn off, the question is asked again', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'phone-restart-'));
    folders.push(dataDir);
    const env = { TWILIO_AUTH_TOKEN: TOKEN, DATA_DIR: dataDir };
    const first = await startTestServer(env);
    const caller = new Caller(first, TOKEN);
    await caller.start();
    await caller.answer(keys('8'));
    await caller.answer(option('Private loan (money lent, not repaid)'));
    expect(caller.field).toBe('plaintiff.kind');
    const kindAction = caller.gather!.attrs.action!;
    await first.stop();

    const second = await startTestServer(env);
    // The key means what the menu the caller heard said, in the language they chose.
    await caller.post(onPort(kindAction, second), { Digits: caller.keyFor('Person') });
    expect(caller.field).toBe('plaintiff.name');
    expect(caller.gather!.attrs.language).toBe('en-US');
    const nameAction = caller.gather!.attrs.action!;
    await second.stop();

    // As a kill -9 during the next turn leaves it: the call's record says a turn was running.
    const store = await openStore(dataDir);
    const calls = await store.openCollection<StoredCall>(CALLS_FILE, CALLS_COLLECTION);
    calls.set(caller.sid, { ...calls.get(caller.sid)!, turnOpen: true });
    await calls.commit();
    await store.close();

    const third = await startTestServer(env);
    try {
      // Whatever the bot's state, the words are not taken as an answer: the current question is said again.
      await caller.post(onPort(nameAction, third), { SpeechResult: 'John Smith', Confidence: '0.9' });
      expect(caller.field).toBe('plaintiff.name');
      expect(caller.gather!.attrs.language).toBe('en-US');
      expect(caller.said()).toMatch(/name/i);
      const [draft] = await third.assembled.store.complaints.list();
      expect(draft?.answers['plaintiff.kind']).toBe('person');
      expect(draft?.answers['plaintiff.name']).toBeUndefined();
      await caller.post(onPort(caller.gather!.attrs.action!, third), { SpeechResult: 'John Smith', Confidence: '0.9' });
      expect(caller.field).not.toBe('plaintiff.name');
    } finally {
      await third.stop();
    }
  });
});
