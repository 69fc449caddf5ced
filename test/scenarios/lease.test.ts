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

describe('home lease over Direct Line, zh-CN', () => {
  it('a landlord ends the lease, takes the flat back and claims the unpaid rent', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '租客欠房租不交',
      'lease.role': '我是房东',
      'plaintiff.kind': '个人',
      'plaintiff.name': '王秀英',
      'plaintiff.idNumber': '11010519491231002X',
      'plaintiff.ethnicity': '汉族',
      'plaintiff.occupation': '退休',
      'plaintiff.address': '天津市北辰区果园新村街道富锦路12号3门101',
      'plaintiff.phone': '13812345678',
      'defendant.kind': '个人',
      'defendant.name': '李四',
      'defendant.idNumber': '跳过',
      'defendant.gender': '男',
      'defendant.birthDate': '跳过',
      'defendant.ethnicity': '跳过',
      'defendant.occupation': '跳过',
      'defendant.address': '天津市北辰区某某小区5号楼1门202',
      'defendant.phone': '13912345678',
      'defendant.more': '没有',
      'lease.address': '天津市北辰区某某小区5号楼1门202',
      'lease.rent': '两千',
      'lease.startDate': '2023年3月1日',
      'lease.endDate': '2025年2月28日',
      'lease.deposit': '两千',
      'lease.hasContract': '有',
      'lease.problem': '他一直欠房租',
      'lease.detail': '从2024年7月起没交房租，一共欠了五个月。',
      'lease.amount': ['一万', '对'],
      'lease.terminate': '要',
      'mediation.willing': '愿意',
      'preservation.requested': '不要',
      'relief.hardship': '没有',
      'review.confirm': '对',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('lease');
    const texts = client.received.map((a) => a.text ?? '');
    expect(texts.some((t) => t.includes('诉讼费') && t.includes('50元'))).toBe(true);
    expect(texts.some((t) => t.includes('租房合同的原件') && t.includes('房产证'))).toBe(true);

    const { html, text } = await documentOf(client);
    expect(html).toContain('天津市北辰区人民法院');
    expect(text).toContain('原告：王秀英，女，1949年12月31日出生');
    expect(text).toContain('被告：李四，男');
    expect(text).toContain('1. 判令解除原告与被告李四之间的房屋租赁合同；');
    expect(text).toContain('2. 判令被告腾退位于天津市北辰区某某小区5号楼1门202的房屋并返还原告；');
    expect(text).toContain('3. 判令被告支付拖欠的房租10,000元；');
    expect(text).toContain('约定原告将位于天津市北辰区某某小区5号楼1门202的房屋出租给被告使用，月租金2,000元，租期自2023年3月1日起至2025年2月28日止，被告交纳押金2,000元。');
    expect(text).toContain('被告未按约定支付房租。具体情况是：从2024年7月起没交房租');
    expect(text).toContain('第五百六十六条、第五百七十七条、第七百零三条、第七百二十二条、第七百三十三条');
    expect(text).toContain('房屋产权证明');
    expect(text).toMatch(/附：本起诉状副本1份/);
  });
});

describe('home lease over Direct Line, en-US', () => {
  it('a tenant claims the deposit back, in English', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'the landlord will not give back my deposit',
      'lease.role': 'tenant',
      'plaintiff.kind': 'person',
      'plaintiff.name': 'Sun Li',
      'plaintiff.idNumber': '120113197809200047',
      'plaintiff.ethnicity': 'skip',
      'plaintiff.occupation': 'nurse',
      'plaintiff.address': 'No. 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'defendant.kind': 'person',
      'defendant.name': 'Zhou Qi',
      'defendant.idNumber': 'skip',
      'defendant.gender': 'female',
      'defendant.birthDate': 'skip',
      'defendant.ethnicity': 'skip',
      'defendant.occupation': 'skip',
      'defendant.address': '8 Zhongshan Road, Hebei District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'lease.address': 'Flat 202, Building 5, Example Estate, Beichen District, Tianjin',
      'lease.rent': '1800',
      'lease.startDate': 'March 2024',
      'lease.endDate': 'February 2025',
      'lease.deposit': '3600',
      'lease.hasContract': 'yes',
      'lease.problem': 'deposit not returned',
      'lease.detail': 'I left the flat clean in February 2025; she kept the whole deposit.',
      'lease.amount': '3600',
      'lease.terminate': 'no',
      'mediation.willing': 'yes',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const { html, text } = await documentOf(client);
    expect(html).toMatch(/For your reference/i);
    expect(text).toContain('Under Articles 577 and 703 of the Civil Code');
    expect(text).not.toContain('腾退');
    expect(text).not.toContain('解除');
    expect(text).toContain('判令被告返还押金3,600元');
    expect(text).toContain('约定被告将位于Flat 202, Building 5, Example Estate, Beichen District, Tianjin的房屋出租给原告使用');
    expect(text).toContain('租赁关系结束后，被告拒不退还押金。');
    expect(text).toContain('Order the defendant to return the deposit of CNY 3,600;');
    expect(text).toContain('The lease has ended, but the landlord, the defendant, refuses to return the deposit.');
    expect(text).toContain('Attached: 1 copy of this complaint');
  });
});
