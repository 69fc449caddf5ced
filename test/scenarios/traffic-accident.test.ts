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

describe('traffic accident over Direct Line, zh-CN', () => {
  it('sues the driver and the insurer for the losses, totalled in the claim', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '我骑电动车被车撞了',
      'plaintiff.kind': '个人',
      'plaintiff.name': '孙大爷',
      'plaintiff.idNumber': '120113196008150057',
      'plaintiff.ethnicity': '汉族',
      'plaintiff.occupation': '退休',
      'plaintiff.address': '天津市北辰区果园新村街道富锦路12号3门101',
      'plaintiff.phone': '13812345678',
      'traffic.date': '2025年3月5日',
      'traffic.place': '北辰区京津路与龙门路交口',
      'traffic.howItHappened': '我骑电动车正常行驶，对方开小轿车闯红灯把我撞倒，右腿骨折。',
      'traffic.hasPoliceFinding': '有',
      'traffic.liability': '对方负主要责任',
      'traffic.compulsoryInsurer': '中国人民财产保险股份有限公司天津市分公司',
      'traffic.commercialInsurer': '没有',
      'defendant.kind': '个人',
      'defendant.name': '赵六',
      'defendant.idNumber': '跳过',
      'defendant.gender': '男',
      'defendant.birthDate': '跳过',
      'defendant.ethnicity': '跳过',
      'defendant.occupation': '跳过',
      'defendant.address': '天津市河北区中山路8号',
      'defendant.phone': '13912345678',
      'defendant.more': '有',
      'defendant.kind#1': '公司',
      'defendant.orgName#1': '中国人民财产保险股份有限公司天津市分公司',
      'defendant.creditCode#1': '跳过',
      'defendant.representative#1': '跳过',
      'defendant.address#1': '天津市和平区南京路100号',
      'defendant.phone#1': '跳过',
      'defendant.more#1': '没有',
      'traffic.medical': ['三万二', '对'],
      'traffic.nursing': '六千',
      'traffic.lostWages': '没有',
      'traffic.transport': '八百',
      'traffic.disability': '没有',
      'traffic.propertyDamage': '两千',
      'traffic.emotional': '没有',
      'traffic.appraisal': '要',
      'mediation.willing': '愿意',
      'preservation.requested': '不要',
      'relief.hardship': '没有',
      'review.confirm': '对',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('traffic-accident');
    const texts = client.received.map((a) => a.text ?? '');
    // Fee on 40,800 claimed: 50 + 2.5% of 30,800 = 820.
    expect(texts.some((t) => t.includes('诉讼费') && t.includes('820'))).toBe(true);
    expect(texts.some((t) => t.includes('交通事故认定书') && t.includes('医疗费发票'))).toBe(true);

    const { html, text } = await documentOf(client);
    expect(html).toContain('天津市北辰区人民法院');
    expect(text).toContain('原告：孙大爷，男，1960年8月15日出生');
    expect(text).toContain('被告一：赵六');
    expect(text).toContain('被告二：中国人民财产保险股份有限公司天津市分公司');
    expect(text).toContain('判令被告赵六、中国人民财产保险股份有限公司天津市分公司赔偿原告因交通事故造成的各项损失共计40,800元（医疗费32,000元、护理费6,000元、交通费800元、财产损失2,000元）');
    expect(text).toContain('在机动车交通事故责任强制保险责任限额内先行承担赔偿责任');
    expect(text).toContain('本案诉讼费用、鉴定费用由被告承担');
    expect(text).toContain('2025年3月5日，在北辰区京津路与龙门路交口，原告与被告方发生交通事故');
    expect(text).toContain('被告方负事故主要责任');
    expect(text).toContain('原告申请对伤残等级及相关损失进行鉴定');
    expect(text).toContain('第七十六条');
    expect(text).toContain('交通事故认定书，证明事故经过和责任划分');
    expect(text).not.toContain('误工证明');
    expect(text).toMatch(/附：本起诉状副本2份/);
  });
});

describe('traffic accident over Direct Line, en-US', () => {
  it('without a police finding or insurers, in English', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'I was hit by a car',
      'plaintiff.kind': 'person',
      'plaintiff.name': 'Sun Li',
      'plaintiff.idNumber': '120113197809200047',
      'plaintiff.ethnicity': 'skip',
      'plaintiff.occupation': 'teacher',
      'plaintiff.address': 'No. 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'traffic.date': '5 March 2025',
      'traffic.place': 'Jingjin Road, Beichen District',
      'traffic.howItHappened': 'A van reversed into me in a car park.',
      'traffic.hasPoliceFinding': 'no',
      'traffic.compulsoryInsurer': "don't know",
      'traffic.commercialInsurer': 'none',
      'defendant.kind': 'person',
      'defendant.name': 'Zhao Liu',
      'defendant.idNumber': 'skip',
      'defendant.gender': 'male',
      'defendant.birthDate': 'skip',
      'defendant.ethnicity': 'skip',
      'defendant.occupation': 'driver',
      'defendant.address': '8 Zhongshan Road, Hebei District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'traffic.medical': '5000',
      'traffic.nursing': 'none',
      'traffic.lostWages': 'three thousand',
      'traffic.transport': 'none',
      'traffic.disability': 'none',
      'traffic.propertyDamage': 'none',
      'traffic.emotional': 'none',
      'traffic.appraisal': 'no',
      'mediation.willing': 'yes',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const asked = client.received.map((a) => a.channelData?.ask?.field);
    expect(asked).not.toContain('traffic.liability');
    const { html, text } = await documentOf(client);
    expect(html).toMatch(/For your reference/i);
    expect(text).toContain('公安机关交通管理部门未出具事故认定书');
    expect(text).toContain('共计8,000元（医疗费5,000元、误工费3,000元）');
    expect(text).toContain('to compensate the plaintiff for the losses caused by the accident');
    expect(text).toContain('The traffic police did not issue a liability finding.');
    expect(text).not.toContain('强制保险');
    expect(text).toContain('Attached: 1 copy of this complaint');
  });
});
