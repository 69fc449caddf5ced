import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectLineTestClient, play } from '../support/directline-client.js';
import { PRIVATE_LOAN_ZH } from '../support/scripts.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});


describe('private loan over Direct Line, zh-CN', () => {
  it('greets first, guides to a finished complaint and serves the document', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    const greeting = await client.start();
    expect(greeting[0]?.text).toContain('起诉状助手');
    expect(greeting.at(-1)?.channelData?.ask?.field).toBe('caseType');

    await play(client, PRIVATE_LOAN_ZH);
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
