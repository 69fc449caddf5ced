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

/** A date some days ago, as a filer would say it: 2026年9月29日. */
function daysAgoZh(days: number): string {
  const d = new Date(Date.now() - days * 86_400_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

describe('divorce over Direct Line, zh-CN', () => {
  it('two children, common property, and a recent judgment that needs a new reason', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '我想跟丈夫离婚',
      'plaintiff.kind': '个人',
      'plaintiff.name': '王芳',
      'plaintiff.idNumber': '120113198506120028',
      'plaintiff.ethnicity': '汉族',
      'plaintiff.occupation': '超市收银员',
      'plaintiff.address': '天津市北辰区果园新村街道富锦路12号3门101',
      'plaintiff.phone': '13812345678',
      'defendant.kind': '个人',
      'defendant.name': '刘强',
      'defendant.idNumber': '120105198303050015',
      'defendant.ethnicity': '汉族',
      'defendant.occupation': '货车司机',
      'defendant.address': '天津市河北区中山路8号',
      'defendant.phone': '13912345678',
      'defendant.more': '没有',
      'divorce.marriageDate': '2010年5月1日',
      'divorce.marriagePlace': '天津市北辰区民政局',
      'divorce.reason': '分居',
      'divorce.reasonDetail': '结婚以后经常吵架，2022年起分开住，他很少回家。',
      'divorce.priorSuit': '有',
      'divorce.priorJudgmentDate': daysAgoZh(60),
      'divorce.newReason': '判决以后他又动手打了我一次。',
      'divorce.hasChildren': '有',
      'divorce-child.name': '刘小明',
      'divorce-child.birthDate': '2012年8月15日',
      'divorce-child.custody': '跟我',
      'divorce-child.support': '一千五',
      'divorce-child.more': '有',
      'divorce-child.name#1': '刘小红',
      'divorce-child.birthDate#1': '2016年3月2日',
      'divorce-child.custody#1': '对方抚养',
      'divorce-child.supportOffered#1': '一千',
      'divorce-child.more#1': '没有',
      'divorce.house': '北辰区富锦路12号3门101，九十平米',
      'divorce.car': '没有',
      'divorce.deposits': '工商银行存款大约十万元',
      'divorce.propertyValue': ['八十万', '对'],
      'divorce.split': '房子归我，我给他一半房款；存款一人一半',
      'divorce.debts': '没有',
      'divorce.visitation': '每个月探望两次',
      'mediation.willing': '愿意',
      'preservation.requested': '不要',
      'relief.hardship': '没有',
      'review.confirm': '对',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('divorce');

    const texts = client.received.map((a) => a.text ?? '');
    // The six-month rule was told before the new reason was asked.
    expect(texts.some((t) => t.includes('六个月内') && t.includes('第一百二十七条'))).toBe(true);
    expect(texts.join('\n')).not.toMatch(/undefined|\{\w+\}/);
    // Fee: the divorce rule, with 0.5% of the 600,000 of property above 200,000.
    expect(texts.some((t) => t.includes('诉讼费') && t.includes('3,300'))).toBe(true);
    expect(texts.some((t) => t.includes('结婚证原件') && t.includes('上次离婚案的判决书'))).toBe(true);

    const { html, text } = await documentOf(client);
    expect(html).toContain('天津市北辰区人民法院');
    expect(text).toContain('原告：王芳，女，1985年6月12日出生');
    expect(text).toContain('被告：刘强，男，1983年3月5日出生');
    expect(text).toContain('判令原告王芳与被告刘强离婚');
    expect(text).toContain('婚生子女刘小明（2012年8月15日出生）由原告抚养，被告自判决生效之日起每月支付抚养费1,500');
    expect(text).toContain('婚生子女刘小红（2016年3月2日出生）由被告抚养，原告自判决生效之日起每月支付抚养费1,000');
    expect(text).toContain('分割方案为：房子归我');
    expect(text).toContain('2010年5月1日在天津市北辰区民政局登记结婚');
    expect(text).toContain('分居已满二年');
    expect(text).toContain('判决以后他又动手打了我一次');
    expect(text).toContain('800,000');
    expect(text).toContain('关于子女探望：每个月探望两次');
    expect(text).toContain('第一千零七十九条、第一千零八十四条、第一千零八十五条、第一千零八十七条的规定');
    expect(text).toContain('结婚证');
    expect(text).toContain('不动产权证书');
    expect(text).not.toContain('机动车登记证书');
    expect(text).toMatch(/附：本起诉状副本1份/);
    expect(text).toContain('原告愿意在诉讼前先行调解');
  });
});

describe('divorce over Direct Line, en-US', () => {
  it('one child, no property, and the help for the reasons names 110', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await client.say('I want a divorce from my husband');
    expect(client.lastAsk()?.field).toBe('plaintiff.kind');
    await play(client, {
      'plaintiff.kind': 'person',
      'plaintiff.name': 'Wang Fang',
      'plaintiff.idNumber': '120113198506120028',
      'plaintiff.ethnicity': 'Han',
      'plaintiff.occupation': 'cashier',
      'plaintiff.address': 'No. 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '13812345678',
      'defendant.kind': 'person',
      'defendant.name': 'Liu Qiang',
      'defendant.idNumber': 'skip',
      'defendant.gender': 'male',
      'defendant.birthDate': 'skip',
      'defendant.ethnicity': 'skip',
      'defendant.occupation': 'skip',
      'defendant.address': '8 Zhongshan Road, Hebei District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'divorce.marriageDate': '1 May 2010',
      'divorce.marriagePlace': 'Beichen District Civil Affairs Bureau',
      'divorce.reason': ['help', 'domestic violence'],
      'divorce.reasonDetail': 'He has hit me several times since 2023.',
      'divorce.priorSuit': 'no',
      'divorce.hasChildren': 'yes',
      'divorce-child.name': 'Liu Xiaoming',
      'divorce-child.birthDate': '15 August 2012',
      'divorce-child.custody': 'I will raise the child',
      'divorce-child.support': 'skip',
      'divorce-child.more': 'no',
      'divorce.house': 'none',
      'divorce.car': 'none',
      'divorce.deposits': 'none',
      'divorce.debts': 'none',
      'divorce.visitation': 'skip',
      'mediation.willing': 'no',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      'review.confirm': 'yes',
    });
    const texts = client.received.map((a) => a.text ?? '');
    expect(texts.some((t) => t.includes('110'))).toBe(true);
    expect(texts.some((t) => /court fee/i.test(t) && t.includes('300'))).toBe(true);
    expect(texts.some((t) => t.includes('The marriage certificate') && t.includes('Police call records'))).toBe(true);
    const asked = client.received.map((a) => a.channelData?.ask?.field);
    // Without common property there is nothing to value or split.
    expect(asked).not.toContain('divorce.propertyValue');
    expect(asked).not.toContain('divorce.split');

    const { html, text } = await documentOf(client);
    expect(html).toMatch(/For your reference/i);
    expect(text).toContain('判令原告Wang Fang与被告Liu Qiang离婚');
    expect(text).toContain('由原告抚养，被告依法支付抚养费');
    expect(text).toContain('Grant a divorce between the plaintiff Wang Fang and the defendant Liu Qiang');
    expect(text).toContain('Order that the child Liu Xiaoming (born 15 August 2012) be raised by the plaintiff');
    expect(text).toContain('domestic violence');
    expect(text).toContain('Under Article 1079, Articles 1084 and 1085 of the Civil Code');
    expect(text).toContain('报警记录');
    expect(text).not.toContain('依法分割夫妻共同财产');
    expect(text).toContain('Attached: 1 copy of this complaint');
  });
});
