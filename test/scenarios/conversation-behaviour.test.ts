import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectLineTestClient, play } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

async function startedLoan(locale = 'zh-CN'): Promise<DirectLineTestClient> {
  const client = new DirectLineTestClient(server.baseUrl, locale);
  await client.start();
  await client.say(locale === 'zh-CN' ? '借钱' : 'a loan');
  return client;
}

function codeOf(client: DirectLineTestClient): string {
  const text = client.received.map((a) => a.text ?? '').join('\n');
  return /(\d{6})/.exec(text.slice(text.search(/续办码|resume code/)))![1]!;
}

describe('the words that work at every question', () => {
  it('help gives the question\'s own help and the list of commands, then asks again', async () => {
    const client = await startedLoan();
    const reply = await client.say('帮助');
    expect(reply).toHaveLength(1);
    expect(reply[0]!.text).toContain('个人');
    expect(reply[0]!.text).toContain('转人工');
    expect(reply[0]!.channelData?.ask?.field).toBe('plaintiff.kind');
  });

  it('repeat asks the same question again; back returns to the one before with its answer', async () => {
    const client = await startedLoan();
    await client.say('个人');
    const asked = client.lastAsk();
    expect(asked?.field).toBe('plaintiff.name');
    const again = await client.say('再说一遍');
    expect(again[0]!.channelData?.ask?.field).toBe('plaintiff.name');
    await client.say('张三');
    const back = await client.say('上一步');
    expect(back[0]!.channelData?.ask?.field).toBe('plaintiff.name');
    expect(back[0]!.text).toContain('张三');
    const kept = await client.say('不改');
    expect(kept.at(-1)!.channelData?.ask?.field).toBe('plaintiff.idNumber');
  });

  it('back at the first question says so kindly', async () => {
    const client = await startedLoan('en-US');
    const reply = await client.say('back');
    expect(reply[0]!.text).toMatch(/already the first question/);
  });

  it('slower slows the speech of every later reply', async () => {
    const client = await startedLoan();
    const reply = await client.say('慢一点');
    expect(reply[0]!.speak).toMatch(/prosody rate="0\.\d+"/);
    const next = await client.say('个人');
    expect(next[0]!.speak).toMatch(/prosody rate="0\.\d+"/);
  });

  it('skip is refused kindly for a required question and works for an optional one', async () => {
    const client = await startedLoan();
    const refused = await client.say('跳过');
    expect(refused[0]!.text).toContain('需要回答');
    expect(refused[0]!.channelData?.ask?.field).toBe('plaintiff.kind');
  });

  it('asking for a person records the need on the draft and says how to reach a clerk', async () => {
    const client = await startedLoan();
    const reply = await client.say('我要转人工');
    expect(reply[0]!.channelData?.handoff?.state).toBe('unavailable');
    expect(reply[0]!.text).toContain('12368');
    expect(reply.at(-1)!.channelData?.ask?.field).toBe('plaintiff.kind');
    const record = await server.assembled.store.complaints.findByResumeCode(codeOf(client));
    expect(record?.clerkNeeds).toEqual([expect.objectContaining({ reason: 'asked', field: 'plaintiff.kind' })]);
  });

  it('start over keeps the old draft and begins again', async () => {
    const client = await startedLoan();
    const code = codeOf(client);
    const reply = await client.say('重新开始');
    expect(reply[0]!.text).toContain(code);
    expect(reply.at(-1)!.channelData?.ask?.field).toBe('caseType');
    expect((await server.assembled.store.complaints.findByResumeCode(code))?.status).toBe('draft');
  });
});

