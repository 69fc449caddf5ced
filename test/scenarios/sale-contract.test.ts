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

describe('sale of goods over Direct Line, zh-CN', () => {
  it('a trader sues a company for the unpaid price and late-payment interest', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '对方买东西不给钱',
      'plaintiff.kind': '个人',
      'plaintiff.name': '张三',
      'plaintiff.idNumber': '120105198303050015',
      'plaintiff.ethnicity': '汉族',
      'plaintiff.occupation': '个体户',
      'plaintiff.address': '天津市北辰区果园新村街道富锦路12号3门101',
      'plaintiff.phone': '13812345678',
      'defendant.kind': '公司',
      'defendant.orgName': '天津某某商贸有限公司',
      'defendant.creditCode': '跳过',
      'defendant.representative': '王五，经理',
      'defendant.address': '天津市北辰区京津路100号',
      'defendant.phone': '跳过',
      'defendant.more': '没有',
      'sale.date': '2024年6月1日',
      'sale.goods': '钢管二十吨',
      'sale.price': ['十二万', '对'],
      'sale.hasContract': '有',
      'sale.delivered': '是的，交了',
      'sale.paid': ['四万', '对'],
      'sale.owed': ['八万', '对'],
      'sale.dueDate': '2024年7月31日',
      'sale.demanded': '要过',
      'sale.claimInterest': '要',
      'mediation.willing': '愿意',
      'preservation.requested': '要',
      'relief.hardship': '没有',
      'review.confirm': '对',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('sale-contract');
    const texts = client.received.map((a) => a.text ?? '');
    // 80,000 claimed: 50 + 2.5% of 70,000 = 1,800.
    expect(texts.some((t) => t.includes('诉讼费') && t.includes('1,800'))).toBe(true);
    expect(texts.some((t) => t.includes('买卖合同或订单') && t.includes('送货单'))).toBe(true);

    const { html, text } = await documentOf(client);
    expect(html).toContain('天津市北辰区人民法院');
    expect(text).toContain('原告：张三，男，1983年3月5日出生');
    expect(text).toContain('被告：天津某某商贸有限公司，住所地天津市北辰区京津路100号');
    expect(text).toContain('法定代表人：王五，经理。');
    expect(text).toContain('1. 判令被告天津某某商贸有限公司支付原告货款80,000元；');
    expect(text).toContain('以80,000元为基数');
    expect(text).toContain('自2024年8月1日起计算至实际清偿之日止');
    expect(text).toContain('2024年6月1日，原告与被告天津某某商贸有限公司签订书面买卖合同，约定原告向被告出售钢管二十吨，总价款120,000元，被告应于2024年7月31日前付清货款。');
    expect(text).toContain('被告已支付货款40,000元，尚欠货款80,000元未付。经原告催要，被告仍未支付。');
    expect(text).toContain('第六百二十六条');
    expect(text).toContain('原告申请财产保全');
    expect(text).toMatch(/附：本起诉状副本1份/);
  });
});

describe('sale of goods over Direct Line, en-US', () => {
  it('no written contract, nothing paid, no interest, in English', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'the buyer took my goods and never paid',
      'plaintiff.kind': 'person',
      'plaintiff.name': 'Zhang San',
      'plaintiff.idNumber': '120105198303050015',
      'plaintiff.ethnicity': 'Han',
      'plaintiff.occupation': 'fruit seller',
      'plaintiff.address': 'No. 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'defendant.kind': 'person',
      'defendant.name': 'Li Si',
      'defendant.idNumber': 'skip',
      'defendant.gender': 'male',
      'defendant.birthDate': 'skip',
      'defendant.ethnicity': 'skip',
      'defendant.occupation': 'shopkeeper',
      'defendant.address': '8 Zhongshan Road, Hebei District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'sale.date': 'March 2025',
      'sale.goods': '200 boxes of apples',
      'sale.price': '5000',
      'sale.hasContract': 'no',
      'sale.delivered': 'yes',
      'sale.paid': 'zero',
      'sale.owed': '5000',
      'sale.dueDate': 'none',
      'sale.demanded': 'yes',
      'sale.claimInterest': 'no',
      'mediation.willing': 'yes',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const { html, text } = await documentOf(client);
    expect(html).toMatch(/For your reference/i);
    expect(text).toContain('判令被告Li Si支付原告货款5,000元');
    expect(text).not.toContain('LPR');
    expect(text).toContain('2025年3月，原告与被告Li Si约定原告向被告出售200 boxes of apples，总价款5,000元。双方未签订书面合同。');
    expect(text).toContain('被告至今未支付任何货款，尚欠货款5,000元未付');
    expect(text).toContain('Order the defendant Li Si to pay the plaintiff the unpaid price of CNY 5,000;');
    expect(text).toContain('In March 2025, the plaintiff and the defendant Li Si agreed that the plaintiff would sell 200 boxes of apples to the defendant for CNY 5,000 in total.');
    expect(text).toContain('Attached: 1 copy of this complaint');
  });
});
