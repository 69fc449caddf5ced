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

const zhParties: Script = {
  'plaintiff.kind': '个人',
  'plaintiff.name': '王小明',
  'plaintiff.idNumber': '1201 1319 5203 1400 28',
  'plaintiff.ethnicity': '汉',
  'plaintiff.occupation': '建筑工人',
  'plaintiff.address': '天津市北辰区富锦路12号3门101',
  'plaintiff.phone': '幺三八幺二三四五六七八',
  'defendant.kind': '公司',
  'defendant.orgName': '天津某某建筑有限公司',
  'defendant.creditCode': '不知道',
  'defendant.representative': '赵六，经理',
  'defendant.address': '天津市北辰区京津路100号',
  'defendant.phone': '跳过',
  'defendant.more': '没有',
};

describe('unpaid wages over Direct Line, zh-CN', () => {
  it('with an arbitration award: finishes, and the document says when the award came', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '老板拖欠工资',
      'wage.hasArbitration': '对',
      'wage.awardDate': '三天前',
      ...zhParties,
      'wage.startDate': '2023年3月',
      'wage.position': '瓦工',
      'wage.monthlyWage': '六千',
      'wage.endReason': '被辞退了',
      'wage.endDate': '2024年6月',
      'wage.owedAmount': ['三万五千', '对'],
      'wage.owedFrom': '2024年1月',
      'wage.owedTo': '2024年6月',
      'wage.migrantWorker': '是',
      'mediation.willing': '不愿意',
      'preservation.requested': '不用了',
      'relief.hardship': '没有',
      'review.confirm': '对的',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('wage-arrears');
    const text = await (await fetch(done.channelData!.complaint!.documentUrl.replace(/\.html$/, '.txt'))).text();
    expect(text).toContain('王小明');
    expect(text).toContain('天津某某建筑有限公司');
    expect(text).toContain('35,000');
    expect(text).toContain('2024年1月至2024年6月');
    expect(text).toContain('2026年11月25日收到仲裁裁决书');
    expect(text).toContain('农民工');
  });

  it('without an award or a wage IOU: explains arbitration first, keeps the draft, and resumes later by code', async () => {
    const first = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await first.start();
    await first.say('拖欠工资');
    const chosen = first.received.find((a) => a.text?.includes('续办码'))!;
    const code = /续办码是(\d{6})/.exec(chosen.text!)![1]!;
    expect(chosen.speak).toContain('<break');
    await first.say('没有');
    const stop = await first.say('没有');
    const told = stop.map((a) => a.text).join('\n');
    expect(told).toContain('劳动人事争议仲裁委员会');
    expect(told).toContain('15天');
    expect(told).toContain(code);

    // The same filer comes back another day, from another channel, with the award.
    const later = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await later.start();
    const resumed = await later.say(code);
    expect(resumed.map((a) => a.text).join('\n')).toContain('找到了您的草稿');
    expect(later.lastAsk()?.field).toBe('wage.hasArbitration');

    const record = await server.assembled.store.complaints.findByResumeCode(code);
    expect(record?.status).toBe('draft');
    expect(record?.clerkNeeds.map((n) => n.reason)).toContain('arbitration-first');
  });

  it('with a wage IOU: sues directly without arbitration', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'zh-CN');
    await client.start();
    await play(client, {
      caseType: '讨薪',
      'wage.hasArbitration': '没有',
      'wage.hasWageIou': '有欠条',
      ...zhParties,
      'wage.startDate': '2023年3月1日',
      'wage.position': '保洁',
      'wage.monthlyWage': '3500',
      'wage.endReason': '还在干',
      'wage.owedAmount': '8000',
      'wage.owedFrom': '2024年9月',
      'wage.owedTo': '2024年10月',
      'wage.migrantWorker': '不是',
      'mediation.willing': '好',
      'preservation.requested': '不',
      'relief.hardship': '没有',
      'review.confirm': '是',
    });
    const done = client.received.at(-1)!;
    const text = await (await fetch(done.channelData!.complaint!.documentUrl.replace(/\.html$/, '.txt'))).text();
    expect(text).toContain('工资欠条');
    expect(text).toContain('8,000');
  });
});

describe('unpaid wages over Direct Line, en-US', () => {
  it('finishes in English with an award and a company defendant', async () => {
    const client = new DirectLineTestClient(server.baseUrl, 'en-US');
    await client.start();
    await play(client, {
      caseType: 'my employer did not pay my salary',
      'wage.hasArbitration': 'yes',
      'wage.awardDate': 'yesterday',
      'plaintiff.kind': 'person',
      'plaintiff.name': 'Wang Xiaoming',
      'plaintiff.idNumber': '11010519491231002x',
      'plaintiff.ethnicity': 'Han',
      'plaintiff.occupation': 'construction worker',
      'plaintiff.address': 'Room 101, 12 Fujin Road, Beichen District, Tianjin',
      'plaintiff.phone': '+86 138 1234 5678',
      'defendant.kind': 'company',
      'defendant.orgName': 'Tianjin Example Construction Co., Ltd.',
      'defendant.creditCode': 'skip',
      'defendant.representative': 'Zhao Liu, manager',
      'defendant.address': '100 Jingjin Road, Beichen District, Tianjin',
      'defendant.phone': 'skip',
      'defendant.more': 'no',
      'wage.startDate': 'March 2023',
      'wage.position': 'bricklayer',
      'wage.monthlyWage': ['six thousand', 'seven thousand'],
      'wage.endReason': 'I quit',
      'wage.endDate': 'June 2024',
      'wage.owedAmount': ['35k', 'yes', 'keep'],
      'wage.owedFrom': 'January 2024',
      'wage.owedTo': 'June 2024',
      'wage.migrantWorker': 'yes',
      'mediation.willing': 'no',
      'preservation.requested': 'no',
      'relief.hardship': 'no',
      // Corrects the monthly wage in the review; the rest of that section is kept or said again.
      'review.confirm': ['no', 'yes'],
      'review.section': 'the wages',
    });
    const done = client.received.at(-1)!;
    expect(done.channelData?.complaint?.caseType).toBe('wage-arrears');
    const html = await (await fetch(done.channelData!.complaint!.documentUrl)).text();
    expect(html).toContain('Wang Xiaoming');
    expect(html).toContain('7,000'); // corrected in the review
    expect(html).not.toContain('6,000');
    expect(html).toMatch(/For your reference/);
  });
});