describe('wrong and strange answers', () => {
  it('three failed answers call a clerk and note it for the clerks', async () => {
    const client = await startedLoan();
    await client.say('个人');
    await client.say('张三');
    for (const wrong of ['123', '我不太清楚号码是什么', '110105194912310021']) await client.say(wrong);
    const texts = client.received.slice(-3).map((a) => a.text ?? '');
    expect(texts.join('\n')).toContain('请工作人员来帮您');
    expect(client.received.at(-2)?.channelData?.handoff?.state).toBe('unavailable');
    expect(await server.assembled.handoff.queue()).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'repeated-failure' })]));
    const record = await server.assembled.store.complaints.findByResumeCode(codeOf(client));
    expect(record?.clerkNeeds.map((n) => n.reason)).toContain('repeated-failure');
    expect(client.lastAsk()?.field).toBe('plaintiff.idNumber');
  });

  it('empty text, 5,000 characters, emoji and markup get a kind re-ask, never an error', async () => {
    const client = await startedLoan();
    await client.say('个人');
    for (const odd of ['', '   ', '😀😀😀', 'x'.repeat(5000), '<script>alert(1)</script>', '{{constructor.constructor("x")()}}', '\u0000\u0007']) {
      const reply = await client.say(odd);
      expect(reply.length).toBeGreaterThan(0);
      expect(reply.at(-1)!.channelData?.ask?.field).toBe('plaintiff.name');
      expect(reply.at(-1)!.text).not.toMatch(/something went wrong|出了点问题/);
      for (const activity of reply) expect(activity.speak).not.toMatch(/<script|\{\{constructor/);
    }
  });

  it('an unknown resume code is refused, and five wrong codes send the filer to a clerk', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await client.say('接着办');
    expect(client.lastAsk()?.field).toBe('resume.code');
    for (let i = 0; i < 4; i += 1) {
      const reply = await client.say('000000');
      expect(reply.at(-1)!.text).toContain('没有找到');
    }
    const locked = await client.say('000000');
    expect(locked.at(-1)!.text).toContain('输错的次数太多');
    expect(client.lastAsk()?.field).toBe('caseType');
  });

  it('a case without a form of its own is taken down in the filer\'s words, for a clerk to review', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    const reply = await client.say('something else');
    expect(reply.map((a) => a.text).join('\n')).toMatch(/word for word[\s\S]*clerk/);
    expect(reply.some((a) => a.channelData?.handoff)).toBe(false);
    expect(client.lastAsk()?.field).toBe('other.subject');
    const record = await server.assembled.store.complaints.findByResumeCode(codeOf(client));
    expect(record?.caseType).toBe('other');
    expect(record?.clerkNeeds).toEqual([expect.objectContaining({ reason: 'unsupported-case' })]);
  });

  it('hostile text in answers comes out inert in the document', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '借钱不还',
      'plaintiff.kind': '个人',
      'plaintiff.name': '张三',
      'plaintiff.idNumber': '11010519491231002X',
      'plaintiff.ethnicity': '汉族',
      'plaintiff.occupation': '{{7*7}} & <b>老板</b>',
      'plaintiff.address': ['<script>alert(1)</script>', '天津市北辰区富锦路12号 & 3门101'],
      'plaintiff.phone': '13812345678',
      'defendant.kind': '个人',
      'defendant.name': '李四',
      'defendant.idNumber': '跳过',
      'defendant.gender': '男',
      'defendant.birthDate': '跳过',
      'defendant.ethnicity': '跳过',
      'defendant.occupation': '跳过',
      'defendant.address': '天津市河北区中山路8号',
      'defendant.phone': '跳过',
      'defendant.more': '没有',
      'loan.amount': '五千',
      'loan.date': '去年十月',
      'loan.method': '现金',
      'loan.hasIou': '没有',
      'loan.dueDate': '没有',
      'loan.hasInterest': '没有',
      'loan.repaidPrincipal': '没有',
      'loan.demanded': '没有',
      'loan.hasGuarantee': '没有',
      'mediation.willing': '跳过',
      'preservation.requested': '跳过',
      'relief.hardship': '没有',
      'review.confirm': '对',
    });
    const html = await (await fetch(client.received.at(-1)!.channelData!.complaint!.documentUrl)).text();
    expect(html).not.toContain('<b>老板</b>');
    expect(html).toContain('&lt;b&gt;');
    expect(html).toContain('{{7*7}}');
    expect(html).not.toContain('<script>alert');
    for (const activity of client.received) {
      expect(activity.speak ?? '').not.toMatch(/<b>|<script/);
    }
  });
});
