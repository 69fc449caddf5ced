import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectLineTestClient, play, type Script } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const zhScript: Script = {
  caseType: '借钱不还',
  'plaintiff.kind': '个人',
  // A wrong check digit first, then "repeat", then the right number.
  'plaintiff.name': '我叫张三',
  'plaintiff.idNumber': ['110105194912310021', '重复', '11010519491231002X'],
  'plaintiff.ethnicity': '汉族',
  'plaintiff.occupation': '退休',
  'plaintiff.address': '天津市北辰区果园新村街道富锦路12号3门101',
  'plaintiff.phone': '138 1234 5678',
  'defendant.kind': '个人',
  'defendant.name': '李四',
  'defendant.idNumber': '跳过',
  'defendant.gender': '男的',
  'defendant.birthDate': '不知道',
  'defendant.ethnicity': '跳过',
  'defendant.occupation': '个体户',
  'defendant.address': '天津市河北区中山路8号',
  'defendant.phone': '022-26881234',
  'defendant.more': '有',
  'defendant.more#1': '没有',
  'defendant.kind#1': '公司',
  'defendant.orgName#1': '天津某某建筑有限公司',
  'defendant.creditCode#1': '跳过',
  'defendant.representative#1': '王五，总经理',
  'defendant.address#1': '天津市北辰区京津路100号',
  'defendant.phone#1': '不知道',
  'loan.amount': ['五万', '对'],
  'loan.date': '2024年3月5日',
  'loan.method': '我是用微信转的',
  'loan.hasIou': '有',
  'loan.dueDate': '2024年12月31日',
  'loan.hasInterest': '有',
  'loan.rateUnit': '按年',
  'loan.rate': '6',
  'loan.repaidPrincipal': ['一万', '对'],
  'loan.repaidInterest': '零',
  'loan.demanded': '是的',
  'loan.hasGuarantee': '没有',
  'mediation.willing': '愿意',
  'preservation.requested': '不要',
  'relief.hardship': '没有',
  'review.confirm': '对',
};

describe('private loan over Direct Line, zh-CN', () => {
  it('greets first, guides to a finished complaint and serves the document', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    const greeting = await client.start();
    expect(greeting[0]?.text).toContain('起诉状助手');
    expect(greeting.at(-1)?.channelData?.ask?.field).toBe('caseType');

    await play(client, zhScript);
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('private-loan');
    const url = done.channelData!.complaint!.documentUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/documents\/[A-Za-z0-9_-]{40,}\/complaint\.html$/);

    // Every message carries SSML; every question carries an ask.
    for (const activity of client.received.filter((a) => a.type === 'message')) {
      expect(activity.speak).toMatch(/^<speak[^>]+xml:lang="zh-CN"/);
      if (activity.inputHint === 'expectingInput') expect(activity.channelData?.ask).toBeDefined();
    }
    // The wrong check digit was re-asked kindly, the ID filled the birth date and gender.
    const texts = client.received.map((a) => a.text ?? '');
    expect(texts.some((t) => t.includes('校验') || t.includes('最后一位'))).toBe(true);
    const asked = client.received.map((a) => a.channelData?.ask?.field);
    expect(asked).not.toContain('plaintiff.gender');
    expect(asked).not.toContain('plaintiff.birthDate');
    // Large amounts are read back.
    expect(texts.some((t) => t.includes('50,000') && t.includes('对吗'))).toBe(true);

    const html = await (await fetch(url)).text();
    expect(html).toContain('民事起诉状');
    expect(html).toContain('张三');
    expect(html).toContain('1949年12月31日');
    expect(html).toContain('李四');
    expect(html).toContain('天津某某建筑有限公司');
    expect(html).toContain('40,000'); // 50,000 lent − 10,000 repaid
    expect(html).toContain('天津市北辰区人民法院');
    expect(html).toMatch(/副本\s*2\s*份/);

    const text = await (await fetch(url.replace(/\.html$/, '.txt'))).text();
    expect(text).toContain('民事起诉状');
    expect(text).not.toMatch(/<[a-z]/i);
  });
});

describe('private loan over Direct Line, en-US', () => {
  it('runs the whole interview in English and adds an English reading copy', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    const greeting = await client.start();
    expect(greeting[0]?.text).toMatch(/complaint assistant/i);
    await play(client, {
      caseType: 'someone borrowed money and never paid it back',
      'plaintiff.kind': 'a person',
      'plaintiff.name': 'my name is Zhang San',
      'plaintiff.idNumber': '120113195203140028',
      'plaintiff.ethnicity': 'Han',
      'plaintiff.occupation': 'retired',
      'plaintiff.address': 'No. 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'defendant.kind': 'person',
      'defendant.name': 'Li Si',
      'defendant.idNumber': 'skip',
      'defendant.gender': 'male',
      'defendant.birthDate': "don't know",
      'defendant.ethnicity': 'skip',
      'defendant.occupation': 'skip',
      'defendant.address': '8 Zhongshan Road, Hebei District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'loan.amount': ['thirty five thousand', 'yes'],
      'loan.date': '5 March 2024',
      'loan.method': 'cash',
      'loan.hasIou': 'yes',
      'loan.dueDate': 'none',
      'loan.hasInterest': 'no',
      'loan.repaidPrincipal': 'zero',
      'loan.demanded': 'yes',
      'loan.hasGuarantee': 'no',
      'mediation.willing': 'yes',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const done = client.received.at(-1)!;
    expect(done.text).toMatch(/finished/i);
    for (const activity of client.received.filter((a) => a.type === 'message')) {
      expect(activity.speak).toMatch(/xml:lang="en-US"/);
    }
    const html = await (await fetch(done.channelData!.complaint!.documentUrl)).text();
    expect(html).toContain('民事起诉状');
    expect(html).toContain('Zhang San');
    expect(html).toContain('35,000');
    expect(html).toMatch(/For your reference/i);
    // The English copy names the court in English, with its Chinese name beside it.
    expect(html).toContain("People's Court (天津市北辰区人民法院)".replace("'", '&#x27;'));
  });
});
