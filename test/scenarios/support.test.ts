import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectLineTestClient, play, documentOf } from '../support/directline-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const son = (n: number, name: string): Record<string, string> => {
  const k = (id: string) => (n === 0 ? id : `${id}#${n}`);
  return {
    [k('defendant.kind')]: '个人',
    [k('defendant.name')]: name,
    [k('defendant.idNumber')]: '跳过',
    [k('defendant.gender')]: '男',
    [k('defendant.birthDate')]: '跳过',
    [k('defendant.ethnicity')]: '汉族',
    [k('defendant.occupation')]: '工厂工人',
    [k('defendant.address')]: `天津市河北区中山路${8 + n}号`,
    [k('defendant.phone')]: '跳过',
  };
};

describe('support over Direct Line, zh-CN', () => {
  it('an elderly mother asks her two sons for support; no fee-relief questions', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '儿子不管老人，要赡养费',
      'support.who': '老人',
      'plaintiff.kind': '个人',
      'plaintiff.name': '王秀英',
      'plaintiff.idNumber': '11010519491231002X',
      'plaintiff.ethnicity': '汉族',
      'plaintiff.occupation': '务农',
      'plaintiff.address': '天津市北辰区双口镇前丁庄村12号',
      'plaintiff.phone': '022-26881234',
      ...son(0, '李大山'),
      'defendant.more': '有',
      ...son(1, '李二山'),
      'defendant.more#1': '没有',
      'support.relationship': '两个被告都是原告的儿子',
      'support.needs': '原告年老多病，没有劳动能力，每月药费八百元。',
      'support.income': '零',
      'support.payerMeans': '两个儿子都在工厂上班，每月五六千元',
      'support.refused': '是',
      'support.amount': '八百',
      'support.since': '跳过',
      'mediation.willing': '愿意',
      'preservation.requested': '不要',
      'review.confirm': '对',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('support');
    const asked = client.received.map((a) => a.channelData?.ask?.field);
    expect(asked).not.toContain('relief.hardship');
    expect(asked).not.toContain('support.guardian');
    const texts = client.received.map((a) => a.text ?? '');
    expect(texts.some((t) => t.includes('诉讼费') && t.includes('第四十五条'))).toBe(true);

    const { html, text } = await documentOf(client);
    expect(html).toContain('天津市北辰区人民法院');
    expect(text).toContain('原告：王秀英，女，1949年12月31日出生');
    expect(text).toContain('被告一：李大山，男');
    expect(text).toContain('被告二：李二山，男');
    expect(text).toContain('判令被告李大山、李二山自起诉之日起每人每月支付原告赡养费800元');
    expect(text).not.toContain('年满十八周岁');
    expect(text).toContain('原告没有收入');
    expect(text).toContain('原告向被告索要赡养费，被告拒不支付');
    expect(text).toContain('老年人权益保障法》第十四条');
    expect(text).not.toContain('法定代理人');
    expect(text).toMatch(/附：本起诉状副本2份/);
  });
});

describe('support over Direct Line, en-US', () => {
  it('a child, through the mother, asks the father for child support', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'my ex-husband does not pay child support',
      'support.who': 'child',
      'support.guardian': 'Li Mei, the child\'s mother',
      'support.parentsDivorced': 'yes',
      'plaintiff.kind': 'person',
      'plaintiff.name': 'Zhang Xiaoyu',
      'plaintiff.idNumber': '120113201506030027',
      'plaintiff.ethnicity': 'Han',
      'plaintiff.occupation': 'at school',
      'plaintiff.address': 'No. 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'defendant.kind': 'person',
      'defendant.name': 'Zhang Wei',
      'defendant.idNumber': 'skip',
      'defendant.gender': 'male',
      'defendant.birthDate': 'skip',
      'defendant.ethnicity': 'skip',
      'defendant.occupation': 'engineer',
      'defendant.address': '8 Zhongshan Road, Hebei District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'support.relationship': 'the defendant is the child\'s father',
      'support.needs': 'School and living costs of about 2,000 a month.',
      'support.income': 'zero',
      'support.payerMeans': 'skip',
      'support.refused': 'yes',
      'support.amount': '1500',
      'support.since': 'January 2025',
      'mediation.willing': 'no',
      'preservation.requested': 'no',
      'review.confirm': 'yes',
    });
    const { html, text } = await documentOf(client);
    expect(html).toMatch(/For your reference/i);
    expect(text).toContain('法定代理人：Li Mei, the child\'s mother。');
    expect(text).toContain('判令被告Zhang Wei自2025年1月起每月支付原告抚养费1,500元，至原告年满十八周岁止');
    expect(text).toContain('第一千零八十五条');
    expect(text).toContain('Order the defendant Zhang Wei to pay the plaintiff child support of CNY 1,500 a month, from January 2025, until the plaintiff turns eighteen;');
    expect(text).toContain('Legal representative: Li Mei');
    expect(text).toContain('Under Articles 26, 1067(1) and 1085 of the Civil Code');
    // The checklist asks for the representative's ID and the divorce papers.
    const texts = client.received.map((a) => a.text ?? '');
    expect(texts.some((t) => t.includes("legal representative") && t.includes('divorce judgment'))).toBe(true);
    expect(text).toContain('Attached: 1 copy of this complaint');
  });
});
