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

describe('property fees over Direct Line, zh-CN', () => {
  it('the management company sues two owners for the fees and a late fee', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '业主两年不交物业费',
      'plaintiff.kind': '代表物业公司',
      'plaintiff.orgName': '天津某某物业管理有限公司',
      'plaintiff.creditCode': '跳过',
      'plaintiff.representative': '周七，总经理',
      'plaintiff.address': '天津市北辰区龙门路8号',
      'plaintiff.phone': '022-26881234',
      'defendant.kind': '个人',
      'defendant.name': '李四',
      'defendant.idNumber': '跳过',
      'defendant.gender': '男',
      'defendant.birthDate': '跳过',
      'defendant.ethnicity': '跳过',
      'defendant.occupation': '跳过',
      'defendant.address': '天津市北辰区某某花园3号楼2门501',
      'defendant.phone': '跳过',
      'defendant.more': '有',
      'defendant.kind#1': '个人',
      'defendant.name#1': '陈五',
      'defendant.idNumber#1': '跳过',
      'defendant.gender#1': '女',
      'defendant.birthDate#1': '跳过',
      'defendant.ethnicity#1': '跳过',
      'defendant.occupation#1': '跳过',
      'defendant.address#1': '天津市北辰区某某花园3号楼2门501',
      'defendant.phone#1': '跳过',
      'defendant.more#1': '没有',
      'property.address': '天津市北辰区某某花园3号楼2门501',
      'property.area': '89.5',
      'property.feeRate': '1.5',
      'property.unpaidFrom': '2023年1月',
      'property.unpaidTo': '2024年12月',
      'property.owedAmount': '3222',
      'property.lateFee': '二百',
      'property.demanded': '是的，催过',
      'mediation.willing': '愿意',
      'preservation.requested': '不要',
      'relief.hardship': '没有',
      'review.confirm': '对',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('property-fee');
    const texts = client.received.map((a) => a.text ?? '');
    // 3,422 claimed: the fixed 50 yuan of the first band.
    expect(texts.some((t) => t.includes('诉讼费') && t.includes('50元'))).toBe(true);
    expect(texts.some((t) => t.includes('物业服务合同') && t.includes('催缴通知'))).toBe(true);

    const { html, text } = await documentOf(client);
    expect(html).toContain('天津市北辰区人民法院');
    expect(text).toContain('原告：天津某某物业管理有限公司，住所地天津市北辰区龙门路8号');
    expect(text).toContain('法定代表人：周七，总经理。');
    expect(text).toContain('被告一：李四，男');
    expect(text).toContain('被告二：陈五，女');
    expect(text).toContain('判令被告李四、陈五支付原告物业服务费3,222元（2023年1月至2024年12月）');
    expect(text).toContain('判令被告支付逾期交费的违约金200元');
    expect(text).toContain('房屋建筑面积89.5平方米');
    expect(text).toContain('每月每平方米1.5元');
    expect(text).toContain('经原告催交，被告至今仍未交纳');
    expect(text).toContain('第九百四十四条');
    expect(text).toContain('原告营业执照');
    expect(text).toMatch(/附：本起诉状副本2份/);
  });
});

describe('property fees over Direct Line, en-US', () => {
  it('one owner, no late fee, in English', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'an owner has not paid the property management fees',
      'plaintiff.kind': 'organization',
      'plaintiff.orgName': 'Sunshine Property Management Co., Ltd.',
      'plaintiff.creditCode': 'skip',
      'plaintiff.representative': 'skip',
      'plaintiff.address': '8 Longmen Road, Beichen District, Tianjin',
      'plaintiff.phone': '022-26881234',
      'defendant.kind': 'person',
      'defendant.name': 'Li Si',
      'defendant.idNumber': 'skip',
      'defendant.gender': 'male',
      'defendant.birthDate': 'skip',
      'defendant.ethnicity': 'skip',
      'defendant.occupation': 'skip',
      'defendant.address': 'Flat 501, Building 3, Example Garden, Beichen District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'property.address': 'Flat 501, Building 3, Example Garden, Beichen District, Tianjin',
      'property.area': '100',
      'property.feeRate': '2',
      'property.unpaidFrom': 'January 2024',
      'property.unpaidTo': 'June 2024',
      'property.owedAmount': '1200',
      'property.lateFee': 'none',
      'property.demanded': 'no',
      'mediation.willing': 'yes',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const { html, text } = await documentOf(client);
    expect(html).toMatch(/For your reference/i);
    expect(text).toContain('判令被告Li Si支付原告物业服务费1,200元（2024年1月至2024年6月）');
    expect(text).not.toContain('违约金');
    expect(text).toContain('Order the defendant Li Si to pay the plaintiff property management fees of CNY 1,200 (January 2024 to June 2024);');
    expect(text).toContain('with a floor area of 100 square metres');
    expect(text).toContain('Attached: 1 copy of this complaint');
  });
});
